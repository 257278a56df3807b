# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from .debt_negotiation_letter import LETTER_TYPES


class DebtNegotiationFollowupPreview(models.TransientModel):
    """What the next follow-up run will do, line by line.

    The lines are computed by the very decision code of the cron
    (``debt.negotiation._followup_decide``) each time the preview is opened,
    so the preview cannot drift from what the run does.
    """

    _name = "debt.negotiation.followup.preview"
    _description = "Debt Negotiation Follow-up Preview"
    _order = "action, step_sequence, oldest_due_date, id"

    action = fields.Selection(
        [
            ("step", "Run Step"),
            ("open", "Open Case"),
            ("skip", "Skipped"),
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
        [("post", "Post"), ("email", "Email"), ("both", "Post and Email")],
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

    @api.model
    def action_open(self):
        """Compute the preview of the next run and open it."""
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        Negotiation = self.env["debt.negotiation"]
        lines = self.create(Negotiation._followup_preview_values())
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

    @api.model
    def action_run_now(self):
        """Run the follow-ups now (managers), then show what is left."""
        self.env["debt.negotiation"].action_run_followups_now()
        return self.action_open()
