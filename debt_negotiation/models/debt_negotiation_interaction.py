# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from ..const import MANAGER_GROUP
from .debt_negotiation_evidence_mixin import EVIDENCE_VERSION
from .workflow import is_privileged


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
        string="Happened On",
        required=True,
        default=fields.Datetime.now,
        index=True,
        tracking=True,
        help="When the contact took place; when it was logged is its "
        "creation date (Logged On).",
    )
    channel = fields.Selection(
        [
            ("phone", "Phone"),
            ("email", "Email"),
            ("letter", "Letter"),
            ("meeting", "Meeting"),
            ("portal", "Portal"),
            ("sms", "SMS"),
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
        help="The user who recorded the contact (empty: the debtor, online).",
    )
    client_address = fields.Char(
        string="Sent From",
        readonly=True,
        index="btree_not_null",
        groups=MANAGER_GROUP,
        help="The debtor's answers online: the address (IP) they came from, "
        "which paces them (a few answers a day).",
    )
    mark_case_disputed = fields.Boolean(
        string="Put the Case in Dispute",
        store=False,
        help="With the outcome Dispute: put the case in dispute, which "
        "pauses the automatic follow-ups.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            for vals in vals_list:
                self._check_client_vals(vals)
                vals["user_id"] = self.env.uid
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

    def write(self, vals):
        if not is_privileged(self):
            if "user_id" in vals and any(
                interaction.user_id.id != vals["user_id"] for interaction in self
            ):
                self._refuse_author()
            kind = ("channel", "direction", "outcome")
            for interaction in self if set(kind) & set(vals) else ():
                before = {name: interaction[name] for name in kind}
                after = dict(before, **{n: vals[n] for n in kind if n in vals})
                if after != before:
                    self._check_client_vals(
                        after, was_portal=before["channel"] == "portal"
                    )
        return super().write(vals)

    def _check_client_vals(self, vals, was_portal=False):
        """Refuse what a client may not log itself (the values ``vals`` of
        an interaction it creates or edits): another user's name, the
        debtor's own channel (the portal), or the debtor's agreement, which
        only the agreement's confirmation and the debtor's page record."""
        if vals.get("user_id", self.env.uid) != self.env.uid:
            self._refuse_author()
        if (vals.get("channel") == "portal") != was_portal:
            raise UserError(
                self.env._(
                    "Contacts through the debtor's page are logged by the page "
                    "itself: an interaction cannot be logged as, or turned "
                    "into one, by hand."
                )
            )
        if vals.get("direction") == "inbound" and vals.get("outcome") == "agreement":
            raise UserError(
                self.env._(
                    "The debtor's agreement is recorded by confirming the "
                    "offer (Accept), or by the debtor signing online: log the "
                    "contact with another outcome, then confirm the offer."
                )
            )

    def _refuse_author(self):
        raise UserError(
            self.env._(
                "An interaction is logged in the name of the user who records "
                "it: it cannot be logged, or rewritten, in someone else's name."
            )
        )

    def _evidence_payload(self, version=EVIDENCE_VERSION):
        self.ensure_one()
        payload = {
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
        if version >= 2:
            # who recorded it, whatever "Logged By" says
            payload["recorded_by"] = self.create_uid.id or False
        return payload

    def _timeline_text(self):
        """What the dossier's timeline says of the contact: its summary,
        who it was with, and when it was logged if well after."""
        self.ensure_one()
        text = self.summary or ""
        if self.contact_name:
            text = self.env._(
                "%(summary)s (with %(contact)s)",
                summary=text,
                contact=self.contact_name,
            )
        if self._logged_later():
            text = self.env._(
                "%(summary)s (logged on %(logged)s)",
                summary=text,
                logged=format_datetime(self.env, self.create_date, dt_format="short"),
            )
        return text

    def _logged_later(self):
        """Whether the contact was logged well after it happened (by more
        than an hour): then both dates are shown."""
        self.ensure_one()
        return bool(
            self.date
            and self.create_date
            and self.create_date - self.date > timedelta(hours=1)
        )

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
