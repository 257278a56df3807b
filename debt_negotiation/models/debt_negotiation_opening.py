# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""One open case per debtor, company and currency: opening cases from
invoices, and the rule that keeps them unique (a database index, checked
first for a clear message)."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..const import OPEN_STATES
from .workflow import workflow


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    def init(self):
        # One open case per debtor, company and currency, even with
        # concurrent workers (the index of 18.0.1.0 had no currency).
        self._cr.execute("DROP INDEX IF EXISTS debt_negotiation_one_open_case_idx")
        self._cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS "
            "debt_negotiation_one_open_case_currency_idx "
            "ON debt_negotiation (partner_id, company_id, currency_id) "
            "WHERE state NOT IN ('settled', 'cancelled')"
        )

    def copy(self, default=None):  # pylint: disable=method-required-super
        """A case is the negotiation of its debtor's invoices, with its own
        letters and evidence: it is never duplicated (the form offers no
        Duplicate; an RPC client gets this message, not a database error)."""
        raise UserError(
            self.env._(
                "A negotiation case cannot be duplicated: each debtor has one "
                "open case per company and currency. Start a negotiation from "
                "the invoices instead."
            )
        )

    def _one_open_case_error(self, partner, company, duplicate):
        """The refusal of a second open case. The existing case is named only
        to a user who may read it: another company's case stays unseen."""
        visible = duplicate.with_env(self.env)._filtered_access("read")
        if visible:
            message = self.env._(
                "%(partner)s already has an open negotiation case (%(case)s) "
                "in %(company)s. Add the invoices to it instead.",
                partner=partner.display_name,
                case=visible.name,
                company=company.name,
            )
        else:
            message = self.env._(
                "%(partner)s already has an open negotiation case in this "
                "company, or one you cannot see. Add the invoices to it instead, "
                "or ask a negotiation manager.",
                partner=partner.display_name,
            )
        return ValidationError(message)

    def _precheck_one_open_case(self, keys):
        """Refuse to make a second open case per debtor, company and
        currency, with a clear message, BEFORE the row reaches the database,
        whose unique index (:meth:`init`, the rule itself, safe with
        concurrent workers) would otherwise fail with a raw integrity error.
        ``keys``: ``(partner_id, company_id, currency_id)`` of the cases
        about to be open; ``self``: the cases being written."""
        seen = set()
        for key in keys:
            if not all(key):
                continue
            duplicate = self.sudo().search(
                [
                    ("id", "not in", self.ids),
                    ("partner_id", "=", key[0]),
                    ("company_id", "=", key[1]),
                    ("currency_id", "=", key[2]),
                    ("state", "in", OPEN_STATES),
                ],
                limit=1,
            )
            if duplicate or key in seen:
                raise self._one_open_case_error(
                    self.env["res.partner"].browse(key[0]),
                    self.env["res.company"].browse(key[1]),
                    duplicate,
                )
            seen.add(key)

    def _exclude_removed_invoices(self, held):
        """Posted invoices taken out of an open case (``held``: the invoices
        each case held before) are not put back by the auto-open setting: a
        user removed them on purpose. Starting a negotiation on them again
        lifts it."""
        removed = self.env["account.move"]
        for case in self.filtered(lambda c: c.state in OPEN_STATES):
            removed |= held.get(case.id, removed) - case.invoice_ids
        removed = removed.filtered(lambda m: m.state == "posted")
        if removed:
            workflow(removed.sudo()).write({"negotiation_excluded": True})

    @api.model
    def _assigned_negotiator(self, invoices):
        """The negotiator the assignment rules give a new case of
        ``invoices`` (their debtor, company and open amount in the company's
        currency), or an empty recordset."""
        company = invoices.company_id
        amount = sum(invoices.mapped("amount_residual_signed"))
        return self.env["debt.negotiation.assignment.rule"]._negotiator_for(
            invoices.commercial_partner_id, company, amount
        )

    def _open_case_for_invoices(self, invoices):
        """Return the debtor's open case holding ``invoices``, creating it
        or adding the invoices to it. All invoices share debtor, company and
        currency (checked by the caller): a debtor owing in two currencies
        has one open case in each."""
        partner = invoices.commercial_partner_id
        company = invoices.company_id
        case = self.search(
            [
                ("partner_id", "=", partner.id),
                ("company_id", "=", company.id),
                ("currency_id", "=", invoices.currency_id.id),
                ("state", "in", OPEN_STATES),
            ],
            limit=1,
        )
        excluded = invoices.filtered("negotiation_excluded")
        if excluded:
            workflow(excluded.sudo()).write({"negotiation_excluded": False})
        if case:
            new_invoices = invoices - case.invoice_ids
            if new_invoices:
                case.write(
                    {"invoice_ids": [fields.Command.link(m.id) for m in new_invoices]}
                )
                case.message_post(
                    body=self.env._(
                        "Invoices added to the negotiation: %(moves)s",
                        moves=", ".join(new_invoices.mapped("name")),
                    )
                )
            return case
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "currency_id": invoices.currency_id.id,
            "invoice_ids": [fields.Command.set(invoices.ids)],
        }
        negotiator = self._assigned_negotiator(invoices)
        if negotiator:
            vals["user_id"] = negotiator.id
        elif self.env.user._is_superuser():
            # opened by the scheduler: the invoices' salesperson negotiates
            vals["user_id"] = (
                (invoices.invoice_user_id | partner.user_id)
                .filtered(lambda u: not u.share and not u._is_superuser())[:1]
                .id
            )
        case = self.create(vals)
        case.message_post(
            body=self.env._(
                "Negotiation opened on %(moves)s.",
                moves=", ".join(invoices.mapped("name")),
            )
        )
        return case
