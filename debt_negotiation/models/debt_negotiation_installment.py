# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import negotiation_rules as rules
from .workflow import is_workflow as _is_internal


class DebtNegotiationInstallment(models.Model):
    """One payment of an agreed schedule.

    The installments of an agreement are created with it
    (``debt.negotiation.agreement``) and are never edited afterwards.
    ``amount_paid`` and ``state`` are stored computes: what the debtor paid
    since the agreement (``agreement_id.amount_paid``, i.e. the decrease of
    the agreement invoices' residual) allocated oldest installment first.
    They follow the payments as they are reconciled; the daily cron
    refreshes the states that depend on the date only.

    Only the installments of the case's current agreement are *active*: when
    a broken agreement is renegotiated or an agreement is cancelled, its
    installments are archived and keep the values they had (they stay linked
    to their agreement, as its record).
    """

    _name = "debt.negotiation.installment"
    _description = "Debt Negotiation Installment"
    _order = "negotiation_id, sequence, due_date, id"
    _check_company_auto = True

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    agreement_id = fields.Many2one(
        "debt.negotiation.agreement",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    offer_id = fields.Many2one(
        related="agreement_id.offer_id", string="Offer", store=True, index=True
    )
    active = fields.Boolean(
        default=True,
        help="Archived installments belong to an agreement that was replaced "
        "or cancelled: they no longer count.",
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id", store=True)
    partner_id = fields.Many2one(related="negotiation_id.partner_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Description")
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    amount_paid = fields.Monetary(
        compute="_compute_amount_paid",
        store=True,
        help="Payments received on the case's invoices after the agreement, "
        "allocated to the installments oldest first.",
    )
    amount_residual = fields.Monetary(
        string="Still Due", compute="_compute_amount_residual", store=True
    )
    reminder_date = fields.Date(
        string="Reminder Sent On",
        readonly=True,
        copy=False,
        help="When the debtor was reminded of this payment before its due date.",
    )
    late_notice_date = fields.Date(
        string="Late Notice Sent On",
        readonly=True,
        copy=False,
        help="When the debtor was told this payment is late (within the grace period).",
    )
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("paid", "Paid"),
            ("late", "Late"),
            ("missed", "Missed"),
        ],
        compute="_compute_state",
        store=True,
        default="pending",
        index=True,
        help="Pending until the due date, late during the grace days of the "
        "company, missed afterwards; paid once fully covered.",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    def _allocation_key(self):
        return (self.due_date or fields.Date.today(), self.sequence, self.id or 0)

    @api.depends(
        "active",
        "amount",
        "due_date",
        "sequence",
        "agreement_id.amount_paid",
    )
    def _compute_amount_paid(self):
        tracked = self.filtered(lambda i: i.active and i.id)
        for installment in self - tracked:
            # Replaced or cancelled agreement: keep the value it had.
            installment.amount_paid = installment._origin.amount_paid
        shares = {}
        for agreement in tracked.agreement_id:
            schedule = (
                agreement._all_installments()
                .filtered("active")
                .sorted(lambda i: i._allocation_key())
            )
            allocated = rules.allocate_payments(
                schedule.mapped("amount"),
                agreement.amount_paid,
                agreement.currency_id.rounding or 0.01,
            )
            shares.update(zip(schedule.ids, allocated, strict=True))
        for installment in tracked:
            installment.amount_paid = shares.get(installment.id, 0.0)

    @api.depends("amount", "amount_paid", "currency_id")
    def _compute_amount_residual(self):
        for installment in self:
            installment.amount_residual = installment.currency_id.round(
                max(installment.amount - installment.amount_paid, 0.0)
            )

    @api.depends(
        "active",
        "amount",
        "amount_paid",
        "due_date",
        "company_id.negotiation_grace_days",
    )
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for installment in self:
            if not installment.active and installment._origin.state:
                installment.state = installment._origin.state
                continue
            if not installment.due_date:
                installment.state = "pending"
                continue
            installment.state = rules.installment_state(
                installment.due_date,
                installment.amount,
                installment.amount_paid,
                today,
                installment.company_id.negotiation_grace_days,
                installment.currency_id.rounding or 0.01,
            )

    def _refresh_state(self):
        """Recompute the states for today (they depend on the date)."""
        if self:
            self.env.add_to_compute(self._fields["state"], self)
            self.flush_recordset(["state"])
        return True

    @api.model
    def _stale_state_domain(self, today):
        """Active installments whose state may have changed by ``today``
        without any payment: pending ones past their due date and late ones
        (whose grace period may have ended)."""
        return [
            ("active", "=", True),
            ("negotiation_id.state", "in", ("agreement", "disputed", "broken")),
            "|",
            "&",
            ("state", "=", "pending"),
            ("due_date", "<", today),
            ("state", "=", "late"),
        ]

    # ------------------------------------------------------------------
    # CRUD: an agreed schedule is part of a signed document
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not _is_internal(self):
            raise UserError(
                self.env._(
                    "Installments are created with their agreement, when an offer "
                    "is confirmed in writing."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not _is_internal(self):
            raise UserError(
                self.env._(
                    "The installments of a confirmed agreement cannot be "
                    "changed. A manager may cancel the agreement instead."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_agreed(self):
        if self:
            raise UserError(
                self.env._("Installments of a confirmed agreement cannot be deleted.")
            )
