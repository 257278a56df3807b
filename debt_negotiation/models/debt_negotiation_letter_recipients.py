# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Who a letter was emailed to, when its follow-up step chose the
recipients by role or copied someone (issue 27, point 3)."""

from odoo import Command, fields, models

from .workflow import workflow


# Satellite file of the letter model, one concern per file.
class DebtNegotiationLetter(models.Model):
    _inherit = "debt.negotiation.letter"  # pylint: disable=consider-merging-classes-inherited

    recipient_ids = fields.Many2many(
        "res.partner",
        "debt_negotiation_letter_recipient_rel",
        "letter_id",
        "partner_id",
        string="Addressed To",
        readonly=True,
        copy=False,
        help="Everyone the letter was emailed to: the contact of the step's "
        "role and those it copied. Empty: the case's letters recipient.",
    )

    def _record_recipients(self, step):
        """Record who each of these letters of follow-up ``step`` goes to,
        when the step chooses them (a role, a copy); its email then goes to
        them."""
        if not (
            step.recipient_role not in (False, "invoice")
            or step.cc_role
            or step.cc_salesperson
        ):
            return
        for letter in self:
            to, cc = letter.negotiation_id._letter_recipients(step)
            workflow(letter).write({"recipient_ids": [Command.set((to | cc).ids)]})

    def _email_partner_values(self):
        """The composer's recipients of this letter's email, when recorded
        (else the template's)."""
        self.ensure_one()
        if not self.recipient_ids:
            return {}
        return {"partner_ids": [Command.set(self.recipient_ids.ids)]}
