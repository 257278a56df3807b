# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models

from ..models.debt_negotiation_dossier import (
    SUMMARY_INPUTS_KEY,
    SummaryInputs,
)


class ReportEvidenceSummary(models.AbstractModel):
    """The summary of a case's evidence (the dossier's summary PDF): only
    for the managers and the case's negotiator, like the dossier."""

    _name = "report.debt_negotiation.report_evidence_summary"
    _description = "Evidence Summary of a Negotiation Case"

    @api.model
    def _get_report_values(self, docids, data=None):
        cases = self.env["debt.negotiation"].browse(docids)
        cases._check_evidence_access()
        computed = (data or {}).get(SUMMARY_INPUTS_KEY)
        if not isinstance(computed, SummaryInputs):
            computed = {}
        Dossier = self.env["debt.negotiation.dossier"]
        return {
            "doc_ids": cases.ids,
            "doc_model": "debt.negotiation",
            "docs": cases,
            "evidence": {
                case.id: Dossier._summary_values(case, **computed.get(case.id, {}))
                for case in cases
            },
        }
