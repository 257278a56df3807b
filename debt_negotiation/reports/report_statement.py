# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The statement of account of a debtor in a company: every open posted
invoice and credit note (due or not yet due), the payments not yet applied,
ageing buckets and totals per currency, the open case's reference and how to
pay."""

import io
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from odoo import api, fields, models

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

from ..const import OPEN_STATES
from ..models.debt_negotiation_letter_pdf import _report_logger
from ..tools import receivable as receivable_rules

INVOICE_TYPES = ("out_invoice", "out_receipt")
STATEMENT_REPORT_NAMES = (
    "debt_negotiation.report_statement",
    "debt_negotiation.report_case_statement",
)


class ReportStatement(models.AbstractModel):
    _name = "report.debt_negotiation.report_statement"
    _description = "Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        partners = self.env["res.partner"].browse(docids).commercial_partner_id
        company = self.env.company
        return {
            "doc_ids": partners.ids,
            "doc_model": "res.partner",
            "docs": partners,
            "statements": self._statements(partners, company),
        }

    @api.model
    def _open_items(self, partners, company):
        """The debtors' open receivable lines in ``company`` (read as the
        statement's reader: the debtor's statement is printed by someone
        allowed to see its invoices, or by the portal after its own check)."""
        return self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partners.ids),
                ("company_id", "=", company.id),
                ("account_id.account_type", "=", "asset_receivable"),
                ("parent_state", "=", "posted"),
                ("reconciled", "=", False),
                ("amount_residual", "!=", 0),
            ],
            order="date_maturity, date, id",
        )

    @api.model
    def _statement(self, partner, company):
        """``{"date", "currencies": [...], "cases"}``; one entry per currency:
        its items (invoices and credit notes, then unapplied payments), the
        totals, the ageing buckets and the bank account to pay to."""
        return self._statements(partner, company)[partner.id]

    @api.model
    def _statements(self, partners, company):
        """``{partner id: statement}`` of the debtors ``partners`` in
        ``company`` (see :meth:`_statement`): their open items and open
        cases read at once, not once per debtor (hundreds of statements are
        printed in one run)."""
        lines = defaultdict(list)
        wanted = set(partners.ids)
        for line in self._open_items(partners, company):
            # child_of: the line of a contact is on its parents' statements
            partner = line.partner_id
            while partner:
                if partner.id in wanted:
                    lines[partner.id].append(line)
                partner = partner.parent_id
        Case = self.env["debt.negotiation"].sudo()
        cases = Case.search(
            [
                ("partner_id", "in", partners.ids),
                ("company_id", "=", company.id),
                ("state", "in", OPEN_STATES),
            ]
        )
        case_ids = defaultdict(list)
        for case in cases:
            case_ids[case.partner_id.id].append(case.id)
        banks = {}
        return {
            partner.id: self._statement_of(
                partner,
                company,
                lines[partner.id],
                Case.browse(case_ids[partner.id]).with_prefetch(cases._prefetch_ids),
                banks,
            )
            for partner in partners
        }

    @api.model
    def _statement_of(self, partner, company, lines, cases, banks):
        """The statement of ``partner`` from its open ``lines`` and its open
        ``cases``; ``banks``: the accounts to pay to already looked up, by
        currency and the accounts the invoices name (filled here)."""
        today = fields.Date.context_today(self)
        by_currency = defaultdict(list)
        for line in lines:
            move = line.move_id
            kind = (
                "invoice"
                if move.move_type in INVOICE_TYPES
                else "credit_note"
                if move.move_type == "out_refund"
                else "payment"
            )
            due = line.date_maturity or line.date
            by_currency[line.currency_id].append(
                {
                    "line": line,
                    "move": move,
                    "kind": kind,
                    "date": move.invoice_date or line.date,
                    "due": due,
                    "days_late": (today - due).days,
                    "reference": move.payment_reference or move.name,
                    "original": line.amount_currency,
                    "open": line.amount_residual_currency,
                    "disputed": bool(move.negotiation_disputed),
                }
            )
        currencies = []
        for currency, items in sorted(by_currency.items(), key=lambda i: i[0].name):
            documents = [i for i in items if i["kind"] != "payment"]
            payments = [i for i in items if i["kind"] == "payment"]
            buckets = receivable_rules.aging_totals(
                (i["days_late"], i["open"]) for i in documents
            )
            currencies.append(
                {
                    "currency": currency,
                    "documents": documents,
                    "payments": payments,
                    "total_documents": currency.round(
                        sum(i["open"] for i in documents)
                    ),
                    "total_payments": currency.round(sum(i["open"] for i in payments)),
                    "balance": currency.round(sum(i["open"] for i in items)),
                    "overdue": currency.round(
                        sum(i["open"] for i in documents if i["days_late"] > 0)
                    ),
                    "buckets": {
                        key: currency.round(amount) for key, amount in buckets.items()
                    },
                    "bank": self._payment_account(company, currency, documents, banks),
                }
            )
        return {
            "partner": partner,
            "company": company,
            "date": today,
            "currencies": currencies,
            "cases": cases,
        }

    @api.model
    def _payment_account(self, company, currency, documents, banks):
        """The company's account to pay ``documents`` in ``currency`` to
        (``res.company._negotiation_payment_account``), looked up once per
        currency and accounts the invoices name (in ``banks``)."""
        invoices = self.env["account.move"].browse([i["move"].id for i in documents])
        key = (currency.id, tuple(invoices.sudo().partner_bank_id.ids))
        if key not in banks:
            banks[key] = company._negotiation_payment_account(currency, invoices)
        return banks[key]


class ReportCaseStatement(models.AbstractModel):
    """The statement of account of a case's debtor with the case's company
    (the case's print menu, the debtor's page)."""

    _name = "report.debt_negotiation.report_case_statement"
    _inherit = "report.debt_negotiation.report_statement"
    _description = "Statement of Account of a Case's Debtor"

    @api.model
    def _get_report_values(self, docids, data=None):
        cases = self.env["debt.negotiation"].browse(docids)
        statements = {}
        for company in cases.company_id:
            company_cases = cases.filtered(lambda c, co=company: c.company_id == co)
            by_partner = self._statements(company_cases.partner_id, company)
            for case in company_cases:
                statements[case.id] = by_partner[case.partner_id.id]
        return {
            "doc_ids": cases.ids,
            "doc_model": "debt.negotiation",
            "docs": cases,
            "statements": statements,
        }


def render_pdf_in_parallel(Report, report, res_ids, data=None):
    """The PDF of ``report`` for ``res_ids``, rendered in chunks by several
    wkhtmltopdf runs at once (the letters' runner, see
    ``debt_negotiation_letter_pdf``) and merged in order; ``None`` when
    Odoo's own run must do it (tests rendering HTML, no wkhtmltopdf, a
    chunk wkhtmltopdf failed on).

    The ORM stays in this thread: each chunk's HTML and command line are
    prepared here while the previous chunks are converted."""
    Letter = Report.env["debt.negotiation.letter"]
    if Letter._renders_html_only(Report) or Report.get_wkhtmltopdf_state() == "install":
        return None
    Report = Report.with_context(webp_as_jpg=True, debug=False)
    size = Letter._pdf_chunk_size(len(res_ids))
    binary = _get_wkhtmltopdf_bin()
    with ThreadPoolExecutor(
        max_workers=Letter._pdf_workers(), thread_name_prefix="dn_pdf"
    ) as pool:
        futures = []
        for start in range(0, len(res_ids), size):
            html = Report._render_qweb_html(
                report.report_name,
                res_ids[start : start + size],
                data=dict(data or {}, report_type="pdf"),
            )[0]
            bodies, _ids, header, footer, specific_args = report.with_context(
                debug=False
            )._prepare_html(html, report_model=report.model)
            command = Report._build_wkhtmltopdf_args(
                report.get_paperformat(),
                Report.env.context.get("landscape"),
                specific_paperformat_args=specific_args,
                set_viewport_size=Report.env.context.get("set_viewport_size"),
            )
            futures.append(
                Letter._pdf_submit(pool, [binary, *command], bodies, header, footer)
            )
        contents = []
        for future in futures:
            returncode, errors, content = future.result()
            if returncode not in (0, 1) or not content.startswith(b"%PDF"):
                return None
            if errors:
                _report_logger.warning("wkhtmltopdf: %s", errors)
            contents.append(content)
    streams = [io.BytesIO(content) for content in contents]
    if len(streams) == 1:
        return contents[0]
    with Report._merge_pdfs(streams) as merged:
        return merged.getvalue()
