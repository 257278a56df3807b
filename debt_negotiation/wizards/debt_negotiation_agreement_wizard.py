# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from ..tools import negotiation_rules as rules


class DebtNegotiationAgreementWizard(models.TransientModel):
    """Confirm an offer as the case's agreement, in writing.

    Shows the terms and the payment schedule (editable for payment plans,
    re-validated to sum exactly to the agreed amount), who signed and when,
    an optional signature and signed paper copy. :meth:`action_confirm`
    does everything in one savepoint: on any error nothing is written.
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
    below_minimum = fields.Boolean(related="offer_id.below_minimum")
    offer_note = fields.Text(related="offer_id.note", string="Conditions")
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
    signed_by = fields.Char(
        help="Name of the person who agreed on behalf of the debtor."
    )
    signed_on = fields.Date(default=fields.Date.context_today)
    signature = fields.Image(
        max_width=1024,
        max_height=1024,
        help="Optional: the debtor's signature, printed on the agreement letter.",
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
                with_down = offer._has_down_payment()
                for index, (due_date, amount) in enumerate(offer._get_schedule()):
                    if with_down and index == 0:
                        name = self.env._("Down payment")
                    else:
                        name = self.env._(
                            "Installment %(number)s",
                            number=index + (0 if with_down else 1),
                        )
                    commands.append(
                        Command.create(
                            {
                                "sequence": index + 1,
                                "name": name,
                                "due_date": due_date,
                                "amount": amount,
                            }
                        )
                    )
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
    # Checks
    # ------------------------------------------------------------------
    def _schedule_error_messages(self):
        return {
            "schedule_empty": self.env._("The agreement has no payment schedule."),
            "installment_date_missing": self.env._(
                "Every payment of the schedule needs a due date."
            ),
            "installment_date_in_past": self.env._(
                "The payments of the schedule cannot be due in the past."
            ),
            "installment_not_positive": self.env._(
                "Every payment of the schedule must be greater than zero."
            ),
            "schedule_total_mismatch": self.env._(
                "The payments of the schedule add up to %(total)s but the "
                "agreed amount is %(amount)s: they must match exactly.",
                total=self.currency_id.format(self.schedule_total),
                amount=self.currency_id.format(self.amount),
            ),
        }

    def _sorted_lines(self):
        return self.line_ids.sorted(
            lambda line: (line.due_date or fields.Date.today(), line.sequence, line.id)
        )

    def _check_agreement(self):
        """Raise, before anything is written, when the agreement cannot be
        confirmed."""
        self.ensure_one()
        offer = self.offer_id
        case = self.negotiation_id
        if not offer or offer.negotiation_id != case:
            raise UserError(self.env._("The offer does not belong to this case."))
        # offer state (expired, withdrawn...), case state (already under an
        # agreement, settled, cancelled), expiry date, terms, minimum rule
        offer._check_acceptable()
        if not (self.signed_by or "").strip():
            raise UserError(
                self.env._("Say who agreed to the terms on behalf of the debtor.")
            )
        today = fields.Date.context_today(self)
        if not self.signed_on:
            raise UserError(self.env._("Give the date the agreement was signed."))
        if self.signed_on > today:
            raise UserError(self.env._("The signature date cannot be in the future."))
        invoices = case.invoice_ids.filtered(lambda m: m.state == "posted")
        if case.currency_id.is_zero(sum(invoices.mapped("amount_residual"))):
            raise UserError(
                self.env._("Nothing is due on case %(case)s any more.", case=case.name)
            )
        rounding = self.currency_id.rounding or 0.01
        codes = rules.schedule_errors(
            [(line.due_date, line.amount) for line in self.line_ids],
            offer.amount,
            today,
            rounding,
        )
        if codes:
            messages = self._schedule_error_messages()
            raise ValidationError("\n".join(messages[code] for code in codes))
        if (
            offer._agreement_forgives_balance(case.amount_due)
            and not case.company_id.negotiation_writeoff_account_id
        ):
            raise UserError(
                self.env._(
                    "This agreement forgives part of the debt: set the settlement "
                    "write-off account of %(company)s in the Accounting settings "
                    "before confirming it.",
                    company=case.company_id.name,
                )
            )

    # ------------------------------------------------------------------
    # Confirmation
    # ------------------------------------------------------------------
    def action_confirm(self):
        """Accept the offer as the case's agreement.

        Checks everything first (minimum rule, states, schedule), then in
        one savepoint: accepts the offer and closes its rivals, archives the
        installments of a previous (broken) agreement, records the agreement
        on the offer (signatory, invoices and amount due at the agreement),
        creates the installments oldest first, logs an ``agreement``
        interaction, attaches the signed copy, sets the case ``agreement``
        and generates the agreement letter (PDF with the signature, posted
        in the chatter). By email, returns the composer to send the letter.
        """
        self.ensure_one()
        self._check_agreement()
        with self.env.cr.savepoint():
            letter = self._apply_agreement()
        if self.letter_channel == "email" and letter:
            # The agreement is recorded; the composer sends the letter.
            return letter[:1].action_send_email()
        return {"type": "ir.actions.act_window_close"}

    def _installment_values(self):
        self.ensure_one()
        return [
            {
                "negotiation_id": self.negotiation_id.id,
                "offer_id": self.offer_id.id,
                "sequence": index + 1,
                "name": line.name
                or self.env._("Installment %(number)s", number=index + 1),
                "due_date": line.due_date,
                "amount": line.amount,
            }
            for index, line in enumerate(self._sorted_lines())
        ]

    def _apply_agreement(self):
        self.ensure_one()
        offer = self.offer_id
        case = self.negotiation_id
        today = fields.Date.context_today(self)
        internal = {"debt_negotiation_agreement_write": True}
        signed_by = self.signed_by.strip()

        previous = case.installment_ids
        offer._mark_accepted()
        # A broken agreement being renegotiated: its installments stop counting.
        previous.with_context(**internal).write({"active": False})
        invoices = case.invoice_ids.filtered(lambda m: m.state == "posted")
        offer.with_context(**internal).write(
            {
                "agreement_date": today,
                "signed_by": signed_by,
                "signed_on": self.signed_on,
                "agreement_note": self.note,
                "agreement_invoice_ids": [Command.set(invoices.ids)],
                "agreement_amount_due": case.currency_id.round(
                    sum(invoices.mapped("amount_residual"))
                ),
            }
        )
        self.env["debt.negotiation.installment"].create(self._installment_values())
        summary = self.env._(
            "Agreement confirmed in writing: %(offer)s, signed by %(who)s on %(date)s.",
            offer=offer.display_name,
            who=signed_by,
            date=format_date(self.env, self.signed_on),
        )
        if self.note:
            summary = f"{summary}\n{self.note}"
        self.env["debt.negotiation.interaction"].create(
            {
                "negotiation_id": case.id,
                "channel": "other",
                "direction": "inbound",
                "contact_name": signed_by,
                "summary": summary,
                "outcome": "agreement",
            }
        )
        copy = self.env["ir.attachment"]
        if self.signed_copy:
            copy = copy.create(
                {
                    "name": self.signed_copy_name or self.env._("Signed agreement"),
                    "datas": self.signed_copy,
                    "res_model": case._name,
                    "res_id": case.id,
                }
            )
        case.write(
            {
                "state": "agreement",
                "response_deadline": False,
                "next_action_date": False,
                "dispute_previous_state": False,
            }
        )
        case.message_post(
            body=summary,
            attachment_ids=copy.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        letter = case._generate_letter(
            "agreement",
            channel=self.letter_channel,
            offer=offer,
            signed_by=signed_by,
            signed_on=self.signed_on,
            signature=self.signature or False,
        )
        offer.with_context(**internal).write(
            {"agreement_letter_id": letter[:1].id, "agreement_signed_copy_id": copy.id}
        )
        case._schedule_next_action()
        return letter
