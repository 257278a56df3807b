# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from .debt_negotiation import OPEN_STATES


class AccountMove(models.Model):
    _inherit = "account.move"

    negotiation_ids = fields.Many2many(
        "debt.negotiation",
        "debt_negotiation_account_move_rel",
        "move_id",
        "negotiation_id",
        string="Negotiation Cases",
        copy=False,
        readonly=True,
        groups="debt_negotiation.group_negotiation_user",
    )
    negotiation_id = fields.Many2one(
        "debt.negotiation",
        compute="_compute_negotiation_id",
        store=True,
        index="btree_not_null",
        help="The open negotiation case holding this invoice.",
    )
    negotiation_stage_id = fields.Many2one(
        related="negotiation_id.stage_id", string="Negotiation Stage"
    )
    negotiation_state = fields.Selection(
        related="negotiation_id.state", string="Negotiation Status"
    )

    @api.depends("negotiation_ids.state")
    def _compute_negotiation_id(self):
        for move in self:
            cases = move.negotiation_ids.filtered(lambda c: c.state in OPEN_STATES)
            move.negotiation_id = cases.sorted("id")[-1:] or False

    def button_draft(self):
        res = super().button_draft()
        self._leave_open_negotiations()
        return res

    def button_cancel(self):
        res = super().button_cancel()
        self._leave_open_negotiations()
        return res

    def _leave_open_negotiations(self):
        """Invoices reset to draft or cancelled are no longer negotiated:
        take them out of their open cases, which only hold posted invoices
        (otherwise no invoice could be added to those cases any more)."""
        moves = self.sudo().filtered(lambda m: m.state != "posted")
        cases = moves.negotiation_ids.filtered(lambda c: c.state in OPEN_STATES)
        for case in cases:
            removed = case.invoice_ids & moves
            case.write(
                {"invoice_ids": [fields.Command.unlink(move.id) for move in removed]}
            )
            case.message_post(
                body=self.env._(
                    "Invoices no longer posted, removed from the negotiation: "
                    "%(moves)s",
                    moves=", ".join(removed.mapped("display_name")),
                )
            )

    def _negotiation_problems(self):
        """Return ``{problem: invoices}`` for invoices that cannot be
        negotiated."""
        today = fields.Date.context_today(self)
        problems = {
            "not_invoice": self.filtered(lambda m: m.move_type != "out_invoice"),
            "not_posted": self.filtered(
                lambda m: m.move_type == "out_invoice" and m.state != "posted"
            ),
        }
        valid = self - problems["not_invoice"] - problems["not_posted"]
        problems["paid"] = valid.filtered(
            lambda m: (
                m.currency_id.is_zero(m.amount_residual)
                or m.payment_state in ("paid", "in_payment", "reversed")
            )
        )
        problems["not_due"] = (valid - problems["paid"]).filtered(
            lambda m: not m.invoice_date_due or m.invoice_date_due >= today
        )
        return {key: moves for key, moves in problems.items() if moves}

    def action_start_negotiation(self):
        """Open (or extend) the debtor's negotiation case on these posted,
        overdue customer invoices and return an action showing it."""
        if not self:
            raise UserError(self.env._("Select at least one invoice."))
        problems = self._negotiation_problems()
        if problems:
            labels = {
                "not_invoice": self.env._(
                    "only customer invoices can be negotiated (not vendor bills, "
                    "credit notes or entries)"
                ),
                "not_posted": self.env._(
                    "draft or cancelled invoices cannot be negotiated"
                ),
                "paid": self.env._("these invoices are already paid"),
                "not_due": self.env._("these invoices are not overdue yet"),
            }
            raise UserError(
                self.env._("A negotiation cannot be started:")
                + "\n"
                + "\n".join(
                    "- %s: %s" % (labels[key], ", ".join(moves.mapped("display_name")))
                    for key, moves in problems.items()
                )
            )
        if len(self.company_id) > 1:
            raise UserError(
                self.env._(
                    "Invoices of different companies cannot share a case: "
                    "start one negotiation per company."
                )
            )
        if len(self.commercial_partner_id) > 1:
            raise UserError(
                self.env._(
                    "Invoices of different debtors cannot share a case: "
                    "start one negotiation per debtor (%(partners)s).",
                    partners=", ".join(self.commercial_partner_id.mapped("name")),
                )
            )
        if len(self.currency_id) > 1:
            raise UserError(
                self.env._("Invoices in different currencies cannot share a case.")
            )
        Negotiation = self.env["debt.negotiation"].with_company(self.company_id)
        case = Negotiation._open_case_for_invoices(self)
        return {
            "type": "ir.actions.act_window",
            "name": case.name,
            "res_model": "debt.negotiation",
            "res_id": case.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_negotiation(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "debt.negotiation",
            "res_id": self.negotiation_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
