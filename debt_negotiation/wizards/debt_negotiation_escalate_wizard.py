# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError


class DebtNegotiationEscalateWizard(models.TransientModel):
    """ "Escalate": says what the hand-over sends to whom and for how much,
    warns of the disputed invoices (they are not handed over: only the
    undisputed ones are) and of a response deadline not passed yet, then
    escalates (``debt.negotiation.action_escalate``)."""

    _name = "debt.negotiation.escalate.wizard"
    _description = "Escalate a Debt Negotiation Case"

    negotiation_id = fields.Many2one(
        "debt.negotiation", string="Case", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id")
    agency_id = fields.Many2one(related="negotiation_id.agency_id", readonly=False)
    amount_claimed = fields.Monetary(
        string="Handed Over",
        compute="_compute_summary",
        help="What the agency is asked to collect: the undisputed amount due, "
        "less the debtor's unapplied credits.",
    )
    amount_disputed = fields.Monetary(related="negotiation_id.amount_disputed")
    disputed_invoice_ids = fields.Many2many(
        "account.move", string="Disputed Invoices", compute="_compute_summary"
    )
    response_deadline = fields.Date(related="negotiation_id.response_deadline")
    deadline_ahead = fields.Boolean(compute="_compute_summary")
    summary = fields.Text(compute="_compute_summary")
    undisputed_only = fields.Boolean(
        string="Hand over only the undisputed invoices",
        help="The disputed invoices stay with us until their dispute is "
        "resolved; the agency and the debtor are told the undisputed amount.",
    )

    @api.depends("negotiation_id", "agency_id")
    def _compute_summary(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            case = wizard.negotiation_id
            wizard.amount_claimed = case._letter_amount("handover")
            wizard.disputed_invoice_ids = case.invoice_ids.filtered(
                lambda m: (
                    m.negotiation_disputed
                    and not m.currency_id.is_zero(m.amount_residual)
                )
            )
            wizard.deadline_ahead = bool(
                case.response_deadline and case.response_deadline >= today
            )
            wizard.summary = wizard._summary_text()

    def _summary_text(self):
        """What the hand-over does, in the user's words."""
        self.ensure_one()
        case = self.negotiation_id
        agency = self.agency_id
        amount = case.currency_id.format(self.amount_claimed)
        if not agency:
            return self.env._(
                "The automatic follow-ups stop. No agency is set: nothing is "
                "sent; hand the claim over yourself."
            )
        channel = (
            self.env._("by post")
            if case.partner_id.commercial_partner_id.negotiation_blocked
            or case._online_letter_channel() == "post"
            else self.env._("by email")
        )
        lines = [
            self.env._(
                "The automatic follow-ups stop. %(debtor)s gets the hand-over "
                "notice %(channel)s, naming %(agency)s and the amount of "
                "%(amount)s.",
                debtor=case.partner_id.name,
                channel=channel,
                agency=agency.commercial_partner_id.name,
                amount=amount,
            )
        ]
        if agency.email:
            lines.append(
                self.env._(
                    "The evidence dossier is emailed to %(agency)s (%(email)s) "
                    "with the claim of %(amount)s.",
                    agency=agency.name,
                    email=agency.email,
                    amount=amount,
                )
            )
        else:
            lines.append(
                self.env._(
                    "%(agency)s has no email address: the evidence dossier is "
                    "kept on the case for you to send.",
                    agency=agency.name,
                )
            )
        return "\n".join(lines)

    def action_confirm(self):
        self.ensure_one()
        if self.disputed_invoice_ids and not self.undisputed_only:
            raise UserError(
                self.env._(
                    '%(moves)s disputed: tick "Hand over only the undisputed '
                    'invoices" to escalate the rest, or resolve the dispute '
                    "first.",
                    moves=", ".join(self.disputed_invoice_ids.mapped("name")),
                )
            )
        self.negotiation_id.action_escalate()
        return {"type": "ir.actions.act_window_close"}
