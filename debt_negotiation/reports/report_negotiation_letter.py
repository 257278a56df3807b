# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""HTML rendering of the letter reports printed from cases and invoices.

The PDF of these reports is the stored PDF of a letter record (see
``ir.actions.report._render_qweb_pdf``); their HTML rendering (preview,
tests) shows the letter as it would be generated now, without saving it.
"""

from odoo import api, models


class ReportCaseNegotiationLetter(models.AbstractModel):
    _name = "report.debt_negotiation.report_case_negotiation_letter"
    _description = "Negotiation Letter of a Case"

    @api.model
    def _get_cases(self, docids):
        return self.env["debt.negotiation"].browse(docids)

    @api.model
    def _get_report_values(self, docids, data=None):
        # The letter the PDF would print: the case's current step, whatever
        # the request asks.
        cases = self._get_cases(docids)
        return {
            "doc_ids": cases.ids,
            "doc_model": "debt.negotiation.letter",
            "docs": cases._preview_letters(),
        }


class ReportInvoiceNegotiationLetter(models.AbstractModel):
    _name = "report.debt_negotiation.report_invoice_negotiation_letter"
    _inherit = "report.debt_negotiation.report_case_negotiation_letter"
    _description = "Negotiation Letter of an Invoice's Case"

    @api.model
    def _get_cases(self, docids):
        invoices = self.env["account.move"].browse(docids)
        return self.env["debt.negotiation.letter"]._cases_of_invoices(invoices)


class ReportAgreementLetter(models.AbstractModel):
    _name = "report.debt_negotiation.report_agreement_letter"
    _description = "Agreement Confirmation Letter of a Case"

    @api.model
    def _get_report_values(self, docids, data=None):
        Letter = self.env["debt.negotiation.letter"]
        letters = Letter
        for case in self.env["debt.negotiation"].browse(docids):
            letter = Letter._agreement_letter_of(case)
            letters |= letter or case._preview_letters("agreement")
        return {
            "doc_ids": docids,
            "doc_model": "debt.negotiation.letter",
            "docs": letters,
        }
