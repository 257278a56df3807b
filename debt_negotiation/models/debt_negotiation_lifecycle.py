# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Paid means closed: a case whose invoices are all paid is settled."""

from odoo import api, fields, models
from odoo.tools import split_every

from .workflow import workflow as _workflow

# States a case can be settled from by its debtor paying everything; a case
# under agreement is settled by the agreement's fulfilment (write-off).
PAYABLE_STATES = ("open", "disputed", "broken", "escalated")


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _paid_cases_domain(self, company_ids=None):
        """Cases whose posted invoices are all paid (nothing is due), in a
        state the debtor's payment closes."""
        domain = [
            ("state", "in", PAYABLE_STATES),
            ("invoice_ids", "!=", False),
            ("invoice_ids", "not any", [("state", "!=", "posted")]),
            ("amount_due", "<=", 0),
        ]
        if company_ids:
            domain.append(("company_id", "in", list(company_ids)))
        return domain

    @api.model
    def _settle_paid_cases(self, company_ids=None, batch_size=500):
        """Settle every case whose invoices are all paid (both crons call
        this): no letter, offer or step follows a paid debt. Idempotent: a
        settled case is no longer selected. By batches, each case apart
        when its batch fails (noted on that case, the others settled).

        :return: the number of cases settled
        """
        Run = self.env["debt.negotiation.run"]
        cases = self.sudo().search(self._paid_cases_domain(company_ids), order="id")
        settled = 0
        for batch in split_every(batch_size, cases.ids, self.sudo().browse):
            settled += sum(
                Run._isolated(
                    batch,
                    lambda cases: len(cases._settle_paid()),
                    lambda case, error: Run._fail(case, "settle", error),
                    label="Settlement of paid cases",
                )
            )
            # keep the memory flat: forget the batch
            self.env.invalidate_all()
        return settled

    def _settle_paid(self):
        """Settle these cases, paid in full: the open offers are withdrawn,
        an agreement still awaiting the debtor's signature is cancelled,
        the follow-ups stop, and the chatter says why."""
        cases = self.filtered(
            lambda c: (
                c.state in PAYABLE_STATES
                and c.invoice_ids
                and c.currency_id.is_zero(c.amount_due)
            )
        )
        if not cases:
            return cases
        today = fields.Date.context_today(self)
        cases.agreement_ids._cancel_unsigned(
            self.env._("The debt was paid in full before the agreement was signed.")
        )
        cases.offer_ids.filtered(
            lambda o: o.state in ("draft", "proposed")
        )._write_workflow({"state": "withdrawn", "answered_date": today})
        _workflow(cases).write(
            {
                "state": "settled",
                "response_deadline": False,
                "next_action_date": False,
                "next_step_id": False,
                # nothing is left for the scheduled runs to do
                "followup_error": False,
                "monitor_error": False,
            }
        )
        for case in cases:
            case.message_post(
                body=self.env._(
                    "Every invoice of this case is paid: the case is settled. "
                    "No further demand letter or follow-up step will be sent."
                )
            )
        cases._send_closure_letters()
        return cases
