# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.tools import split_every

from ..const import CHASING_STATES, FOLLOWUP_CHANNELS, LETTER_TYPES


class DebtNegotiationFollowupPreview(models.TransientModel):
    """What the next follow-up run will do, line by line.

    The lines are computed by the very decision code of the cron
    (``debt.negotiation.followup.engine._decide``) each time the preview is
    opened, so the preview cannot drift from what the run does.
    """

    _name = "debt.negotiation.followup.preview"
    _description = "Debt Negotiation Follow-up Preview"
    _order = "action, step_sequence, oldest_due_date, id"

    action = fields.Selection(
        [
            ("step", "Run Step"),
            ("open", "Open Case"),
            ("skip", "Skipped"),
            ("failed", "Failed"),
        ],
        required=True,
        readonly=True,
    )
    negotiation_id = fields.Many2one("debt.negotiation", string="Case", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Debtor", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Negotiator", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    amount_due = fields.Monetary(readonly=True)
    oldest_due_date = fields.Date(readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)
    step_id = fields.Many2one("debt.negotiation.followup.step", readonly=True)
    step_sequence = fields.Integer(readonly=True)
    letter_type = fields.Selection(LETTER_TYPES, readonly=True)
    channel = fields.Selection(
        FOLLOWUP_CHANNELS,
        readonly=True,
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type", string="Activity", readonly=True
    )
    stage_id = fields.Many2one(
        "debt.negotiation.stage", string="New Stage", readonly=True
    )
    escalate = fields.Boolean(readonly=True)
    response_deadline = fields.Date(string="New Response Deadline", readonly=True)
    next_step_id = fields.Many2one(
        "debt.negotiation.followup.step", string="Announced Next Step", readonly=True
    )
    next_action_date = fields.Date(string="Announced Next Date", readonly=True)
    problem = fields.Char(readonly=True)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    @api.model
    def action_open(self):
        """Compute the preview of the next run and open it."""
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        lines = self.create(self._prepare_lines())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Follow-ups Due Today"),
            "res_model": self._name,
            "view_mode": "list,form",
            "views": [
                (
                    self.env.ref(
                        "debt_negotiation.view_debt_negotiation_followup_preview_list"
                    ).id,
                    "list",
                ),
                (False, "form"),
            ],
            "search_view_id": [
                self.env.ref(
                    "debt_negotiation.view_debt_negotiation_followup_preview_search"
                ).id
            ],
            "domain": [("id", "in", lines.ids)],
            "context": {"create": False, "edit": False, "delete": False},
            "target": "current",
        }

    def action_run_now(self):
        """Run the follow-ups now (managers), then show what is left. A
        list-header button: the web client calls it on the selected lines
        (or none); they do not matter, the run covers every case due."""
        self.env["debt.negotiation.followup.engine"]._run_now()
        return self.action_open()

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _prepare_lines(self):
        """Values of the preview lines of the user's companies: the debtors
        the next run puts under negotiation, then the cases it executes a
        step on (or skips), as the run's own decision code decides."""
        Engine = self.env["debt.negotiation.followup.engine"]
        today = fields.Date.context_today(self)
        Move = self.env["account.move"].sudo()
        vals_list = [
            self._prepare_open_line(company, partner, currency, Move.browse(move_ids))
            for company, partner, currency, move_ids in Engine._auto_open_groups(
                today, self.env.companies
            )
        ]
        vals_list += self._prepare_ladder_missing_lines()
        Case = self.env["debt.negotiation"]
        case_ids = Case.search(Engine._candidate_domain(today), order="id").ids
        for batch_ids in split_every(Engine._batch_size(), case_ids):
            for decision in Engine._decide(Case.browse(batch_ids), today):
                if decision.step:
                    problem = Engine._step_problem(decision.case, decision.step)
                    vals = self._prepare_step_line(decision, problem)
                    # the step runs, but cannot send everything: say what
                    vals["problem"] = problem or Engine._step_shortfall(
                        decision.case, decision.step
                    )
                    vals_list.append(vals)
        listed = {vals.get("negotiation_id") for vals in vals_list}
        vals_list += self._prepare_failed_lines(listed)
        return vals_list

    @api.model
    def _prepare_failed_lines(self, listed_case_ids):
        """A line for each case of the user's companies that a scheduled
        run (the follow-ups or the agreement check) could not handle, with
        why, unless the case is listed already (``listed_case_ids``)."""
        cases = self.env["debt.negotiation"].search(
            [
                "|",
                ("followup_error", "!=", False),
                ("monitor_error", "!=", False),
                ("company_id", "in", self.env.companies.ids),
            ],
            order="id",
        )
        return [
            {
                "action": "failed",
                "negotiation_id": case.id,
                "partner_id": case.partner_id.id,
                "company_id": case.company_id.id,
                "user_id": case.user_id.id,
                "currency_id": case.currency_id.id,
                "amount_due": case.amount_due,
                "oldest_due_date": case.oldest_due_date,
                "invoice_count": case.invoice_count,
                "problem": "; ".join(
                    error
                    for error in (case.followup_error, case.monitor_error)
                    if error
                ),
            }
            for case in cases
            if case.id not in listed_case_ids
        ]

    @api.model
    def _prepare_ladder_missing_lines(self):
        """A warning line for each of the user's companies that has cases to
        chase but no active follow-up step: none of them gets a follow-up."""
        Case = self.env["debt.negotiation"]
        vals_list = []
        for company in self.env.companies._negotiation_ladder_missing():
            cases = Case.search_count(
                [("company_id", "=", company.id), ("state", "in", CHASING_STATES)]
            )
            if not cases:
                continue
            vals_list.append(
                {
                    "action": "skip",
                    "company_id": company.id,
                    "problem": self.env._(
                        "%(company)s has no active follow-up step: its "
                        "%(count)s cases get no follow-up. Set up its steps in "
                        "Configuration > Follow-up Steps.",
                        company=company.name,
                        count=cases,
                    ),
                }
            )
        return vals_list

    @api.model
    def _prepare_open_line(self, company, partner, currency, invoices):
        """Values of the line of a debtor whose ``invoices`` the run puts
        under negotiation."""
        return {
            "action": "open",
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": currency.id,
            "amount_due": sum(invoices.mapped("amount_residual")),
            "invoice_count": len(invoices),
            "oldest_due_date": min(invoices.mapped("invoice_date_due")),
        }

    @api.model
    def _prepare_step_line(self, decision, problem):
        """Values of the line of a case whose step the run executes, or
        skips because of ``problem``."""
        case, step = decision.case, decision.step
        return {
            "action": "skip" if problem else "step",
            "negotiation_id": case.id,
            "partner_id": case.partner_id.id,
            "company_id": case.company_id.id,
            "user_id": case.user_id.id,
            "currency_id": case.currency_id.id,
            "amount_due": case.amount_due,
            "oldest_due_date": case.oldest_due_date,
            "invoice_count": case.invoice_count,
            "step_id": step.id,
            "step_sequence": step.sequence,
            "letter_type": step.letter_type,
            "channel": step.channel if step.letter_type else False,
            "activity_type_id": step.activity_type_id.id,
            "stage_id": step.stage_id.id,
            "escalate": step.escalate,
            "response_deadline": step.letter_type and decision.deadline,
            "next_step_id": decision.next_step.id,
            "next_action_date": decision.next_date,
            "problem": problem,
        }
