# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtNegotiationInteraction(models.Model):
    _name = "debt.negotiation.interaction"
    _description = "Debt Negotiation Interaction"
    _inherit = ["mail.thread", "debt.negotiation.evidence.mixin"]
    _order = "date desc, id desc"
    _rec_name = "summary"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="negotiation_id.partner_id",
        store=True,
        string="Debtor",
        precompute=True,
    )
    date = fields.Datetime(
        required=True, default=fields.Datetime.now, index=True, tracking=True
    )
    channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("letter", "Letter"),
            ("meeting", "Meeting"),
            ("portal", "Portal"),
            ("other", "Other"),
        ],
        required=True,
        default="phone",
        tracking=True,
    )
    direction = fields.Selection(
        [("inbound", "Inbound"), ("outbound", "Outbound")],
        required=True,
        default="outbound",
        tracking=True,
    )
    counterpart = fields.Selection(
        [("debtor", "Debtor"), ("agency", "Collection Agency or Lawyer")],
        string="With",
        required=True,
        default="debtor",
        tracking=True,
        help="Whom the contact was with: the debtor, or the agency or law "
        "firm the claim was handed over to (its reports are logged here).",
    )
    contact_name = fields.Char(
        string="Spoke With", help="Who was spoken with or written to.", tracking=True
    )
    summary = fields.Text(required=True, help="What was said.", tracking=True)
    outcome = fields.Selection(
        [
            ("no_answer", "No Answer"),
            ("promise", "Promise to Pay"),
            ("counter_offer", "Counter-offer"),
            ("clarification", "Clarification Asked"),
            ("dispute", "Dispute"),
            ("agreement", "Agreement"),
            ("refusal", "Refusal"),
            ("other", "Other"),
        ],
        default="other",
        tracking=True,
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id")
    promise_ids = fields.One2many("debt.negotiation.promise", "interaction_id")
    promise_date = fields.Date(
        string="Promised Payment Date",
        tracking=True,
        help="Outcome Promise to Pay: the date by which the debtor promised to pay.",
    )
    promise_amount = fields.Monetary(
        string="Promised Amount",
        tracking=True,
        help="Outcome Promise to Pay: the amount the debtor promised to pay.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Logged By",
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
    )
    mark_case_disputed = fields.Boolean(
        string="Put the Case in Dispute",
        store=False,
        help="With the outcome Dispute: put the case in dispute, which "
        "pauses the automatic follow-ups.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        to_dispute = [
            bool(
                vals.pop("mark_case_disputed", False)
                and vals.get("outcome") == "dispute"
            )
            for vals in vals_list
        ]
        # The log is evidence: its edits are tracked (mail.thread), not its
        # creation, which is the record itself (and costs no query per row
        # when the follow-ups log thousands of letters).
        interactions = (
            super(DebtNegotiationInteraction, self.with_context(tracking_disable=True))
            .create(vals_list)
            .with_env(self.env)
        )
        for interaction, dispute in zip(interactions, to_dispute, strict=True):
            case = interaction.negotiation_id
            if dispute and case.state != "disputed":
                case._set_disputed(interaction.summary)
        interactions._create_promises()
        interactions._evidence_seal()
        return interactions

    def _evidence_payload(self):
        self.ensure_one()
        return {
            "case": self.negotiation_id.id,
            "date": self.date,
            "channel": self.channel,
            "direction": self.direction,
            "counterpart": self.counterpart,
            "contact_name": self.contact_name or "",
            "summary": self.summary or "",
            "outcome": self.outcome or "",
            "user": self.user_id.id or False,
            "promise_date": self.promise_date or False,
            "promise_amount": self._evidence_amount(
                self.promise_amount, self.currency_id
            )
            if self.promise_amount
            else "0",
        }

    def _evidence_description(self):
        self.ensure_one()
        summary = (self.summary or "").strip()
        if len(summary) > 200:
            summary = summary[:199] + "\u2026"
        return self.env._("Interaction: %(summary)s", summary=summary)

    def _evidence_user(self):
        self.ensure_one()
        return self.user_id or self.create_uid

    def _create_promises(self):
        """A contact in which the debtor promised to pay (outcome ``promise``
        with its date and amount) creates the promise, held to by the
        follow-ups and the daily check."""
        promised = self.filtered(
            lambda i: i.outcome == "promise" and i.promise_date and i.promise_amount
        )
        if promised:
            self.env["debt.negotiation.promise"].create(
                [
                    {
                        "negotiation_id": interaction.negotiation_id.id,
                        "promised_on": fields.Date.context_today(
                            interaction, interaction.date
                        ),
                        "date": interaction.promise_date,
                        "amount": interaction.promise_amount,
                        "interaction_id": interaction.id,
                        "note": interaction.summary,
                    }
                    for interaction in promised
                ]
            )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_evidence(self):
        if not self.env.is_superuser():
            raise UserError(
                self.env._(
                    "The interaction log is the evidence of the negotiation: "
                    "interactions cannot be deleted. Correct them instead; "
                    "every change is kept in their history."
                )
            )
