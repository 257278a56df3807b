# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from ..reports.report_statement import STATEMENT_REPORT_NAMES, render_pdf_in_parallel
from .debt_negotiation_letter import LETTER_REPORT

LETTER_REPORT_NAME = "debt_negotiation.report_negotiation_letter"
# Reports printed from a case or an invoice: they print the stored PDF of a
# letter record, never generate one (see debt.negotiation.letter's
# _letters_to_print; "Current Letter" is the explicit generation).
CASE_REPORT_NAMES = {
    "debt_negotiation.report_case_negotiation_letter": "case",
    "debt_negotiation.report_invoice_negotiation_letter": "invoice",
    "debt_negotiation.report_agreement_letter": "agreement",
}


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    def retrieve_attachment(self, record):
        # A letter's PDF is the attachment linked to it, whatever its name.
        if (
            self.report_name == LETTER_REPORT_NAME
            and record._name == "debt.negotiation.letter"
        ):
            return record.attachment_id.sudo() or None
        return super().retrieve_attachment(record)

    def _render_qweb_pdf(self, report_ref, res_ids=None, data=None):
        report = self._get_report(report_ref)
        if isinstance(res_ids, int):
            res_ids = [res_ids]
        if report.report_name == LETTER_REPORT_NAME and res_ids:
            # The stored PDFs, generated once; never rendered again.
            letters = self.env["debt.negotiation.letter"].browse(res_ids)
            return letters._get_stored_documents()
        kind = CASE_REPORT_NAMES.get(report.report_name)
        if kind and res_ids:
            letters = self.env["debt.negotiation.letter"]._letters_to_print(
                kind, self.env[report.model].browse(res_ids)
            )
            return self._render_qweb_pdf(LETTER_REPORT, letters.ids, data=data)
        if report.report_name in STATEMENT_REPORT_NAMES and res_ids:
            # many statements at once: several wkhtmltopdf runs in parallel
            content = render_pdf_in_parallel(self, report, res_ids, data=data)
            if content is not None:
                return content, "pdf"
        return super()._render_qweb_pdf(report_ref, res_ids=res_ids, data=data)
