# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models


class MailComposeMessage(models.TransientModel):
    _inherit = "mail.compose.message"

    def _action_send_mail(self, auto_commit=False):
        """A letter sent through the composer is marked sent."""
        result = super()._action_send_mail(auto_commit=auto_commit)
        letter_ids = self.env.context.get("debt_negotiation_letter_ids")
        if letter_ids and self.model == "debt.negotiation":
            self.env["debt.negotiation.letter"].browse(letter_ids).exists()._mark_sent()
        return result
