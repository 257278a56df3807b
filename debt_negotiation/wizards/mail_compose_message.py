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
            self._letters_really_sent(letter_ids)._mark_sent()
        return result

    def _letters_really_sent(self, letter_ids):
        """Of the letters ``letter_ids`` (a context key, which a client can
        forge), those of the cases written to whose PDF went out with this
        email: a letter is never marked sent without being sent."""
        sent_checksums = set(self.attachment_ids.sudo().mapped("checksum"))
        res_ids = set(self._evaluate_res_ids() or [])
        return (
            self.env["debt.negotiation.letter"]
            .browse(letter_ids)
            .exists()
            .filtered(
                lambda letter: (
                    letter.negotiation_id.id in res_ids
                    and letter.attachment_id.sudo().checksum in sent_checksums
                )
            )
        )
