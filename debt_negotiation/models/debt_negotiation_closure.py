# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The closure letter: when a case is settled, the debtor is thanked and
told, for its records, that nothing more is due on its invoices."""

from markupsafe import Markup

from odoo import models

from .workflow import skips_pdf


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    def _closure_letter(self):
        """The closure letter of the case (one at most), voided ones aside."""
        self.ensure_one()
        return self.letter_ids.filtered(
            lambda lt: lt.letter_type == "closure" and lt.state != "cancelled"
        ).sorted("id")[-1:]

    def _fulfilled_agreement(self):
        """The latest agreement of the case that was kept to the end."""
        self.ensure_one()
        return self.agreement_ids.filtered(lambda a: a.state == "fulfilled").sorted(
            "id"
        )[-1:]

    def _send_closure_letters(self):
        """These cases were just settled: thank each debtor with the
        closure letter, once per case. By email when the letters contact
        has an address (queued with the other emails), else by post (it
        waits in Letters to Send); a debtor who never receives automatic
        letters gets none sent: the letter is kept, by post, and the case
        says so.

        :return: the new letters
        """
        Letter = self.env["debt.negotiation.letter"]
        cases = self.filtered(
            lambda c: c.state == "settled" and not c._closure_letter()
        )
        if not cases:
            return Letter
        blocked = cases.filtered("negotiation_blocked")
        by_email = (cases - blocked).filtered(
            lambda c: c._online_letter_channel() == "email"
        )
        letters = Letter
        for group, channel in ((cases - by_email, "post"), (by_email, "email")):
            if not group:
                continue
            new_letters = group._generate_letter("closure", channel=channel)
            if channel == "email" and not skips_pdf(self):
                new_letters.with_context(mail_notify_force_send=False)._send_email()
            letters |= new_letters
        if blocked:
            blocked._message_log_batch(
                bodies={
                    case.id: Markup("<p>%s</p>")
                    % self.env._(
                        "Closure letter not sent: this debtor never receives "
                        "automatic letters. It is kept in Letters to Send."
                    )
                    for case in blocked
                }
            )
        return letters


class DebtNegotiationLetter(models.Model):
    _inherit = "debt.negotiation.letter"  # pylint: disable=consider-merging-classes-inherited

    def _closure_agreement(self):
        """The kept agreement a closure letter confirms (its offer's)."""
        self.ensure_one()
        if self.letter_type != "closure" or not self.offer_id:
            return self.env["debt.negotiation.agreement"]
        return self.negotiation_id.agreement_ids.filtered(
            lambda a: a.offer_id == self.offer_id and a.state == "fulfilled"
        ).sorted("id")[-1:]

    def _closure_lines(self):
        """What settled each invoice of a closure letter: ``[{'invoice',
        'received', 'credited'}]``, in the invoice's currency: received by
        payment (registered or from the bank statement), else credited
        (credit notes) or written off."""
        self.ensure_one()
        invoices = self._get_open_invoices()
        received = dict.fromkeys(invoices.ids, 0.0)
        credited = dict.fromkeys(invoices.ids, 0.0)
        partials = self.env["debt.negotiation"]._settlement_partials(invoices)
        for partial in partials:
            invoice_id = partial.debit_move_id.move_id.id
            source = partial.credit_move_id.move_id
            paid = source.origin_payment_id or source.statement_line_id
            bucket = received if paid and source.move_type == "entry" else credited
            bucket[invoice_id] += partial.debit_amount_currency
        return [
            {
                "invoice": invoice,
                "received": invoice.currency_id.round(received[invoice.id]),
                "credited": invoice.currency_id.round(credited[invoice.id]),
            }
            for invoice in invoices
        ]

    def _closure_sentence(self):
        """``{{closure}}``: how the debt was settled, only what is true of
        the case: the agreement kept (the amount agreed received, and the
        rest credited or written off as agreed, when it was), else the
        invoices paid in full, or settled partly by credit notes."""
        self.ensure_one()
        if self.letter_type != "closure":
            return ""
        currency = self.negotiation_id.currency_id
        agreement = self._closure_agreement()
        amount = self._format_amount
        if agreement:
            values = {
                "date": self._format_date(agreement.date),
                "amount": amount(agreement.offer_id.amount),
                "rest": amount(agreement.writeoff_amount),
            }
            if currency.is_zero(agreement.writeoff_amount):
                text = self.env._(
                    "You have kept our payment agreement of %(date)s: we have "
                    "received the %(amount)s agreed."
                )
            elif agreement.credit_note_ids:
                text = self.env._(
                    "You have kept our payment agreement of %(date)s: we have "
                    "received the %(amount)s agreed and, as agreed, credited "
                    "the remaining %(rest)s to your account."
                )
            else:
                text = self.env._(
                    "You have kept our payment agreement of %(date)s: we have "
                    "received the %(amount)s agreed and, as agreed, written off "
                    "the remaining %(rest)s."
                )
            return self._format_sentence(text, **values)
        lines = self._closure_lines()
        received = currency.round(sum(line["received"] for line in lines))
        credited = currency.round(sum(line["credited"] for line in lines))
        if currency.is_zero(credited):
            return self._format_sentence(
                self.env._(
                    "We have received payment in full of your invoices: "
                    "%(amount)s in total."
                ),
                amount=amount(received),
            )
        return self._format_sentence(
            self.env._(
                "Your invoices are settled: we have received %(received)s, "
                "and %(credited)s was credited to your account or written off."
            ),
            received=amount(received),
            credited=amount(credited),
        )
