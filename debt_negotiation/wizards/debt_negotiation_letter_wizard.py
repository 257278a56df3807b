# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..const import LETTER_TYPES


class DebtNegotiationLetterWizard(models.TransientModel):
    _name = "debt.negotiation.letter.wizard"
    _description = "Print or Email a Negotiation Letter"

    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="negotiation_id.company_id")
    letter_type = fields.Selection(
        LETTER_TYPES,
        required=True,
        compute="_compute_letter_type",
        store=True,
        readonly=False,
        precompute=True,
        help="Defaults to the letter of the case's current follow-up step.",
    )
    channel = fields.Selection(
        [("post", "Print (post)"), ("email", "Send by email")],
        required=True,
        default="post",
    )
    offer_id = fields.Many2one(
        "debt.negotiation.offer",
        string="Terms",
        compute="_compute_offer_id",
        store=True,
        readonly=False,
        domain="[('negotiation_id', '=', negotiation_id), "
        "('state', 'in', ('proposed', 'accepted'))]",
        help="The offer whose terms the letter states.",
    )
    installment_id = fields.Many2one(
        "debt.negotiation.installment",
        string="Missed Installment",
        compute="_compute_installment_id",
        store=True,
        readonly=False,
        domain="[('negotiation_id', '=', negotiation_id)]",
    )

    credits_warning = fields.Char(
        compute="_compute_credits_warning",
        help="Why no demand letter can go out: the debtor's unapplied credits "
        "cover what is claimed.",
    )

    @api.depends("negotiation_id", "letter_type")
    def _compute_credits_warning(self):
        for wizard in self:
            case = wizard.negotiation_id
            wizard.credits_warning = (
                self.env._(
                    "The debtor's unapplied payments and credit notes (%(credits)s) "
                    "cover the %(claimed)s claimed: nothing is due. Reconcile them "
                    "with the invoices instead of sending a demand letter.",
                    credits=case.currency_id.format(case.amount_unapplied),
                    claimed=case.currency_id.format(case.amount_claimed),
                )
                if case
                and wizard.letter_type in ("reminder", "negotiation", "final_notice")
                and case._credits_cover_claim()
                and not case.currency_id.is_zero(case.amount_claimed)
                else False
            )

    @api.depends("negotiation_id")
    def _compute_letter_type(self):
        for wizard in self:
            wizard.letter_type = (
                wizard.negotiation_id._get_default_letter_type()
                if wizard.negotiation_id
                else "negotiation"
            )

    @api.depends("negotiation_id", "letter_type")
    def _compute_offer_id(self):
        for wizard in self:
            wizard.offer_id = (
                wizard.negotiation_id._letter_default_offer(wizard.letter_type)
                if wizard.negotiation_id and wizard.letter_type
                else False
            )

    @api.depends("negotiation_id", "letter_type")
    def _compute_installment_id(self):
        for wizard in self:
            wizard.installment_id = (
                wizard.negotiation_id._letter_default_installment(wizard.letter_type)
                if wizard.negotiation_id and wizard.letter_type
                else False
            )

    def action_confirm(self):
        """Generate the letter (stored as sent), then download it or open
        the mail composer with it."""
        self.ensure_one()
        # an agreement letter carries the agreement's signatures, copied by
        # the generation (never given here); another offer is refused by
        # the case's letter check
        letter = self.negotiation_id._generate_letter(
            self.letter_type,
            channel=self.channel,
            offer=self.offer_id,
            installment=self.installment_id,
        )
        if self.channel == "email":
            return letter.action_send_email()
        action = letter.action_print()
        action["close_on_report_download"] = True
        return action
