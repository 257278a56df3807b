# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..const import AGREED_CHANNELS, MANAGER_GROUP, SIGNATURE_MODES
from ..tools import negotiation_rules as rules


class DebtNegotiationAgreementWizard(models.TransientModel):
    """Confirm an offer as the case's agreement, in writing.

    Shows the terms and the payment schedule (editable for payment plans,
    re-validated to sum exactly to the agreed amount), how the debtor's
    agreement is confirmed (in writing, a countersigned copy, or sent for
    its e-signature), who agreed and when, and the creditor's optional
    signature. The back office never draws the debtor's signature.
    :meth:`action_confirm` hands them to
    ``debt.negotiation.agreement._confirm_offer`` in one savepoint: on any
    error nothing is written.
    """

    _name = "debt.negotiation.agreement.wizard"
    _description = "Confirm a Debt Negotiation Agreement in Writing"

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        compute="_compute_negotiation_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        ondelete="cascade",
    )
    offer_id = fields.Many2one(
        "debt.negotiation.offer",
        required=True,
        ondelete="cascade",
        domain="[('negotiation_id', '=', negotiation_id), "
        "('state', 'in', ('draft', 'proposed'))]",
    )
    company_id = fields.Many2one(related="offer_id.company_id")
    currency_id = fields.Many2one(related="offer_id.currency_id")
    offer_type = fields.Selection(related="offer_id.offer_type")
    origin = fields.Selection(related="offer_id.origin")
    amount = fields.Monetary(related="offer_id.amount", string="Agreed Amount")
    down_payment = fields.Monetary(related="offer_id.down_payment")
    installment_count = fields.Integer(related="offer_id.installment_count")
    interval = fields.Selection(related="offer_id.interval")
    first_due_date = fields.Date(related="offer_id.first_due_date")
    case_amount_due = fields.Monetary(related="offer_id.case_amount_due")
    discount_amount = fields.Monetary(related="offer_id.discount_amount")
    discount_percent = fields.Float(related="offer_id.discount_percent")
    below_minimum = fields.Boolean(
        compute="_compute_below_minimum", groups=MANAGER_GROUP
    )
    offer_note = fields.Text(related="offer_id.conditions", string="Conditions")
    writeoff_account_missing = fields.Boolean(
        compute="_compute_writeoff_account_missing"
    )
    line_ids = fields.One2many(
        "debt.negotiation.agreement.wizard.line",
        "wizard_id",
        string="Payment Schedule",
        compute="_compute_line_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    schedule_total = fields.Monetary(compute="_compute_schedule_total")
    schedule_difference = fields.Monetary(compute="_compute_schedule_total")
    signature_mode = fields.Selection(
        [mode for mode in SIGNATURE_MODES if mode[0] != "portal"],
        string="Confirmation",
        default="written",
        required=True,
        help="Confirmed in writing: the agreement letter confirms what the "
        "debtor agreed (by phone, in a meeting), in force at once. "
        "Countersigned copy received: the debtor signed our letter and "
        "returned it; attach the copy. Send for e-signature: the debtor "
        "receives a link, reads and signs the agreement online; it comes "
        "into force when signed.",
    )
    signed_by = fields.Char(
        help="Name of the person who agreed on behalf of the debtor."
    )
    signed_on = fields.Date(default=fields.Date.context_today)
    agreed_channel = fields.Selection(
        AGREED_CHANNELS,
        string="Agreed by",
        default="phone",
        help='How the debtor agreed: the letter says "Agreed by phone with '
        '... on ...".',
    )
    ask_signature = fields.Boolean(
        string="Ask the Debtor to Sign and Return",
        help="The letter asks the debtor to sign it and return a copy. "
        "Leave it off when the debtor's agreement by phone, email or in a "
        "meeting is enough.",
    )
    creditor_signed_by = fields.Char(
        string="Signing for Us", compute="_compute_creditor_signed_by"
    )
    creditor_signature = fields.Image(
        string="Your Signature",
        max_width=1024,
        max_height=1024,
        help="Optional: your own signature, printed on the agreement letter "
        "for the creditor. The debtor's signature is never drawn here: the "
        "debtor signs online, or on the paper copy.",
    )
    signed_copy = fields.Binary(
        help="Optional: the scan of the agreement signed on paper; it is "
        "attached to the case.",
    )
    signed_copy_name = fields.Char()
    letter_channel = fields.Selection(
        [("post", "Post"), ("email", "Email")],
        string="Send Letter by",
        default="post",
        required=True,
        help="How the agreement confirmation letter goes to the debtor. By "
        "email, it is generated for you to send from the letter.",
    )
    note = fields.Text(help="Anything agreed beyond the terms.")

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------
    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if not res.get("offer_id") and res.get("negotiation_id"):
            case = self.env["debt.negotiation"].browse(res["negotiation_id"])
            offer = case.current_offer_id
            if offer:
                res["offer_id"] = offer.id
        if (
            "signed_by" in fields_list
            and not res.get("signed_by")
            and res.get("offer_id")
        ):
            offer = self.env["debt.negotiation.offer"].browse(res["offer_id"])
            res["signed_by"] = offer.partner_id.name
        return res

    @api.depends("negotiation_id")
    def _compute_creditor_signed_by(self):
        Agreement = self.env["debt.negotiation.agreement"]
        for wizard in self:
            wizard.creditor_signed_by = Agreement._creditor_signatory(
                wizard.negotiation_id
            )

    @api.depends("offer_id")
    def _compute_negotiation_id(self):
        for wizard in self:
            if wizard.offer_id:
                wizard.negotiation_id = wizard.offer_id.negotiation_id

    @api.depends("offer_id")
    def _compute_line_ids(self):
        for wizard in self:
            commands = [Command.clear()]
            offer = wizard.offer_id
            if offer:
                commands += [
                    Command.create(
                        {
                            "sequence": index,
                            "name": label,
                            "due_date": due_date,
                            "amount": amount,
                        }
                    )
                    # named in the debtor's language: the letters say them
                    for index, (label, due_date, amount) in enumerate(
                        offer._schedule_lines(lang=offer._debtor_lang()), 1
                    )
                ]
            wizard.line_ids = commands

    @api.depends("line_ids.amount", "amount", "currency_id")
    def _compute_schedule_total(self):
        for wizard in self:
            rounding = wizard.currency_id.rounding or 0.01
            total_units = sum(
                rules.to_units(line.amount, rounding) for line in wizard.line_ids
            )
            wizard.schedule_total = rules.from_units(total_units, rounding)
            wizard.schedule_difference = rules.from_units(
                rules.to_units(wizard.amount, rounding) - total_units, rounding
            )

    @api.depends("offer_id.amount")
    def _compute_below_minimum(self):
        for wizard in self:
            wizard.below_minimum = bool(
                wizard.offer_id and wizard.offer_id._is_below_minimum()
            )

    @api.depends("offer_id", "company_id.negotiation_writeoff_account_id")
    def _compute_writeoff_account_missing(self):
        for wizard in self:
            offer = wizard.offer_id
            wizard.writeoff_account_missing = bool(
                offer
                and offer._agreement_forgives_balance(offer.case_amount_due)
                and not offer.company_id.negotiation_writeoff_account_id
            )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def _sorted_lines(self):
        return self.line_ids.sorted(
            lambda line: (line.due_date or fields.Date.today(), line.sequence, line.id)
        )

    def action_confirm(self):
        """Confirm the offer as the case's agreement (see
        ``debt.negotiation.agreement._confirm_offer``). By email, returns
        the composer to send the agreement letter."""
        self.ensure_one()
        if not self.offer_id or self.offer_id.negotiation_id != self.negotiation_id:
            raise UserError(self.env._("The offer does not belong to this case."))
        schedule = [
            (line.name, line.due_date, line.amount) for line in self._sorted_lines()
        ]
        Agreement = self.env["debt.negotiation.agreement"]
        if self.offer_id._needs_minimum_approval():
            # below the minimum: everything else checked first, the
            # agreement then goes to a manager's approval
            Agreement._check_confirmable(
                self.offer_id,
                schedule,
                self.signed_by,
                self.signed_on,
                mode=self.signature_mode,
                signed_copy=self.signed_copy,
                minimum=False,
            )
            return self.offer_id._request_minimum_approval("accept")
        with self.env.cr.savepoint():
            agreement = Agreement._confirm_offer(
                self.offer_id,
                schedule,
                self.signed_by,
                self.signed_on,
                note=self.note,
                signed_copy=self.signed_copy,
                signed_copy_name=self.signed_copy_name,
                letter_channel=self.letter_channel,
                mode=self.signature_mode,
                creditor_signature=self.creditor_signature,
                agreed_channel=self.agreed_channel,
                ask_signature=self.ask_signature,
            )
        if (
            self.letter_channel == "email"
            and agreement.letter_id
            and agreement.letter_id.state == "to_send"
        ):
            # The agreement is recorded; the composer sends the letter.
            return agreement.letter_id.action_send_email()
        return {"type": "ir.actions.act_window_close"}
