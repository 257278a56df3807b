# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import DISPUTE_REASONS, OPEN_STATES
from .workflow import is_privileged

# Set by the negotiation's actions only.
WORKFLOW_FIELDS = {
    "negotiation_disputed",
    "negotiation_dispute_code",
    "negotiation_excluded",
}


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
    negotiation_courtesy_step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        string="Courtesy Reminder Sent",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The last reminder emailed on this invoice before its due date.",
    )
    negotiation_stage_id = fields.Many2one(
        related="negotiation_id.stage_id", string="Negotiation Stage"
    )
    negotiation_state = fields.Selection(
        related="negotiation_id.state", string="Negotiation Status"
    )

    negotiation_disputed = fields.Boolean(
        string="Disputed",
        readonly=True,
        copy=False,
        help="The debtor disputes this invoice within its negotiation case: "
        "it is left out of what the letters demand until the dispute is "
        "resolved.",
    )
    negotiation_dispute_code = fields.Selection(
        DISPUTE_REASONS, string="Dispute Reason", readonly=True, copy=False
    )
    negotiation_excluded = fields.Boolean(
        string="Removed from Negotiation",
        readonly=True,
        copy=False,
        help="A user took this invoice out of its negotiation case: the "
        "auto-open setting does not put it back.",
    )

    @api.depends("negotiation_ids.state")
    def _compute_negotiation_id(self):
        for move in self:
            cases = move.negotiation_ids.filtered(lambda c: c.state in OPEN_STATES)
            move.negotiation_id = cases.sorted("id")[-1:] or False

    def write(self, vals):
        if WORKFLOW_FIELDS & set(vals) and not is_privileged(self):
            raise UserError(
                self.env._(
                    "An invoice is disputed or cleared through its negotiation "
                    "case (Dispute, Resolve Dispute), not by a direct edit."
                )
            )
        return super().write(vals)

    def button_draft(self):
        agreed = self._agreed_residuals()
        res = super().button_draft()
        self._leave_negotiations(agreed)
        return res

    def button_cancel(self):
        agreed = self._agreed_residuals()
        res = super().button_cancel()
        self._leave_negotiations(agreed)
        return res

    def _agreed_residuals(self):
        """The agreements in force that cover some of these invoices, and
        what each of those invoices still owes, read before they are reset
        or cancelled: ``(agreements, {move_id: open amount})``."""
        agreements = self.env["debt.negotiation.agreement"]._in_force_covering(self)
        moves = (agreements.invoice_ids & self).sudo()
        return agreements, {move.id: move.amount_residual for move in moves}

    def _leave_negotiations(self, agreed):
        """Invoices reset to draft or cancelled leave their open cases and
        the agreements that covered them (``agreed``: as read by
        :meth:`_agreed_residuals`): what was due at the agreement is reduced
        by what they still owed, so their vanished balance never counts as
        a payment; a re-issued invoice is new debt. An agreement whose
        remaining invoices are paid then ends (see the agreement monitor)."""
        self._leave_open_negotiations()
        agreements, residuals = agreed
        moves = self.filtered(lambda m: m.state != "posted" and m.id in residuals)
        if moves:
            agreements._remove_invoices(moves, residuals)

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

    # ------------------------------------------------------------------
    # Negotiation eligibility: the one place that says which invoices a
    # case may hold, for starting a negotiation and for the case itself.
    # ------------------------------------------------------------------
    def _negotiation_mismatches(self, partner, company, currency):
        """Return ``{problem: invoices}`` for invoices that cannot belong to
        a case of ``partner``, ``company`` and ``currency``: wrong kind of
        move, not posted, another debtor, company or currency."""
        problems = {
            "not_invoice": self.filtered(lambda m: m.move_type != "out_invoice"),
            "not_posted": self.filtered(
                lambda m: m.move_type == "out_invoice" and m.state != "posted"
            ),
            "other_debtor": self.filtered(lambda m: m.commercial_partner_id != partner),
            "other_company": self.filtered(lambda m: m.company_id != company),
            "other_currency": self.filtered(lambda m: m.currency_id != currency),
        }
        return {key: moves for key, moves in problems.items() if moves}

    def _negotiation_problems(self):
        """Return ``{problem: invoices}`` for invoices that cannot start or
        join a negotiation: the mismatches of :meth:`_negotiation_mismatches`
        against the first invoice, plus paid and not yet overdue ones."""
        first = self[:1]
        problems = self._negotiation_mismatches(
            first.commercial_partner_id, first.company_id, first.currency_id
        )
        valid = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        today = fields.Date.context_today(self)
        paid = valid.filtered(
            lambda m: (
                m.currency_id.is_zero(m.amount_residual)
                or m.payment_state in ("paid", "in_payment", "reversed")
            )
        )
        not_due = (valid - paid).filtered(
            lambda m: not m.invoice_date_due or m.invoice_date_due >= today
        )
        problems.update({"paid": paid, "not_due": not_due})
        return {key: moves for key, moves in problems.items() if moves}

    def _negotiation_problem_message(self, problems, intro):
        """One translated message listing ``problems`` (as returned by the
        two methods above), each with the invoices concerned."""
        labels = {
            "not_invoice": self.env._(
                "only customer invoices can be negotiated (not vendor bills, "
                "credit notes or entries)"
            ),
            "not_posted": self.env._(
                "draft or cancelled invoices cannot be negotiated"
            ),
            "other_debtor": self.env._(
                "invoices of different debtors cannot share a case: start one "
                "negotiation per debtor"
            ),
            "other_company": self.env._(
                "invoices of different companies cannot share a case: start one "
                "negotiation per company"
            ),
            "other_currency": self.env._(
                "invoices in different currencies cannot share a case"
            ),
            "paid": self.env._("these invoices are already paid"),
            "not_due": self.env._("these invoices are not overdue yet"),
        }
        return "\n".join(
            [intro]
            + [
                "- %s: %s" % (labels[key], ", ".join(moves.mapped("display_name")))
                for key, moves in problems.items()
            ]
        )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_start_negotiation(self):
        """Open (or extend) the debtor's negotiation case on these posted,
        overdue customer invoices and return an action showing it."""
        if not self:
            raise UserError(self.env._("Select at least one invoice."))
        problems = self._negotiation_problems()
        if problems:
            raise UserError(
                self._negotiation_problem_message(
                    problems, self.env._("A negotiation cannot be started:")
                )
            )
        Negotiation = self.env["debt.negotiation"].with_company(self.company_id)
        case = Negotiation._open_case_for_invoices(self)
        # the case shows at once what the follow-ups do next, and when
        case._show_next_followup()
        return {
            "type": "ir.actions.act_window",
            "name": case.name,
            "res_model": "debt.negotiation",
            "res_id": case.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    def action_open_start_negotiation(self):
        """ "Start Negotiation" (invoice button, list action): when the
        debtor owes other overdue invoices of the same company and currency
        outside any case, offer to add them (on by default), so that the
        case and its letters claim what is overdue; else start at once."""
        if not self:
            raise UserError(self.env._("Select at least one invoice."))
        problems = self._negotiation_problems()
        if problems:
            raise UserError(
                self._negotiation_problem_message(
                    problems, self.env._("A negotiation cannot be started:")
                )
            )
        others = self._negotiation_other_overdue()
        if not others:
            return self.action_start_negotiation()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Start Negotiation"),
            "res_model": "debt.negotiation.start.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_invoice_ids": [fields.Command.set(self.ids)],
                "default_other_invoice_ids": [fields.Command.set(others.ids)],
                "default_partner_id": self.commercial_partner_id[:1].id,
                "default_currency_id": self.currency_id[:1].id,
            },
        }

    def _negotiation_other_overdue(self):
        """The debtor's other posted, overdue, unpaid customer invoices of
        the same company and currency as these, in no open case and not
        taken out of one on purpose."""
        first = self[:1]
        return self.search(
            [
                ("id", "not in", self.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("commercial_partner_id", "=", first.commercial_partner_id.id),
                ("company_id", "=", first.company_id.id),
                ("currency_id", "=", first.currency_id.id),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
                ("payment_state", "not in", ("paid", "in_payment", "reversed")),
                ("amount_residual", ">", 0),
                ("negotiation_id", "=", False),
                ("negotiation_excluded", "=", False),
            ],
            order="invoice_date_due, id",
        )

    def action_open_negotiation(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "debt.negotiation",
            "res_id": self.negotiation_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_print_negotiation_letter(self):
        """ "Current Letter" (Print menu of invoices): the letter of the
        current step of these invoices' cases, as the case's own action
        (generated now and checked, unless one was today)."""
        Letter = self.env["debt.negotiation.letter"]
        return Letter._cases_of_invoices(self).action_print_current_letter()
