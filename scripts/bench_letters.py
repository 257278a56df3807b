#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark: printing postal negotiation letters as one PDF, against
Odoo's own invoice PDF report for as many invoices (same wkhtmltopdf).

Runs against a database where ``debt_negotiation`` is installed (with
``account`` and a chart of accounts), with the python of Odoo::

    python scripts/bench_letters.py [--odoo-path DIR] [--count 500] -- \\
        -c odoo.conf -d DATABASE

(command line and Odoo bootstrap: see bench_odoo.py).

What is measured (wall clock, one call each):

* ``invoices``: Odoo's invoice PDF (``account.account_invoices``) for the
  N invoices, rendered in batches of the size the letters use
  (``debt_negotiation.letter_pdf_batch_size``, default 100: a wkhtmltopdf
  run on hundreds of documents can crash) and merged into one PDF; the
  script also tries Odoo's report on all N invoices in one call and prints
  that time when it works;
* ``letters``: ``_render_qweb_pdf`` of the letter report for N postal
  letters waiting in "Letters to Send" (created without their PDF): each
  letter is rendered, stored as its attachment, and all are merged into
  one PDF — the first print of the letters;
* ``reprint``: printing the same N letters again (the stored PDFs,
  merged).

The first print is detailed by phase: the HTML of the letters (QWeb, in
the main thread), the wkhtmltopdf runs (several at once, in worker
threads: their summed time is longer than the wall time they take), the
split of each run per letter, the letters' attachments, the merge. The
last line sums it up::

    RESULT letters_first_print_seconds=S invoices_seconds=I ratio=R letters=N

(``I``: the invoices in batches; the target is a ratio <= 0.7).

The debtors, their overdue invoices and their cases (N + 1, one for the
warm-up) are generated once per database and committed; the letters are
created for each run and rolled back at the end (``--keep`` commits them).
"""

import contextlib
import io
import os
import sys
import time
from datetime import timedelta

import bench_odoo
from bench_odoo import load_average, patched

DEFAULT_COUNT = 500
TARGET_RATIO = 0.7
PARTNER_PREFIX = "Bench Letters Debtor"
INVOICE_REPORT = "account.account_invoices"
LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"


def parse_args(argv=None):
    parser = bench_odoo.make_parser(__doc__.split("\n\n", 1)[0])
    parser.add_argument(
        "--count",
        type=int,
        default=DEFAULT_COUNT,
        help="letters and invoices printed (default %(default)s)",
    )
    parser.add_argument("--keep", action="store_true", help="commit the letters")
    parser.add_argument(
        "--no-single",
        action="store_true",
        help="do not also try Odoo's invoice report on all invoices in one call",
    )
    return bench_odoo.parse_args(parser, argv)


# ----------------------------------------------------------------------
# Data (generated once per database)
# ----------------------------------------------------------------------
def _partner_values(company, index):
    return {
        "name": "%s %04d" % (PARTNER_PREFIX, index),
        "is_company": True,
        "street": "%d Bench Street" % (index + 1),
        "city": "Benchville",
        "zip": "%05d" % (10000 + index),
        "country_id": company.country_id.id,
    }


def _invoice_values(partner, journal, today, index):
    from odoo import Command

    return {
        "move_type": "out_invoice",
        "partner_id": partner.id,
        "journal_id": journal.id,
        "invoice_date": today - timedelta(days=60 + index % 30),
        "invoice_date_due": today - timedelta(days=30 + index % 30),
        "invoice_line_ids": [
            Command.create(
                {
                    "name": "Bench service %d" % index,
                    "quantity": 1 + index % 3,
                    "price_unit": 100.0 + index,
                    "tax_ids": [],
                }
            )
        ],
    }


def _create_cases(env, indexes, today):
    """One debtor, one posted overdue invoice and one open case per index."""
    from odoo import Command

    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not journal:
        sys.exit("No sales journal in %s: install a chart of accounts." % company.name)
    partners = env["res.partner"].create(
        [_partner_values(company, index) for index in indexes]
    )
    invoices = env["account.move"].create(
        [
            _invoice_values(partner, journal, today, index)
            for index, partner in zip(indexes, partners, strict=True)
        ]
    )
    invoices.action_post()
    env["debt.negotiation"].create(
        [
            {
                "partner_id": invoice.partner_id.id,
                "company_id": invoice.company_id.id,
                "currency_id": invoice.currency_id.id,
                "invoice_ids": [Command.set(invoice.ids)],
            }
            for invoice in invoices
        ]
    )


def ensure_cases(env, count):
    """The first ``count`` bench cases, created (and committed) if missing."""
    from odoo import fields

    Negotiation = env["debt.negotiation"]
    domain = [("partner_id.name", "=like", f"{PARTNER_PREFIX} %")]
    existing = Negotiation.search_count(domain)
    if existing < count:
        today = fields.Date.context_today(Negotiation)
        print(f"Generating {count - existing} debtors, invoices and cases...")
        start = time.perf_counter()
        _create_cases(env, range(existing, count), today)
        env.cr.commit()
        print("  generated in %.1fs" % (time.perf_counter() - start), flush=True)
    else:
        print(f"Data already generated ({existing} cases): kept", flush=True)
    return Negotiation.search(domain, order="partner_id", limit=count)


# ----------------------------------------------------------------------
# Measures
# ----------------------------------------------------------------------
def _timed(label, func):
    start = time.perf_counter()
    content, report_type = func()
    elapsed = time.perf_counter() - start
    if report_type != "pdf" or not content.startswith(b"%PDF"):
        raise SystemExit("%s: no PDF was produced (%s)" % (label, report_type))
    return elapsed, len(content)


def _report(label, seconds, size):
    print("  %s: %.1fs (%d KiB)" % (label, seconds, size // 1024), flush=True)


def time_invoices_one_call(env, invoices):
    """Odoo's invoice PDF on every invoice in one call (None if it fails:
    a wkhtmltopdf run on hundreds of documents can crash)."""
    Report = env["ir.actions.report"]
    print("Odoo invoice PDF, %d invoices in one call..." % len(invoices), flush=True)
    try:
        with env.cr.savepoint():
            seconds, size = _timed(
                "invoices",
                lambda: Report._render_qweb_pdf(INVOICE_REPORT, invoices.ids),
            )
    except Exception as error:  # any failure is a result here
        print("  failed: %s" % (str(error).splitlines() or [repr(error)])[0])
        return None
    _report("one call", seconds, size)
    return seconds


def time_invoices_in_batches(env, invoices, batch):
    """Odoo's own report, run on batches of the size the letters use and
    merged into one PDF like the letters."""
    Report = env["ir.actions.report"]

    def render():
        streams = []
        for start in range(0, len(invoices), batch):
            content, _type = Report._render_qweb_pdf(
                INVOICE_REPORT, invoices[start : start + batch].ids
            )
            streams.append(io.BytesIO(content))
        if len(streams) == 1:
            return streams[0].getvalue(), "pdf"
        with Report._merge_pdfs(streams) as merged:
            return merged.getvalue(), "pdf"

    print(
        "Odoo invoice PDF, %d invoices in batches of %d, merged..."
        % (len(invoices), batch),
        flush=True,
    )
    seconds, size = _timed("invoices", render)
    _report("batches", seconds, size)
    return seconds


def timer(phases, name):
    """Wrapper factory: adds the wall time and count of each call to
    ``phases[name]`` (thread-safe enough: one list append per call)."""

    def make_wrapper(function):
        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                phases.setdefault(name, []).append(time.perf_counter() - start)

        return timed

    return make_wrapper


# (owner attribute path, method, phase): what the first print is made of
PHASES = (
    ("letter", "_ensure_pdf", "rendering and storing (total)"),
    ("letter", "_render_documents_parallel", "rendering in parallel runs"),
    ("letter", "_pdf_job", "HTML of a chunk (main thread)"),
    ("pdf_module", "_run_wkhtmltopdf", "wkhtmltopdf run (worker thread)"),
    ("pdf_module", "_split_pages", "split per letter"),
    ("letter", "_render_documents", "Odoo's own report run (fallback, serial)"),
    ("attachment", "create", "attachments created"),
    ("report", "_merge_pdfs", "merge into one PDF"),
)


def print_phases(phases, workers):
    """Seconds and calls per phase of the first print."""
    print("  phases (wall time, calls; %d wkhtmltopdf runs at once):" % workers)
    for _owner, _method, label in PHASES:
        times = phases.get(label)
        if times:
            print("    %-42s %7.1fs  %4d" % (label, sum(times), len(times)))


def time_letters(env, letters):
    """First print of the letters, then the reprint; (first, reprint, pages)."""
    from odoo.tools.pdf import PdfFileReader

    from odoo.addons.debt_negotiation.models import debt_negotiation_letter_pdf

    Report = env["ir.actions.report"]
    Letter = env["debt.negotiation.letter"]
    owners = {
        "letter": type(Letter),
        "pdf_module": debt_negotiation_letter_pdf,
        "attachment": type(env["ir.attachment"]),
        "report": type(Report),
    }
    workers = Letter._pdf_workers()
    print(
        "Letters to send, %d postal letters, first print (%d wkhtmltopdf runs at "
        "once)..." % (len(letters), workers),
        flush=True,
    )
    phases = {}
    with contextlib.ExitStack() as stack:
        for owner, method, label in PHASES:
            stack.enter_context(patched(owners[owner], method, timer(phases, label)))
        first, size = _timed(
            "letters", lambda: Report._render_qweb_pdf(LETTER_REPORT, letters.ids)
        )
    _report("first print", first, size)
    print_phases(phases, workers)
    if not all(letter.attachment_id for letter in letters):
        raise SystemExit("Some letters did not keep their PDF.")
    print("Same letters, printed again (stored PDFs)...", flush=True)
    reprint, size = _timed(
        "reprint", lambda: Report._render_qweb_pdf(LETTER_REPORT, letters.ids)
    )
    _report("reprint", reprint, size)
    content, _type = Report._render_qweb_pdf(LETTER_REPORT, letters.ids)
    pages = PdfFileReader(io.BytesIO(content), strict=False).getNumPages()
    return first, reprint, pages


def print_results(figures, batch):
    """The summary, ending with the RESULT line."""
    ratio = figures["letters"] / figures["invoices"]
    ratio_reprint = figures["reprint"] / figures["invoices"]
    print()
    print(
        "invoices=%d letters=%d letter_pages=%d cpus=%s load=%s"
        % (
            figures["count"],
            figures["count"],
            figures["pages"],
            os.cpu_count(),
            load_average(),
        )
    )
    if figures["single"] is not None:
        print(
            "odoo_invoices_pdf_one_call_seconds=%.2f letters_ratio=%.2f"
            % (figures["single"], figures["letters"] / figures["single"])
        )
    elif figures["single_tried"]:
        print("odoo_invoices_pdf_one_call: failed (wkhtmltopdf)")
    print("odoo_invoices_pdf_batches_of_%d_seconds=%.2f" % (batch, figures["invoices"]))
    print(
        "letters_reprint_seconds=%.2f ratio=%.2f" % (figures["reprint"], ratio_reprint)
    )
    print(
        "target ratio <= %.1f: %s"
        % (TARGET_RATIO, "met" if ratio <= TARGET_RATIO else "NOT met")
    )
    print(
        "RESULT letters_first_print_seconds=%.2f invoices_seconds=%.2f ratio=%.2f "
        "letters=%d"
        % (figures["letters"], figures["invoices"], ratio, figures["count"])
    )
    return {
        "invoices": figures["invoices"],
        "letters": figures["letters"],
        "reprint": figures["reprint"],
        "ratio": ratio,
        "ratio_reprint": ratio_reprint,
    }


def run(env, cases, keep=False, single=True):
    """Run the benchmark on ``cases`` (the first one warms up); print and
    return the figures. The letters are rolled back unless ``keep``."""
    Report = env["ir.actions.report"]
    print("Creating %d postal letters (without PDF)..." % len(cases), flush=True)
    letters = cases.with_context(**bench_odoo.skip_pdf())._generate_letter(
        "negotiation", channel="post"
    )
    invoices = cases.invoice_ids
    env.flush_all()
    # Warm-up (asset bundles, templates), not timed.
    Report._render_qweb_pdf(INVOICE_REPORT, invoices[:1].ids)
    Report._render_qweb_pdf(LETTER_REPORT, letters[:1].ids)
    letters, invoices = letters[1:], invoices[1:]
    batch = env["debt.negotiation.letter"]._pdf_batch_size()
    figures = {"count": len(letters), "single": None, "single_tried": single}
    if single:
        figures["single"] = time_invoices_one_call(env, invoices)
    figures["invoices"] = time_invoices_in_batches(env, invoices, batch)
    figures["letters"], figures["reprint"], figures["pages"] = time_letters(
        env, letters
    )
    results = print_results(figures, batch)
    if keep:
        env.cr.commit()
    else:
        env.cr.rollback()
    return results


def main(argv=None):
    args, odoo_args = parse_args(argv)
    registry = bench_odoo.bootstrap(args, odoo_args)
    with bench_odoo.environment(registry) as env:
        cases = ensure_cases(env, args.count + 1)
    with (
        bench_odoo.environment(registry) as env,
        bench_odoo.report_server(env, args),
    ):
        run(env, cases.with_env(env), keep=args.keep, single=not args.no_single)


if __name__ == "__main__":
    main()
