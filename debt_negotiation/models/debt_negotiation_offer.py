# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date

from ..const import MANAGER_GROUP
from ..tools import negotiation_rules as rules
from .workflow import (
    internal,
    is_privileged,
    readonly_stored_computes,
    refuse_forced,
)

OFFER_TYPES = [
    ("settlement", "Settlement"),
    ("payment_plan", "Payment Plan"),
    ("full_payment", "Full Payment"),
    ("extension", "Extension"),
]
# Codes checked whenever an offer is written; the others when proposing.
STRUCTURAL_ERRORS = (
    "amount_not_positive",
    "down_payment_negative",
    "down_payment_too_high",
    "installments_missing",
    "installments_too_many",
    "interval_missing",
)
# The terms: fixed once the offer is proposed.
TERMS_FIELDS = {
    "negotiation_id",
    "offer_type",
    "amount",
    "down_payment",
    "installment_count",
    "interval",
    "first_due_date",
    "origin",
    "waive_interest",
    "conditions",
}
# Fields only the offer's own actions change (see ``models/workflow.py``).
WORKFLOW_FIELDS = {"state", "below_minimum", "proposed_date", "answered_date"}


# The negotiator's activity to answer a debtor's counter-offer.
ANSWER_ACTIVITY = "debt_negotiation.mail_activity_type_counter_offer"


class DebtNegotiationOffer(models.Model):
    _name = "debt.negotiation.offer"
    _description = "Debt Negotiation Offer"
    _order = "negotiation_id, id desc"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id", store=True)
    partner_id = fields.Many2one(related="negotiation_id.partner_id", store=True)
    case_amount_due = fields.Monetary(
        related="negotiation_id.amount_due", string="Amount Due"
    )
    offer_type = fields.Selection(OFFER_TYPES, required=True, default="settlement")
    origin = fields.Selection(
        [("creditor", "Our Offer"), ("debtor", "Counter-offer")],
        required=True,
        default="creditor",
        help="Who made the offer: the company, or the debtor (a counter-offer).",
    )
    amount = fields.Monetary(
        string="Total Amount",
        required=True,
        help="Total the debtor pays under this offer, down payment included.",
    )
    down_payment = fields.Monetary(
        help="Good-faith payment due first. Zero when none is asked."
    )
    installment_count = fields.Integer(
        string="Installments",
        default=1,
        help="Number of installments after the down payment (payment plans).",
    )
    interval = fields.Selection(
        [
            ("week", "Weekly"),
            ("biweek", "Every Two Weeks"),
            ("month", "Monthly"),
            ("quarter", "Every Three Months"),
        ],
        default="month",
        help="How often the installments of a payment plan fall due.",
    )
    first_due_date = fields.Date(
        default=fields.Date.context_today,
        help="Date of the first payment; for an extension, the new due date.",
    )
    expiry_date = fields.Date(
        help="An unanswered proposed offer expires after this date."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("proposed", "Proposed"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
            ("countered", "Countered"),
            ("expired", "Expired"),
            ("withdrawn", "Withdrawn"),
        ],
        required=True,
        default="draft",
        index=True,
        copy=False,
    )
    below_minimum = fields.Boolean(
        readonly=True,
        copy=False,
        groups=MANAGER_GROUP,
        help="The amount was below the case's minimum when the offer was "
        "proposed or accepted: only a manager may accept it.",
    )
    discount_amount = fields.Monetary(string="Discount", compute="_compute_discount")
    discount_percent = fields.Float(string="Discount (%)", compute="_compute_discount")
    installment_amount = fields.Monetary(
        string="Installment", compute="_compute_schedule"
    )
    last_due_date = fields.Date(compute="_compute_schedule")
    schedule_preview = fields.Html(compute="_compute_schedule", sanitize=False)
    proposed_date = fields.Date(readonly=True, copy=False)
    answered_date = fields.Date(readonly=True, copy=False)
    waive_interest = fields.Boolean(
        string="Waive Interest and Compensation",
        help="A concession: no late-payment interest or recovery compensation "
        "is claimed on the case's invoices while the agreement on this offer "
        "is in force, and the interest invoices it covers are credited when "
        "it is fulfilled.",
    )
    conditions = fields.Text(
        string="Conditions Shown to the Debtor",
        help="Our offers: the conditions the debtor reads with the offer on "
        "its page. A counter-offer: the debtor's own message. Fixed once "
        "the offer is proposed.",
    )
    note = fields.Text(
        string="Internal Note",
        help="Remarks for the team: never shown to the debtor.",
    )
    answer_note = fields.Text(string="Answer", copy=False)

    agreement_ids = fields.One2many(
        "debt.negotiation.agreement", "offer_id", string="Agreements"
    )
    agreement_id = fields.Many2one(
        "debt.negotiation.agreement",
        compute="_compute_agreement_id",
        help="The agreement this offer became, once confirmed in writing.",
    )
    installment_ids = fields.One2many(
        "debt.negotiation.installment",
        "offer_id",
        string="Agreed Installments",
        context={"active_test": False},
        readonly=True,
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("offer_type", "amount", "currency_id", "partner_id", "origin")
    def _compute_display_name(self):
        type_labels = dict(self._fields["offer_type"]._description_selection(self.env))
        for offer in self:
            amount = offer.currency_id and offer.currency_id.format(offer.amount) or ""
            label = type_labels.get(offer.offer_type, "")
            if offer.origin == "debtor":
                label = self.env._("Counter-offer: %(label)s", label=label)
            offer.display_name = f"{label} {amount}".strip()

    @api.depends("amount", "case_amount_due", "currency_id")
    def _compute_discount(self):
        for offer in self:
            offer.discount_amount, offer.discount_percent = rules.discount(
                offer.case_amount_due, offer.amount, offer.currency_id.rounding or 0.01
            )

    @api.depends(
        "offer_type",
        "amount",
        "down_payment",
        "installment_count",
        "interval",
        "first_due_date",
        "currency_id",
    )
    def _compute_schedule(self):
        for offer in self:
            lines = offer._schedule_lines()
            if not lines:
                offer.installment_amount = 0.0
                offer.last_due_date = False
                offer.schedule_preview = False
                continue
            offset = 1 if offer._has_down_payment() else 0
            installments = lines[offset:]
            offer.installment_amount = installments[0][2] if installments else 0.0
            offer.last_due_date = lines[-1][1]
            offer.schedule_preview = offer._render_schedule(lines)

    @api.depends("agreement_ids")
    def _compute_agreement_id(self):
        for offer in self:
            offer.agreement_id = offer.agreement_ids.sorted("id")[-1:]

    def _is_below_minimum(self):
        """Whether the amount is below the case's minimum now, computed in
        superuser mode (the minimum is hidden from users)."""
        self.ensure_one()
        offer = self.sudo()
        return rules.is_below_minimum(
            offer.amount,
            offer.negotiation_id.minimum_amount,
            offer.currency_id.rounding or 0.01,
        )

    def _has_down_payment(self):
        self.ensure_one()
        return self.currency_id.compare_amounts(self.down_payment, 0.0) > 0

    def _get_schedule(self):
        """Return the payment schedule as ``[(date, amount)]``, or ``[]``
        when the offer is not complete enough to have one."""
        self.ensure_one()
        if not self.first_due_date or self._structural_errors():
            return []
        return rules.offer_schedule(
            self.offer_type,
            self.amount,
            self.down_payment,
            self.installment_count,
            self.interval,
            self.first_due_date,
            self.currency_id.rounding or 0.01,
        )

    def _schedule_lines(self, lang=None):
        """The payments of the offer as ``[(label, date, amount)]``: the down
        payment first, if any, then the numbered installments; ``[]`` when
        the offer is not complete enough to have a schedule. The labels are
        in ``lang`` (the installments' names: the debtor's language, as the
        letters and the portal show them), else the user's."""
        self.ensure_one()
        env = self.with_context(lang=lang).env if lang else self.env
        with_down = self._has_down_payment()
        lines = []
        for index, (due, amount) in enumerate(self._get_schedule()):
            if with_down and index == 0:
                label = env._("Down payment")
            else:
                label = env._(
                    "Installment %(number)s", number=index + (0 if with_down else 1)
                )
            lines.append((label, due, amount))
        return lines

    def _debtor_lang(self):
        """The debtor's language: what the installments are named in."""
        self.ensure_one()
        return self.partner_id.lang or self.env.lang

    def _render_schedule(self, lines):
        rows = [
            Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
            % (label, format_date(self.env, due), self.currency_id.format(amount))
            for label, due, amount in lines
        ]
        header = Markup(
            "<table class='table table-sm o_debt_negotiation_schedule'>"
            "<thead><tr><th>%s</th><th>%s</th><th class='text-end'>%s</th></tr>"
            "</thead><tbody>"
        ) % (self.env._("Payment"), self.env._("Due Date"), self.env._("Amount"))
        return header + Markup("").join(rows) + Markup("</tbody></table>")

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _error_messages(self):
        return {
            "amount_not_positive": self.env._(
                "The offer amount must be greater than zero."
            ),
            "down_payment_negative": self.env._("The down payment cannot be negative."),
            "down_payment_too_high": self.env._(
                "The down payment must be lower than the offer amount."
            ),
            "amount_above_due": self.env._(
                "The offer amount cannot exceed what the debtor owes on the case."
            ),
            "amount_below_due": self.env._(
                "A full payment or an extension covers everything the debtor "
                "owes on the case (%(amount)s); for less, make a settlement.",
                amount=self.currency_id.format(self.case_amount_due),
            ),
            "installments_missing": self.env._(
                "A payment plan needs at least one installment."
            ),
            "installments_too_many": self.env._(
                "A payment plan can have at most %(count)s installments.",
                count=rules.MAX_INSTALLMENTS,
            ),
            "interval_missing": self.env._(
                "A payment plan needs an interval: how often its installments fall due."
            ),
            "first_due_date_missing": self.env._("Set the date of the first payment."),
            "expiry_in_past": self.env._(
                "The expiry date of a proposed offer cannot be in the past."
            ),
            "first_due_in_past": self.env._(
                "The first payment date of a proposed offer cannot be in the past."
            ),
        }

    def _offer_errors(self, proposing=False):
        self.ensure_one()
        return rules.offer_errors(
            self.offer_type,
            self.amount,
            self.down_payment,
            self.installment_count,
            self.interval,
            self.first_due_date,
            self.expiry_date,
            fields.Date.context_today(self),
            self.case_amount_due,
            self.currency_id.rounding or 0.01,
            proposing=proposing,
        )

    def _structural_errors(self):
        return [code for code in self._offer_errors() if code in STRUCTURAL_ERRORS]

    def _raise_errors(self, codes):
        if codes:
            messages = self._error_messages()
            raise ValidationError("\n".join(messages.get(code, code) for code in codes))

    @api.constrains(
        "amount", "down_payment", "installment_count", "interval", "offer_type"
    )
    def _check_offer_terms(self):
        for offer in self:
            offer._raise_errors(offer._structural_errors())

    @api.onchange("offer_type")
    def _onchange_offer_type(self):
        if self.offer_type in ("full_payment", "extension"):
            self.amount = self.case_amount_due
        if self.offer_type != "payment_plan":
            self.installment_count = 1

    def _check_case_negotiable(self):
        for offer in self:
            case = offer.negotiation_id
            if case.state in ("agreement", "settled", "cancelled"):
                raise UserError(
                    self.env._(
                        "Case %(case)s is no longer negotiable: it is %(state)s.",
                        case=case.name,
                        state=dict(
                            case._fields["state"]._description_selection(self.env)
                        )[case.state],
                    )
                )

    def _check_offer_state(self, allowed):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for offer in self:
            if offer.state not in allowed:
                raise UserError(
                    self.env._(
                        "This action is not possible on an offer that is %(state)s.",
                        state=labels[offer.state],
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(offer.state != "draft" for offer in self):
            raise UserError(
                self.env._(
                    "Only draft offers can be deleted; withdraw or reject the "
                    "others so the negotiation history stays complete."
                )
            )
        if self.sudo().approval_ids:
            raise UserError(
                self.env._(
                    "An offer sent for a manager's approval stays on record: "
                    "withdraw it instead."
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            for vals in vals_list:
                forced = [
                    name
                    for name in WORKFLOW_FIELDS & set(vals)
                    if vals[name] and not (name == "state" and vals[name] == "draft")
                ]
                self._raise_workflow_fields(forced)
        return super().create(vals_list)

    def write(self, vals):
        terms = TERMS_FIELDS & set(vals)
        if terms and any(o.state == "accepted" for o in self):
            raise UserError(
                self.env._("The terms of an accepted offer cannot be changed.")
            )
        if not is_privileged(self):
            protected = WORKFLOW_FIELDS | readonly_stored_computes(self)
            self._raise_workflow_fields(sorted(protected & set(vals)))
            if terms and any(o.state != "draft" for o in self):
                raise UserError(
                    self.env._(
                        "The terms of an offer are fixed once it is proposed: "
                        "withdraw it and make a new one."
                    )
                )
        return super().write(vals)

    def _raise_workflow_fields(self, names):
        refuse_forced(
            self,
            names,
            self.env._(
                "An offer's %(fields)s can only be changed through its actions "
                "(propose, accept, reject, withdraw...), not by a direct edit."
            ),
        )

    def _write_workflow(self, vals):
        """Write the workflow fields ``vals`` from an action method, after
        its checks (in superuser mode: users may not see the minimum flag)."""
        self.check_access("write")
        res = internal(self).write(vals)
        if vals.get("state") in ("rejected", "countered", "expired", "withdrawn"):
            labels = dict(self._fields["state"]._description_selection(self.env))
            self.agreement_ids._cancel_unsigned(
                self.env._(
                    "the offer is no longer open (%(state)s).",
                    state=labels[vals["state"]],
                )
            )
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_propose(self):
        """Propose the offers to the debtor. Our offer below the case's
        minimum, which the debtor may accept online, goes to a manager's
        approval instead (see ``debt_negotiation_approval.py``): no refusal
        tells a negotiator where the minimum lies."""
        self._check_offer_state(("draft",))
        self._check_case_negotiable()
        today = fields.Date.context_today(self)
        to_approve = self.browse()
        for offer in self:
            if not offer.expiry_date:
                offer.expiry_date = rules.response_deadline(
                    today, offer.company_id.negotiation_response_days
                )
            offer._raise_errors(offer._offer_errors(proposing=True))
            if offer.origin == "creditor" and offer._needs_minimum_approval():
                to_approve |= offer
                continue
            if offer.origin == "creditor":
                # the debtor may accept it online: below the minimum, only a
                # manager commits the creditor to it
                offer._check_minimum()
            offer._write_workflow(
                {
                    "state": "proposed",
                    "proposed_date": today,
                    "below_minimum": offer._is_below_minimum(),
                }
            )
            case = offer.negotiation_id
            if offer.origin == "debtor":
                countered = case.offer_ids.filtered(
                    lambda o: o.origin == "creditor" and o.state == "proposed"
                )
                countered._write_workflow(
                    {"state": "countered", "answered_date": today}
                )
                offer._replace_counter_offers()
                offer._schedule_answer_activity()
            case.response_deadline = offer.expiry_date
            case.message_post(
                body=self.env._(
                    "%(who)s proposed: %(offer)s, open until %(date)s.",
                    who=self.env._("The debtor")
                    if offer.origin == "debtor"
                    else self.env._("We"),
                    offer=offer.display_name,
                    date=format_date(self.env, offer.expiry_date),
                )
            )
        for offer in to_approve:
            action = offer._request_minimum_approval("propose")
        return action if to_approve else True

    def action_reject(self):
        self._check_offer_state(("proposed",))
        today = fields.Date.context_today(self)
        self._write_workflow({"state": "rejected", "answered_date": today})
        for offer in self:
            offer.negotiation_id.message_post(
                body=self.env._("Offer rejected: %(offer)s", offer=offer.display_name)
            )
        self._close_answer_activities()
        return True

    def action_withdraw(self):
        self._check_offer_state(("draft", "proposed"))
        self._write_workflow({"state": "withdrawn"})
        for offer in self:
            offer.negotiation_id.message_post(
                body=self.env._("Offer withdrawn: %(offer)s", offer=offer.display_name)
            )
        self._close_answer_activities()
        return True

    # ------------------------------------------------------------------
    # Business methods: nobody waits in silence
    # ------------------------------------------------------------------
    def _schedule_answer_activity(self):
        """A debtor's counter-offer: the negotiator gets an activity to
        answer it by its expiry date."""
        for offer in self:
            case = offer.negotiation_id
            case.activity_schedule(
                ANSWER_ACTIVITY,
                date_deadline=offer.expiry_date,
                user_id=case._activity_user_id(),
                summary=self.env._(
                    "Answer the counter-offer by %(date)s",
                    date=format_date(self.env, offer.expiry_date),
                ),
                note=offer.display_name,
            )

    def _replace_counter_offers(self):
        """This counter-offer, just proposed, replaces the debtor's previous
        one still open: one open counter-offer per case, one activity to
        answer it."""
        self.ensure_one()
        previous = self.negotiation_id.offer_ids.filtered(
            lambda o: o != self and o.origin == "debtor" and o.state == "proposed"
        )
        if not previous:
            return
        previous._write_workflow(
            {"state": "withdrawn", "answered_date": fields.Date.context_today(self)}
        )
        self.negotiation_id.sudo().activity_feedback(
            [ANSWER_ACTIVITY],
            feedback=self.env._("Replaced by a new counter-offer."),
        )
        for offer in previous:
            offer.negotiation_id.message_post(
                body=self.env._(
                    "Counter-offer replaced by the debtor's new one: %(offer)s",
                    offer=offer.display_name,
                )
            )

    def _close_answer_activities(self, feedback=None):
        """The counter-offers of these offers' cases are answered: their
        "answer" activities are done (for cases with none left open)."""
        cases = self.negotiation_id.filtered(
            lambda c: (
                not c.offer_ids.filtered(
                    lambda o: o.origin == "debtor" and o.state == "proposed"
                )
            )
        )
        if cases:
            cases.sudo().activity_feedback([ANSWER_ACTIVITY], feedback=feedback)

    def action_reset_to_draft(self):
        self._check_offer_state(("rejected", "expired", "withdrawn", "countered"))
        self._write_workflow(
            {
                "state": "draft",
                "answered_date": False,
                "proposed_date": False,
                "below_minimum": False,
            }
        )
        return True

    def action_accept(self):
        """Open the wizard that confirms the agreement in writing; the offer
        is accepted only when that wizard is confirmed."""
        self.ensure_one()
        self._check_acceptable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Confirm Agreement in Writing"),
            "res_model": "debt.negotiation.agreement.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_negotiation_id": self.negotiation_id.id,
                "default_offer_id": self.id,
            },
        }

    def _check_acceptable(self):
        """Raise when this offer cannot become the case's agreement (the
        minimum aside: :meth:`_check_minimum` comes last, at confirmation)."""
        self.ensure_one()
        if self.state not in ("draft", "proposed"):
            labels = dict(self._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "An offer that is %(state)s cannot be accepted.",
                    state=labels[self.state],
                )
            )
        case = self.negotiation_id
        if case.state == "agreement":
            raise UserError(
                self.env._(
                    "Case %(case)s is already under an agreement.", case=case.name
                )
            )
        self._check_case_negotiable()
        if self.expiry_date and self.expiry_date < fields.Date.context_today(self):
            raise UserError(
                self.env._(
                    "This offer expired on %(date)s.",
                    date=format_date(self.env, self.expiry_date),
                )
            )
        # not proposing: the expiry is checked above, with its date
        self._raise_errors(self._offer_errors())

    def _check_minimum(self):
        """Refuse this offer to a user who is not a negotiation manager when
        it is below the case's minimum, recomputed from the amount and the
        minimum (never from a stored flag), unless a manager approved it at
        this amount. The actions ask for that approval first (see
        ``_needs_minimum_approval``): this refusal guards the other paths."""
        self.ensure_one()
        if not self._needs_minimum_approval():
            return
        raise AccessError(
            self.env._("This offer needs a negotiation manager's approval.")
        )

    def _mark_accepted(self, check_minimum=True):
        """Accept this offer and close the other open offers of its case.

        ``check_minimum=False``: the debtor accepts online the offer we
        proposed, which a manager approved if it is below the minimum."""
        self.ensure_one()
        self._check_acceptable()
        if check_minimum:
            self._check_minimum()
        today = fields.Date.context_today(self)
        rivals = self.negotiation_id.offer_ids.filtered(
            lambda o: o != self and o.state in ("draft", "proposed")
        )
        rivals.filtered(lambda o: o.origin == "creditor")._write_workflow(
            {"state": "withdrawn", "answered_date": today}
        )
        rivals.filtered(lambda o: o.origin == "debtor")._write_workflow(
            {"state": "rejected", "answered_date": today}
        )
        self._write_workflow(
            {
                "state": "accepted",
                "answered_date": today,
                "below_minimum": self._is_below_minimum(),
            }
        )
        self._close_answer_activities()

    @api.model
    def _expire_offers(self, today=None, company_ids=None):
        """Expire proposed offers whose expiry date has passed (of the
        companies ``company_ids`` only, when given)."""
        return self.search(self._expired_domain(today, company_ids))._expire()

    @api.model
    def _expired_domain(self, today=None, company_ids=None):
        """Proposed offers whose expiry date has passed on ``today`` (of the
        companies ``company_ids`` only, when given)."""
        today = today or fields.Date.context_today(self)
        domain = [("state", "=", "proposed"), ("expiry_date", "<", today)]
        if company_ids:
            domain.append(("company_id", "in", company_ids))
        return domain

    def _expire(self):
        """Expire these offers (past their expiry date): noted on their
        cases, and a debtor's counter-offer left unanswered gets the
        negotiator a call."""
        offers = self
        offers._write_workflow({"state": "expired"})
        for offer in offers:
            offer.negotiation_id.message_post(
                body=self.env._(
                    "Offer expired without an answer: %(offer)s",
                    offer=offer.display_name,
                )
            )
        # a debtor's counter-offer left unanswered: the negotiator calls back
        counters = offers.filtered(lambda o: o.origin == "debtor")
        counters._close_answer_activities(
            feedback=self.env._("Expired without an answer.")
        )
        for offer in counters:
            case = offer.negotiation_id
            case.activity_schedule(
                "debt_negotiation.mail_activity_type_negotiation_call",
                user_id=case._activity_user_id(),
                summary=self.env._("Counter-offer expired unanswered: call the debtor"),
                note=offer.display_name,
            )
        return offers

    # ------------------------------------------------------------------
    # Agreement in writing
    # ------------------------------------------------------------------
    def _agreement_forgives_balance(self, amount_due):
        """Tell whether this offer, agreed while ``amount_due`` was due,
        leaves part of the debt unpaid on purpose, to be written off once it
        is fulfilled: a settlement or a payment plan for less."""
        self.ensure_one()
        if self.offer_type not in ("settlement", "payment_plan"):
            return False
        return self.currency_id.compare_amounts(self.amount, amount_due) < 0
