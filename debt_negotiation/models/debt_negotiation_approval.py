# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..const import MANAGER_GROUP
from ..tools import legal as legal_rules
from ..tools import negotiation_rules as rules
from .workflow import internal

APPROVAL_KINDS = [
    ("propose", "Propose to the Debtor"),
    ("accept", "Confirm the Agreement"),
]


class DebtNegotiationApproval(models.Model):
    """A negotiator's request for a manager's approval of an offer below the
    case's hidden minimum, and the manager's decision.

    Proposing or confirming such an offer does not refuse with a message
    that would tell the negotiator where the minimum lies: the request goes
    to the managers, who see it and decide; every request and decision is
    kept (the case's chatter says it too), so probing the minimum leaves a
    trace. Requests are created and decided only by the offer's actions.
    """

    _name = "debt.negotiation.approval"
    _description = "Debt Negotiation Approval Request"
    _order = "id desc"
    _check_company_auto = True

    offer_id = fields.Many2one(
        "debt.negotiation.offer",
        required=True,
        readonly=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    negotiation_id = fields.Many2one(
        related="offer_id.negotiation_id", string="Case", store=True, index=True
    )
    company_id = fields.Many2one(
        related="offer_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="offer_id.currency_id")
    kind = fields.Selection(APPROVAL_KINDS, required=True, readonly=True)
    amount = fields.Monetary(
        readonly=True, help="The offer's amount the request is for."
    )
    down_payment = fields.Monetary(
        readonly=True, help="The offer's down payment the request is for."
    )
    installment_count = fields.Integer(
        string="Installments",
        readonly=True,
        help="The offer's number of installments the request is for.",
    )
    state = fields.Selection(
        [
            ("pending", "To Decide"),
            ("approved", "Approved"),
            ("refused", "Refused"),
        ],
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    requested_by = fields.Many2one("res.users", required=True, readonly=True)
    request_date = fields.Datetime(string="Requested On", required=True, readonly=True)
    decided_by = fields.Many2one("res.users", readonly=True)
    decided_on = fields.Datetime(readonly=True)

    @api.depends("offer_id.display_name", "kind")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for approval in self:
            approval.display_name = (
                f"{approval.offer_id.display_name} ({kinds.get(approval.kind, '')})"
            )

    def _activity_summary(self):
        """The managers' activity to decide this request."""
        self.ensure_one()
        return self.env._("Approve or refuse: %(request)s", request=self.display_name)

    def action_approve(self):
        """The manager approves (from the list of requests)."""
        self.offer_id.action_approve_minimum()
        return True

    def action_refuse(self):
        """The manager refuses (from the list of requests)."""
        self.offer_id.action_refuse_minimum()
        return True


class DebtNegotiationOffer(models.Model):
    """An offer below the minimum: a manager's approval, asked for and
    decided (the offer's own actions, see ``debt_negotiation_offer.py``)."""

    _inherit = "debt.negotiation.offer"

    approval_ids = fields.One2many(
        "debt.negotiation.approval", "offer_id", string="Approval Requests"
    )
    approval_state = fields.Selection(
        [
            ("pending", "Awaiting a Manager's Approval"),
            ("approved", "Approved by a Manager"),
            ("refused", "Refused by a Manager"),
        ],
        compute="_compute_approval_state",
        help="The latest manager's approval asked for the offer's current "
        "amount, if any.",
    )

    @api.depends(
        "approval_ids.state",
        "approval_ids.amount",
        "approval_ids.down_payment",
        "approval_ids.installment_count",
        "amount",
        "down_payment",
        "installment_count",
    )
    def _compute_approval_state(self):
        for offer in self:
            offer.approval_state = offer._current_approval().state or False

    def _current_approval(self):
        """The latest approval request for the offer as it is (its amount,
        down payment and installments): an approval never covers other
        terms."""
        self.ensure_one()
        currency = self.currency_id
        return (
            self.sudo()
            .approval_ids.filtered(
                lambda a: (
                    not currency.compare_amounts(a.amount, self.amount)
                    and not currency.compare_amounts(a.down_payment, self.down_payment)
                    and a.installment_count == self.installment_count
                )
            )
            .sorted("id")[-1:]
        )

    def _minimum_approved(self):
        """Whether a manager approved the offer at its amount."""
        self.ensure_one()
        return self._current_approval().state == "approved"

    def _needs_minimum_approval(self):
        """Whether the user may not commit the creditor to this offer
        without a manager: below the case's minimum, or a plan beyond the
        company's limits (installments, down payment), not yet approved."""
        self.ensure_one()
        return (
            not self.env.user.has_group(MANAGER_GROUP)
            and (self._is_below_minimum() or self._beyond_plan_limits())
            and not self._minimum_approved()
        )

    def _beyond_plan_limits(self):
        """Whether this payment plan has more installments, or a smaller
        down payment, than the company allows without a manager (the limits
        are never told to the debtor)."""
        self.ensure_one()
        if self.offer_type != "payment_plan":
            return False
        company = self.company_id
        rounding = self.currency_id.rounding or 0.01
        return legal_rules.plan_beyond_limits(
            self.installment_count,
            rules.to_units(self.down_payment, rounding),
            rules.to_units(self.amount, rounding),
            company.negotiation_max_installments,
            company.negotiation_min_down_payment_percent,
        )

    def _request_minimum_approval(self, kind):
        """Ask the managers to approve this offer for ``kind`` (``propose``,
        ``accept``): a request they see (an activity each), logged in the
        case's chatter; the same request while one is pending. Return the
        notification telling the user."""
        self.ensure_one()
        self.check_access("write")
        approval = self._current_approval()
        case = self.negotiation_id
        if approval.state != "pending":
            approval = internal(self.env["debt.negotiation.approval"]).create(
                {
                    "offer_id": self.id,
                    "kind": kind,
                    "amount": self.amount,
                    "down_payment": self.down_payment,
                    "installment_count": self.installment_count,
                    "requested_by": self.env.uid,
                    "request_date": fields.Datetime.now(),
                }
            )
            case.message_post(
                body=self.env._(
                    "%(user)s asks a negotiation manager's approval for %(offer)s.",
                    user=self.env.user.name,
                    offer=self.display_name,
                )
            )
            for manager in self._approval_managers():
                case.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=approval._activity_summary(),
                )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Sent for approval"),
                "message": self.env._(
                    "This offer needs a negotiation manager's approval: the "
                    "request is sent, you will be told of the decision."
                ),
                "type": "info",
                "sticky": False,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _approval_managers(self):
        """The negotiation managers of the offer's company who decide."""
        self.ensure_one()
        group = self.env.ref(MANAGER_GROUP)
        return group.sudo().users.filtered(
            lambda u: (
                u.active
                and not u.share
                and not u._is_superuser()
                and self.company_id in u.company_ids
            )
        )

    def action_approve_minimum(self):
        """A manager approves the pending request: the negotiator may now
        propose the offer, or confirm it, at this amount."""
        return self._decide_minimum("approved")

    def action_refuse_minimum(self):
        """A manager refuses the pending request."""
        return self._decide_minimum("refused")

    def _decide_minimum(self, state):
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._("Only a negotiation manager decides an approval request.")
            )
        labels = dict(
            self.env["debt.negotiation.approval"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        for offer in self:
            approval = offer._current_approval()
            if approval.state != "pending":
                raise UserError(
                    self.env._(
                        "No approval request of %(offer)s is waiting for a decision.",
                        offer=offer.display_name,
                    )
                )
            internal(approval).write(
                {
                    "state": state,
                    "decided_by": self.env.uid,
                    "decided_on": fields.Datetime.now(),
                }
            )
            case = offer.negotiation_id
            case.message_post(
                body=self.env._(
                    "%(offer)s: %(decision)s by %(user)s.",
                    offer=approval.display_name,
                    decision=labels[state],
                    user=self.env.user.name,
                )
            )
            summary = approval._activity_summary()
            case.sudo().activity_ids.filtered(
                lambda a, summary=summary: a.summary == summary
            ).action_feedback(feedback=labels[state])
            case.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=approval.requested_by.id,
                summary=self.env._(
                    "%(decision)s: %(offer)s",
                    decision=labels[state],
                    offer=approval.display_name,
                ),
            )
        return True
