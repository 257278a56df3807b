#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Load test of the debtors' portal while the scheduled runs work.

Runs against a throwaway copy of a database where ``debt_negotiation`` is
installed with open cases (e.g. the data of ``bench_followups.py``): it
COMMITS offers, answers and the scheduled runs' work.

1. Proposes our offer (a settlement of what is claimed) on ``--debtors``
   open cases, as a negotiator would.
2. Starts an Odoo server of the database on 127.0.0.1 (``--workers``, 2 by
   default, ``--proxy-mode``: each debtor comes from an address of its own,
   as behind a real proxy, so that the portal's pace limits per address
   apply per debtor) and waits for it.
3. For ``--seconds`` (at most ``--max-requests`` requests), one thread per
   debtor opens its case page by the link of its letters (timed), reads it
   (``--think`` seconds, about), then, in turn, counter-offers, promises to
   pay, and accepts and signs our offer;
   meanwhile this process runs the scheduled follow-ups and agreement check
   as Odoo's cron loop does (one step per call, a commit after each).
4. Checks: no HTTP 5xx nor server error answer (a serialization failure
   Odoo could not retry reaches the debtor as one), every offer accepted at
   most once (one agreement per offer).

Prints the p50/p95 of the case page and ends with::

    RESULT portal_p95_ms=P errors=E requests=R

Usage, with the python of Odoo (bootstrap: see bench_odoo.py)::

    python scripts/load_portal.py [--debtors 50] [--seconds 60] -- \\
        -d load_db --db_host ... --addons-path ...
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta

import bench_odoo
import requests

# A 1x1 PNG: the debtor's drawn signature.
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)
CSRF_RE = re.compile(r'name="csrf_token"\s+value="([^"]+)"')
TAG_RE = re.compile(r"<[^>]+>")
ALERT_RE = re.compile(r'class="alert alert-danger[^"]*"[^>]*>(.*?)</div>', re.S)


def parse_args(argv=None):
    parser = bench_odoo.make_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument("--debtors", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--max-requests", type=int, default=20000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a debtor reads a page before the next request (0: none)",
    )
    parser.add_argument(
        "--no-runs", action="store_true", help="no scheduled runs during the load"
    )
    parser.add_argument("--runs-only", action="store_true", help=argparse.SUPPRESS)
    return bench_odoo.parse_args(parser, argv)


# ---------------------------------------------------------------------------
# Set-up: our offers
# ---------------------------------------------------------------------------
def propose_offers(registry, count):
    """Our offer proposed on ``count`` open cases with something claimed:
    ``[(case id, access token, offer id, amount)]`` (committed)."""
    from odoo import fields

    with bench_odoo.environment(registry) as env:
        cases = env["debt.negotiation"].search(
            [
                ("state", "=", "open"),
                ("amount_claimed", ">", 0),
                ("offer_ids", "=", False),
            ],
            limit=count,
            order="id",
        )
        if len(cases) < count:
            sys.exit(f"only {len(cases)} open cases without offers, {count} wanted")
        today = fields.Date.context_today(env["debt.negotiation"])
        offers = env["debt.negotiation.offer"].create(
            [
                {
                    "negotiation_id": case.id,
                    "offer_type": "settlement",
                    "amount": case.amount_claimed,
                    "first_due_date": today + timedelta(days=10),
                }
                for case in cases
            ]
        )
        offers.action_propose()
        return [
            (
                offer.negotiation_id.id,
                offer.negotiation_id.access_token,
                offer.id,
                offer.amount,
            )
            for offer in offers
        ]


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------
def start_server(odoo_args, workers):
    """An Odoo server of the database on a free port of 127.0.0.1: (process,
    url)."""
    import odoo

    port = bench_odoo.free_port()
    odoo_bin = os.path.join(os.path.dirname(os.path.dirname(odoo.__file__)), "odoo-bin")
    command = [
        sys.executable,
        odoo_bin,
        *odoo_args,
        f"--workers={workers}",
        "--max-cron-threads=0",
        "--http-interface=127.0.0.1",
        f"--http-port={port}",
        "--proxy-mode",
        "--limit-time-real=300",
        "--log-level=warn",
    ]
    process = subprocess.Popen(command)
    url = f"http://127.0.0.1:{port}"
    if not bench_odoo.wait_http(url):
        process.terminate()
        sys.exit(f"the Odoo server did not answer on {url}")
    return process, url


# ---------------------------------------------------------------------------
# The debtors
# ---------------------------------------------------------------------------
class Tally:
    """What the threads saw, shared (under a lock)."""

    def __init__(self, max_requests):
        self.lock = threading.Lock()
        self.page_ms = []
        self.outcomes = Counter()
        self.errors = []
        self.refusals = Counter()
        self.requests = 0
        self.max_requests = max_requests

    def take(self):
        """One more request allowed?"""
        with self.lock:
            if self.requests >= self.max_requests:
                return False
            self.requests += 1
            return True

    def note(self, kind, outcome, detail=""):
        """``outcome``: ``done``, ``refused`` (the page says why: a pace
        limit, the case no longer open to it) or ``error`` (HTTP 5xx, a
        server error)."""
        with self.lock:
            self.outcomes[(kind, outcome)] += 1
            if outcome == "error":
                self.errors.append(f"{kind}: {detail}"[:300])
            elif outcome == "refused" and detail:
                self.refusals[f"{kind}: {detail}"[:160]] += 1


def debtor(index, url, case, deadline, tally, think):
    """One debtor: its case page, then in turn a counter-offer, a promise
    to pay, and the acceptance of our offer."""
    case_id, token, offer_id, amount = case
    session = requests.Session()
    # its own address, as behind a proxy (the pace limits are per address);
    # Odoo's prefork workers close each connection after its request: a new
    # one per request, as a browser would reconnect
    session.headers["X-Forwarded-For"] = f"10.0.{index // 256 % 256}.{index % 256}"
    session.headers["Connection"] = "close"
    page_url = f"{url}/my/negotiations/{case_id}?access_token={token}"
    # half of the debtors accept first (twice at once: a double click), the
    # others counter-offer first
    step = 2 if index % 2 == 0 else 0
    while time.monotonic() < deadline and tally.take():
        start = time.monotonic()
        try:
            page = session.get(page_url, timeout=120)
        except requests.RequestException as error:
            tally.note("page", "error", str(error))
            continue
        with tally.lock:
            tally.page_ms.append((time.monotonic() - start) * 1000)
        tally.note(
            "page",
            "done" if page.status_code < 500 else "error",
            f"HTTP {page.status_code}",
        )
        match = CSRF_RE.search(page.text)
        time.sleep(think * random.uniform(0.5, 1.5))
        if not match or not tally.take():
            continue
        kind = step % 3
        if kind == 2 and tally.take():
            twice = threading.Thread(
                target=answer, args=(requests.Session(), url, case, 2, "", tally)
            )
            twice.start()
            answer(session, url, case, kind, match.group(1), tally)
            twice.join()
        else:
            answer(session, url, case, kind, match.group(1), tally)
        step += 1


def answer(session, url, case, kind, csrf, tally):
    """The debtor's answer ``kind``: 0 counter-offer, 1 promise, 2 accept."""
    case_id, token, offer_id, amount = case
    base = f"{url}/my/negotiations/{case_id}"
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 86400))
    try:
        if kind == 2:
            response = session.post(
                f"{base}/offer/{offer_id}/accept?access_token={token}",
                json={
                    "jsonrpc": "2.0",
                    "method": "call",
                    "params": {"name": "Load Debtor", "signature": SIGNATURE},
                },
                timeout=120,
            )
            body = response.json() if response.status_code < 500 else {}
            # a server error is {"error": {...}}; a refusal {"result":
            # {"error": "why"}}
            if response.status_code >= 500 or "error" in body:
                tally.note("accept", "error", f"HTTP {response.status_code} {body}")
            elif (body.get("result") or {}).get("error"):
                tally.note("accept", "refused", body["result"]["error"])
            else:
                tally.note("accept", "done")
            return
        data = {"csrf_token": csrf, "access_token": token}
        if kind == 0:
            path = "counter"
            data.update(
                offer_type="settlement",
                amount=f"{amount * 0.8:.2f}",
                first_due_date=day,
            )
        else:
            path = "promise"
            data.update(date=day, amount=f"{amount:.2f}")
        response = session.post(f"{base}/{path}", data=data, timeout=120)
        if response.status_code >= 500:
            tally.note(path, "error", f"HTTP {response.status_code}")
        elif response.history:
            # redirected to the case page: the answer was taken
            tally.note(path, "done")
        else:
            # the page again, saying why not
            why = ALERT_RE.search(response.text)
            text = why and " ".join(TAG_RE.sub(" ", why.group(1)).split())
            tally.note(path, "refused", text)
    except requests.RequestException as error:
        tally.note("answer", "error", str(error))


# ---------------------------------------------------------------------------
# The scheduled runs, as Odoo's cron loop calls them
# ---------------------------------------------------------------------------
def scheduled_runs(registry):
    """The follow-ups then the agreement check as Odoo's cron loop calls
    them (one step per call, a commit after each), until done: ``[(method,
    calls, seconds)]``."""
    done = []
    with bench_odoo.environment(registry, bench_odoo.skip_pdf()) as env:
        for xmlid, method in (
            ("debt_negotiation.ir_cron_process_followups", "_cron_process_followups"),
            (
                "debt_negotiation.ir_cron_monitor_agreements",
                "_cron_monitor_agreements",
            ),
        ):
            start = time.monotonic()
            calls = bench_odoo.cron_loop(env["debt.negotiation"], xmlid, method)
            done.append((method, calls, time.monotonic() - start))
    return done


# ---------------------------------------------------------------------------
# Checks and report
# ---------------------------------------------------------------------------
def check_accepted_once(registry, cases):
    """Offers accepted more than once (an agreement each): must be none."""
    with bench_odoo.environment(registry) as env:
        Agreement = env["debt.negotiation.agreement"].with_context(active_test=False)
        offer_ids = [case[2] for case in cases]
        groups = Agreement._read_group(
            [("offer_id", "in", offer_ids)], ["offer_id"], ["__count"]
        )
        accepted = env["debt.negotiation.offer"].search_count(
            [("id", "in", offer_ids), ("state", "=", "accepted")]
        )
        return accepted, [offer.id for offer, count in groups if count > 1]


def start_runs(argv):
    """The scheduled runs in a process of their own (``--runs-only``): in
    this one they would hold the interpreter the debtors' threads need to
    send their requests in time."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--runs-only", *argv],
        stdout=subprocess.PIPE,
        text=True,
    )


def runs_only(registry):
    """``--runs-only``: the scheduled runs, then what they did (one line
    each, read by the main process)."""
    for method, calls, seconds in scheduled_runs(registry):
        print(f"RUN {method} {calls} {seconds:.1f}", flush=True)


def main(argv=None):
    args, odoo_args = parse_args(argv)
    registry = bench_odoo.bootstrap(args, odoo_args)
    if args.runs_only:
        return runs_only(registry)
    cases = propose_offers(registry, args.debtors)
    print(f"{len(cases)} offers proposed", flush=True)
    process, url = start_server(odoo_args, args.workers)
    runs, done = None, []
    try:
        tally = Tally(args.max_requests)
        if not args.no_runs:
            runs = start_runs(argv)
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(
                target=debtor, args=(i, url, case, deadline, tally, args.think)
            )
            for i, case in enumerate(cases)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if runs:
            out, _err = runs.communicate()
            for line in out.splitlines():
                if line.startswith("RUN "):
                    _tag, method, calls, seconds = line.split()
                    done.append((method, int(calls), float(seconds)))
    finally:
        process.terminate()
        process.wait(timeout=60)
    report(registry, cases, tally, done)


def report(registry, cases, tally, done):
    accepted, twice = check_accepted_once(registry, cases)
    ms = sorted(tally.page_ms)
    p50 = statistics.median(ms) if ms else 0
    p95 = ms[int(len(ms) * 0.95) - 1] if ms else 0
    print(f"\n== {len(cases)} debtors, {tally.requests} requests ==")
    for (kind, outcome), count in sorted(tally.outcomes.items()):
        print(f"  {kind} {outcome}: {count}")
    for method, calls, seconds in done:
        print(f"  scheduled {method}: {calls} calls of the cron loop, {seconds:.1f}s")
    print(f"case page: p50 {p50:.0f} ms, p95 {p95:.0f} ms ({len(ms)} pages)")
    print(f"offers accepted: {accepted}, accepted more than once: {twice or 'none'}")
    for why, count in tally.refusals.most_common(5):
        print(f"  refused {count}x: {why}")
    for line in tally.errors[:10]:
        print(f"  error: {line}")
    errors = len(tally.errors) + len(twice)
    print(
        "RESULT portal_p95_ms=%.0f errors=%d requests=%d"
        % (p95, errors, tally.requests)
    )
    return errors


if __name__ == "__main__":
    main()
