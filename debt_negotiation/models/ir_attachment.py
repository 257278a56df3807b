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

    def _negotiation_letter_pdfs(self):
        """The attachments of ``self`` that are the stored PDF of a
        negotiation letter (technical superuser operations, e.g. moving
        the file store, are not restricted)."""
        if not self or self.env.su:
            return self.browse()
        letters = (
            self.env["debt.negotiation.letter"]
            .sudo()
            .search([("attachment_id", "in", self.ids)])
        )
        return letters.attachment_id

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
        if self._negotiation_letter_pdfs():
            raise UserError(
                self.env._(
                    "A negotiation letter is kept exactly as sent: its PDF cannot "
                    "be deleted."
                )
            )
