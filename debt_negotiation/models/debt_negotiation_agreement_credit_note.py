# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Settlement accounting by credit note: what a fulfilled settlement
forgives is a price concession on the invoices (it reduces the revenue and
the VAT, as Odoo's early-payment discount does), rather than a bad debt."""

from odoo import Command, fields, models


class DebtNegotiationAgreement(models.Model):
    _inherit = "debt.negotiation.agreement"  # pylint: disable=consider-merging-classes-inherited

    credit_note_ids = fields.Many2many(
        "account.move",
        "debt_negotiation_agreement_credit_note_rel",
        "agreement_id",
        "move_id",
        string="Settlement Credit Notes",
        readonly=True,
        copy=False,
        help="The credit notes that granted what the settlement forgave.",
    )

    def _credit_forgiven_balance(self):
        """Credit what is left open on each agreement invoice with a posted
        credit note reconciled with it: each invoice line is credited in
        the proportion the balance bears to the invoice total, with the
        line's own taxes and account. Return the credit notes."""
        self.ensure_one()
        Move = self.env["account.move"].sudo().with_company(self.company_id)
        today = fields.Date.context_today(self)
        notes = Move
        invoices = self.invoice_ids.sudo().filtered(
            lambda m: (
                m.state == "posted"
                and m.move_type == "out_invoice"
                and not m.currency_id.is_zero(m.amount_residual)
                and not m.currency_id.is_zero(m.amount_total)
            )
        )
        for invoice in invoices:
            lines = invoice.invoice_line_ids.filtered(
                lambda line: line.display_type == "product"
            )
            if not lines:
                continue
            ratio = invoice.amount_residual / invoice.amount_total
            label = self.env._(
                "Settlement discount %(case)s", case=self.negotiation_id.name
            )
            note = Move.create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "invoice_date": today,
                    "date": today,
                    "reversed_entry_id": invoice.id,
                    "ref": f"{label} - {invoice.name}",
                    "fiscal_position_id": invoice.fiscal_position_id.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": f"{label}: {line.name or ''}",
                                "product_id": line.product_id.id,
                                "account_id": line.account_id.id,
                                "quantity": line.quantity,
                                "price_unit": line.price_unit * ratio,
                                "discount": line.discount,
                                "tax_ids": [Command.set(line.tax_ids.ids)],
                            }
                        )
                        for line in lines
                    ],
                }
            )
            note.action_post()
            receivables = (invoice.line_ids | note.line_ids).filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                )
            )
            for account in receivables.account_id:
                pair = receivables.filtered(
                    lambda line, a=account: line.account_id == a
                )
                if len(pair.move_id) == 2:
                    pair.reconcile()
            notes |= note
        return notes
