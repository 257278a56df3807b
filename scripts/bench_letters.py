#!/usr/bin/env python3
# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Benchmark: printing postal negotiation letters as one PDF, against
Odoo's own invoice PDF report for as many invoices (same wkhtmltopdf).

Two ways to run it, against a database where ``debt_negotiation`` is
installed (with ``account`` and a chart of accounts):

1. Standalone (starts ``odoo-bin shell`` and, unless ``--report-url`` is
   given, a temporary Odoo HTTP server that wkhtmltopdf loads the report
   assets from)::

       python scripts/bench_letters.py --odoo-bin path/to/odoo-bin \\
           -d DATABASE [-c odoo.conf] [--count 500]

2. Inside an Odoo shell (an HTTP server of that database must be running;
   pass its address as ``report_url`` when the ``report.url`` /
   ``web.base.url`` parameters do not point to it)::

       odoo-bin shell -d DATABASE < scripts/bench_letters.py

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

The data (N debtors, N overdue invoices, N cases and letters) is created
before timing and rolled back at the end (``--keep`` to commit it).
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request

DEFAULT_COUNT = 500
TARGET_RATIO = 1.2


# ----------------------------------------------------------------------
# Inside Odoo
# ----------------------------------------------------------------------
def _prepare(env, count):
    """Create ``count`` debtors with one overdue invoice and a case each,
    and one postal negotiation letter per case, without its PDF."""
    from datetime import timedelta

    from odoo import Command, fields

    today = fields.Date.context_today(env["debt.negotiation"])
    company = env.company
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not journal:
        raise SystemExit(
            "No sales journal in %s: install a chart of accounts." % company.name
        )
    partners = env["res.partner"].create(
        [
            {
                "name": "Bench Debtor %04d" % index,
                "is_company": True,
                "street": "%d Bench Street" % (index + 1),
                "city": "Benchville",
                "zip": "%05d" % (10000 + index),
                "country_id": company.country_id.id,
            }
            for index in range(count)
        ]
    )
    invoices = env["account.move"].create(
        [
            {
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
            for index, partner in enumerate(partners)
        ]
    )
    invoices.action_post()
    Negotiation = env["debt.negotiation"]
    cases = Negotiation.create(
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
    letters = cases.with_context(debt_negotiation_skip_pdf=True)._generate_letter(
        "negotiation", channel="post"
    )
    env.flush_all()
    return invoices, letters


def _timed(label, func):
    start = time.perf_counter()
    content, report_type = func()
    elapsed = time.perf_counter() - start
    if report_type != "pdf" or not content.startswith(b"%PDF"):
        raise SystemExit("%s: no PDF was produced (%s)" % (label, report_type))
    return elapsed, len(content)


def run(env, count=DEFAULT_COUNT, report_url=None, keep=False, single=True):
    """Run the benchmark in ``env``; print and return the figures."""
    import io

    from odoo.exceptions import UserError
    from odoo.tools.pdf import PdfFileReader

    if report_url:
        env["ir.config_parameter"].sudo().set_param("report.url", report_url)
    Report = env["ir.actions.report"]
    letter_report = "debt_negotiation.action_report_debt_negotiation_letter"
    print(
        "Preparing %d debtors, invoices, cases and postal letters..." % count,
        flush=True,
    )
    start = time.perf_counter()
    invoices, letters = _prepare(env, count)
    print("  prepared in %.1fs" % (time.perf_counter() - start), flush=True)

    # Warm-up (asset bundles, templates), not timed.
    Report._render_qweb_pdf("account.account_invoices", invoices[:1].ids)
    Report._render_qweb_pdf(letter_report, letters[:1].ids)
    letters = letters[1:]
    invoices = invoices[1:]
    count = len(letters)

    batch = env["debt.negotiation.letter"]._pdf_batch_size()
    t_single = None
    if single:
        print("Odoo invoice PDF, %d invoices in one call..." % count, flush=True)
        try:
            with env.cr.savepoint():
                t_single, size = _timed(
                    "invoices",
                    lambda: Report._render_qweb_pdf(
                        "account.account_invoices", invoices.ids
                    ),
                )
            print("  %.1fs (%d KiB)" % (t_single, size // 1024), flush=True)
        except UserError as error:
            print("  failed: %s" % str(error).splitlines()[0], flush=True)

    def invoices_in_batches():
        # Odoo's own report, run on batches of the size the letters use,
        # merged into one PDF like the letters.
        streams = []
        for start in range(0, len(invoices), batch):
            content, _type = Report._render_qweb_pdf(
                "account.account_invoices", invoices[start : start + batch].ids
            )
            streams.append(io.BytesIO(content))
        if len(streams) == 1:
            return streams[0].getvalue(), "pdf"
        with Report._merge_pdfs(streams) as merged:
            return merged.getvalue(), "pdf"

    print(
        "Odoo invoice PDF, %d invoices in batches of %d, merged..." % (count, batch),
        flush=True,
    )
    t_invoices, size_invoices = _timed("invoices", invoices_in_batches)
    print("  %.1fs (%d KiB)" % (t_invoices, size_invoices // 1024), flush=True)

    print("Letters to send, %d postal letters, first print..." % count, flush=True)
    t_letters, size_letters = _timed(
        "letters", lambda: Report._render_qweb_pdf(letter_report, letters.ids)
    )
    print("  %.1fs (%d KiB)" % (t_letters, size_letters // 1024), flush=True)
    if not all(letter.attachment_id for letter in letters):
        raise SystemExit("Some letters did not keep their PDF.")

    print("Same letters, printed again (stored PDFs)...", flush=True)
    t_reprint, size_reprint = _timed(
        "reprint", lambda: Report._render_qweb_pdf(letter_report, letters.ids)
    )
    print("  %.1fs (%d KiB)" % (t_reprint, size_reprint // 1024), flush=True)
    content, _type = Report._render_qweb_pdf(letter_report, letters.ids)
    pages = PdfFileReader(io.BytesIO(content), strict=False).getNumPages()

    ratio = t_letters / t_invoices
    ratio_reprint = t_reprint / t_invoices
    print()
    print(
        "RESULT invoices=%d letters=%d letter_pages=%d" % (len(invoices), count, pages)
    )
    if t_single is not None:
        print(
            "RESULT odoo_invoices_pdf_one_call_seconds=%.2f letters_ratio=%.2f"
            % (t_single, t_letters / t_single)
        )
    elif single:
        print("RESULT odoo_invoices_pdf_one_call: failed (wkhtmltopdf)")
    print("RESULT odoo_invoices_pdf_batches_of_%d_seconds=%.2f" % (batch, t_invoices))
    print("RESULT letters_first_print_seconds=%.2f ratio=%.2f" % (t_letters, ratio))
    print("RESULT letters_reprint_seconds=%.2f ratio=%.2f" % (t_reprint, ratio_reprint))
    print(
        "RESULT target ratio <= %.1f: %s"
        % (TARGET_RATIO, "met" if ratio <= TARGET_RATIO else "NOT met")
    )
    if keep:
        env.cr.commit()
    else:
        env.cr.rollback()
    return {
        "invoices": t_invoices,
        "letters": t_letters,
        "reprint": t_reprint,
        "ratio": ratio,
        "ratio_reprint": ratio_reprint,
    }


# ----------------------------------------------------------------------
# Standalone
# ----------------------------------------------------------------------
def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url, timeout=180):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/web/login", timeout=10):
                return True
        except OSError:
            time.sleep(1)
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--odoo-bin", required=True, help="path to Odoo 18.0's odoo-bin"
    )
    parser.add_argument("--python", default=sys.executable, help="python running Odoo")
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("-c", "--config", help="Odoo configuration file")
    parser.add_argument("--addons-path", help="Odoo addons path (if not in the config)")
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT)
    parser.add_argument(
        "--report-url",
        help="URL of a running Odoo server of this database; by default a "
        "temporary one is started",
    )
    parser.add_argument("--keep", action="store_true", help="commit the bench data")
    parser.add_argument(
        "--no-single",
        action="store_true",
        help="do not also try Odoo's invoice report on all invoices in one call",
    )
    args = parser.parse_args()

    base = [args.python, args.odoo_bin]
    common = ["-d", args.database]
    if args.config:
        common += ["-c", args.config]
    if args.addons_path:
        common += ["--addons-path", args.addons_path]
    server = None
    report_url = args.report_url
    try:
        if not report_url:
            port = _free_port()
            report_url = "http://127.0.0.1:%d" % port
            server = subprocess.Popen(
                base
                + common
                + [
                    "--http-port",
                    str(port),
                    "--gevent-port",
                    str(_free_port()),
                    "--db-filter",
                    "^%s$" % args.database,
                    "--log-level",
                    "warn",
                    "--max-cron-threads",
                    "0",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if not _wait_http(report_url):
                raise SystemExit("The Odoo server for the report assets did not start.")
        script = os.path.abspath(__file__)
        code = (
            "import runpy\n"
            "bench = runpy.run_path(%r, run_name='bench_letters')\n"
            "bench['run'](env, count=%d, report_url=%r, keep=%r, single=%r)\n"
            % (script, args.count, report_url, args.keep, not args.no_single)
        )
        shell = subprocess.run(
            base + ["shell"] + common + ["--no-http", "--log-level", "warn"],
            input=code,
            text=True,
            check=False,
        )
        return shell.returncode
    finally:
        if server:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    sys.exit(main())
elif "env" in globals() and __name__ != "bench_letters":
    # Piped into ``odoo-bin shell``: ``env`` is the shell's environment.
    run(globals()["env"])
