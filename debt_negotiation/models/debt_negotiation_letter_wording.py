# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The sentences of a letter that depend on the case at hand: who it greets,
what the debtor is asked to quote with a payment, our proposal or the
question for one, and the last chance of a broken agreement. Each is true
for the case, or left out."""

from odoo import fields, models
from odoo.tools.misc import format_date

# References listed one by one in a letter; more: "each invoice's".
MAX_LISTED_REFERENCES = 3


class DebtNegotiationLetter(models.Model):
    _inherit = "debt.negotiation.letter"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Who the letter is for
    # ------------------------------------------------------------------
    def _salutation(self):
        """``{{salutation}}``: "Dear <person>" when the letter goes to a
        named person (the invoicing contact, or a debtor who is a person),
        else "Dear Sir or Madam"."""
        self.ensure_one()
        return self.negotiation_id._salutation_for(
            self.negotiation_id._letter_addressee()
        )

    def _attention(self):
        """The person the letter is for when it is not the debtor itself
        (printed "For the attention of" in the address), else nobody."""
        self.ensure_one()
        case = self.negotiation_id
        person = case._letter_addressee()
        return person if person != case.partner_id else person.browse()

    # ------------------------------------------------------------------
    # How to pay: the references bank matching uses
    # ------------------------------------------------------------------
    def _payment_reference(self):
        """What the debtor quotes with a payment (see ``debt.negotiation.
        _payment_reference_text``): under the agreement's letters, its
        oldest open invoice's reference."""
        self.ensure_one()
        return self.negotiation_id._payment_reference_text(
            agreement=self.letter_type in ("agreement", "broken_promise")
        )

    # ------------------------------------------------------------------
    # Our proposal, or the question for one
    # ------------------------------------------------------------------
    def _proposal_sentence(self):
        """``{{proposal}}``: with an offer, that the letter sets it out;
        without one, the request for the debtor's own proposal by the
        response deadline."""
        self.ensure_one()
        if self.offer_id:
            return self.env._(
                "This letter sets out the amount in question and our proposal."
            )
        if self.response_deadline:
            return self.env._(
                "Please tell us by %(date)s what you can pay and when.",
                date=self._format_date(self.response_deadline),
            )
        return self.env._("Please tell us what you can pay and when.")

    # ------------------------------------------------------------------
    # A broken agreement's last chance
    # ------------------------------------------------------------------
    def _escalation_date(self):
        """The date the follow-up ladder escalates the case as it is
        planned now, from the step this letter announces on its next date;
        False when no escalation follows."""
        self.ensure_one()
        case = self.negotiation_id
        step = self.next_step_id
        if not (step and self.next_date):
            return False
        Step = self.env["debt.negotiation.followup.step"].sudo()
        ladder = Step._ladders(case.company_id).get(case.followup_ladder_id.id, [])
        steps = Step.browse([key for key, _delay in ladder])
        return case._planned_escalation(
            ladder, steps, step, self.next_date, fallback_due=self.date
        )

    def _cure_sentence(self):
        """``{{cure}}``: the last chance of a broken agreement (see
        ``debt.negotiation._cure_sentence``); the broken-promise letter
        states the date the escalation is planned on."""
        self.ensure_one()
        escalation = (
            self._escalation_date() if self.letter_type == "broken_promise" else False
        )
        return self.negotiation_id._cure_sentence(escalation)


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    def _salutation_for(self, person):
        """ "Dear <person>" for a named person, else "Dear Sir or Madam", in
        the language of the environment."""
        if person and person.name and not person.is_company:
            return self.env._("Dear %(name)s", name=person.name)
        return self.env._("Dear Sir or Madam")

    def _cure_sentence(self, escalation=False):
        """The last chance of a broken agreement, as the agreement check
        grants it (``_cure``): the missed amount paid before the claim is
        escalated puts the agreement back in force. The agreement letter,
        the late-installment email and the broken-promise letter say it in
        these same words; with ``escalation``, the date it is planned on."""
        self.ensure_one()
        if escalation and escalation >= fields.Date.context_today(self):
            return self.env._(
                "Until the claim is escalated, planned on %(date)s, paying the "
                "missed amount puts the agreement back in force; after that, "
                "any reduction granted is cancelled and the full remaining "
                "balance is due.",
                date=format_date(self.env, escalation),
            )
        return self.env._(
            "Until the claim is escalated, paying the missed amount puts the "
            "agreement back in force; after that, any reduction granted is "
            "cancelled and the full remaining balance is due."
        )

    # ------------------------------------------------------------------
    # The covering emails (their templates call these)
    # ------------------------------------------------------------------
    def _mail_letter(self):
        """The letter the email being rendered covers (the letters being
        sent, in the context), else the case's latest letter."""
        self.ensure_one()
        ids = self.env.context.get("debt_negotiation_letter_ids") or []
        letters = self.letter_ids.filtered(lambda letter: letter.id in ids)
        return letters[:1] or self.letter_ids.sorted("id")[-1:]

    def _mail_amount(self):
        """The amount the covering email states: the one its letter
        demands, else what is claimed."""
        self.ensure_one()
        letter = self._mail_letter()
        return letter.amount_due if letter else self.amount_claimed

    def _mail_salutation(self):
        """The greeting of an email to the case's letters contact."""
        self.ensure_one()
        return self._salutation_for(self.letter_recipient_id)

    def _mail_author(self):
        """Who our emails to the debtor are from, whoever sends them: the
        case's negotiator, else the company; never the system's bot. An
        author needs an email address to send from: without one anywhere,
        nobody is named (Odoo's default author)."""
        self.ensure_one()
        user = self.user_id
        authors = [self.company_id.partner_id]
        if user and user.active and not user.share and not user._is_superuser():
            authors.insert(0, user.partner_id)
        for author in authors:
            if author.email:
                return author
        return self.env["res.partner"]

    def _mail_author_values(self, template=None):
        """The author of our emails on the case (:meth:`_mail_author`), to
        post them with: ``{"author_id", "email_from"}``, the sender address
        the one ``template`` renders (else the author's); nothing when
        nobody can be named (Odoo's default author then). The composer
        computes neither once one is given: both are."""
        self.ensure_one()
        author = self._mail_author()
        if not author:
            return {}
        values = {"author_id": author.id}
        if template:
            rendered = template.sudo()._render_field("email_from", self.ids)
            values["email_from"] = rendered.get(self.id) or author.email_formatted
        return values

    def _payment_invoices(self, agreement=False):
        """The invoices whose payment references the debtor quotes: under
        an agreement (``agreement``), the oldest open invoice it covers (a
        plan's payments are matched to it first); else the open invoices
        claimed (neither disputed nor under an agreement in force), oldest
        first."""
        self.ensure_one()
        if agreement:
            invoices = self.agreement_id.invoice_ids or self.invoice_ids
        else:
            invoices = (
                self.invoice_ids.filtered(lambda m: not m.negotiation_disputed)
                - self._agreed_invoices()
            )
        invoices = invoices.filtered(
            lambda m: (
                m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
            )
        ).sorted(lambda m: (m.invoice_date_due or m.invoice_date, m.id))
        return invoices[:1] if agreement else invoices

    def _payment_reference_text(self, agreement=False):
        """What the debtor quotes with a payment, so that bank matching
        finds the invoices: their payment references (a few listed, else
        "the payment reference of each invoice"); under an agreement
        (``agreement``), its oldest open invoice's. The case reference only
        when no invoice is open."""
        self.ensure_one()
        references = [
            invoice.payment_reference or invoice.name
            for invoice in self._payment_invoices(agreement=agreement)
        ]
        if not references:
            return self.name
        if len(references) > MAX_LISTED_REFERENCES:
            return self.env._("the payment reference of each invoice")
        return ", ".join(references)

    def _mail_payment_reference(self):
        """What the debtor quotes with a payment, in an email (under an
        agreement in force: its oldest open invoice's reference)."""
        self.ensure_one()
        return self._payment_reference_text(
            agreement=self.state in ("agreement", "broken") and bool(self.agreement_id)
        )

    def _mail_online_actions(self):
        """What the debtor can do online now, as a sentence (the emails list
        only what is still possible), or an empty string."""
        self.ensure_one()
        actions = []
        if self._portal_open_offers():
            actions.append(self.env._("accept and sign our proposal"))
        if self._portal_can_counter():
            actions.append(self.env._("make a counter-offer"))
        if self._portal_can_dispute():
            actions.append(self.env._("dispute the claim"))
        if self._portal_payment()[0]:
            actions.append(self.env._("pay"))
        if not actions:
            return ""
        return self.env._(
            "You can also answer online, without an account: %(actions)s.",
            actions=", ".join(actions),
        )
