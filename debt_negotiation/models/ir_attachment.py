# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import UserError

# Changing these would change (or detach) the document.
PROTECTED_FIELDS = {
    "datas",
    "raw",
    "db_datas",
    "store_fname",
    "url",
    "type",
    "res_model",
    "res_id",
}


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _negotiation_letter_pdfs(self, even_superuser=False):
        """The attachments of ``self`` that are the stored PDF of a
        negotiation letter. Technical superuser writes (e.g. moving the file
        store) are not restricted, unless ``even_superuser``."""
        if not self or (self.env.su and not even_superuser):
            return self.browse()
        letters = (
            self.env["debt.negotiation.letter"]
            .sudo()
            .search([("attachment_id", "in", self.ids)])
        )
        return letters.attachment_id

    def _negotiation_mail_copy(self):
        """A copy of these documents to attach to an email: the message owns
        the copies (deleting the message deletes them), the letter or the
        case keeps its own."""
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": attachment.name,
                        "raw": attachment.raw,
                        "mimetype": attachment.mimetype,
                        "res_model": "mail.compose.message",
                        "res_id": 0,
                    }
                    for attachment in self.sudo()
                ]
            )
            .with_env(self.env)
        )

    def write(self, vals):
        if PROTECTED_FIELDS & set(vals) and self._negotiation_letter_pdfs():
            raise UserError(
                self.env._(
                    "A negotiation letter is kept exactly as sent: its PDF cannot "
                    "be changed."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_negotiation_letter(self):
        # also in sudo: deleting a chatter message deletes its attachments
        # as superuser, and a letter's PDF must survive that
        if self._negotiation_letter_pdfs(even_superuser=True):
            raise UserError(
                self.env._(
                    "A negotiation letter is kept exactly as sent: its PDF cannot "
                    "be deleted."
                )
            )
