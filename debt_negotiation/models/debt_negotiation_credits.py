# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Unapplied money: the debtor's payments and credit notes not yet matched
with an invoice. While they cover what is due, nobody is dunned: the
negotiator is asked to apply them."""

from collections import defaultdict

from odoo import fields, models

APPLY_CREDITS_ACTIVITY = "mail.mail_activity_data_todo"


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    amount_unapplied = fields.Monetary(
        string="Unapplied Credits",
        compute="_compute_amount_unapplied",
        help="The debtor's outstanding credits in this company and currency: "
        "posted customer payments and credit notes not yet reconciled with an "
        "invoice. Apply them to the invoices before chasing the debtor.",
    )

    def _compute_amount_unapplied(self):
        """One query for all the cases: the open receivable credit lines of
        their debtors, by debtor, company and currency. Not stored: it
        depends on every payment of the debtor; the business methods read
        it afresh (:meth:`_refresh_unapplied`)."""
        cases = self.filtered(lambda c: c.partner_id and c.company_id)
        (self - cases).amount_unapplied = 0.0
        if not cases:
            return
        Line = self.env["account.move.line"].sudo()
        groups = Line._read_group(
            [
                ("partner_id.commercial_partner_id", "in", cases.partner_id.ids),
                ("company_id", "in", cases.company_id.ids),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
                ("amount_residual", "<", 0),
            ],
            ["partner_id", "company_id", "currency_id"],
            ["amount_residual_currency:sum"],
        )
        unapplied = defaultdict(float)
        for partner, company, currency, residual in groups:
            key = (partner.commercial_partner_id.id, company.id, currency.id)
            unapplied[key] -= residual
        for case in cases:
            key = (case.partner_id.id, case.company_id.id, case.currency_id.id)
            case.amount_unapplied = case.currency_id.round(unapplied.get(key, 0.0))

    def _refresh_unapplied(self):
        """Forget the cached unapplied credits of these cases: the next read
        computes them again, for all of them in one query."""
        self.invalidate_recordset(["amount_unapplied"])
        return self

    def _credits_cover_claim(self, amount=None):
        """Whether the debtor's unapplied credits cover ``amount`` (default:
        what the case claims): then no letter goes out and no agreement
        breaks; the credits are to be applied first."""
        self.ensure_one()
        amount = self.amount_claimed if amount is None else amount
        currency = self.currency_id
        return not currency.is_zero(self.amount_unapplied) and (
            currency.compare_amounts(self.amount_unapplied, amount) >= 0
        )

    def _schedule_apply_credits(self):
        """Ask the negotiator (once) to apply the debtor's outstanding
        credits to the invoices."""
        summary = self.env._("Apply the debtor's outstanding credits")
        activity_type = self.env.ref(APPLY_CREDITS_ACTIVITY)
        for case in self:
            if case.activity_ids.filtered(
                lambda a, t=activity_type: (
                    a.activity_type_id == t and a.summary == summary
                )
            ):
                continue
            case.activity_schedule(
                APPLY_CREDITS_ACTIVITY,
                user_id=case._activity_user_id(),
                summary=summary,
                note=self.env._(
                    "%(amount)s of payments or credit notes of this debtor are "
                    "not reconciled with any invoice; they cover what is due. "
                    "Reconcile them with the invoices: no letter is sent "
                    "meanwhile.",
                    amount=case.currency_id.format(case.amount_unapplied),
                ),
            )
