# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models
from odoo.exceptions import UserError

from ..const import CHASING_STATES, DEADLINE_LETTER_TYPES
from .debt_negotiation_letter import SIGNATURE_FIELDS
from .workflow import internal as _internal


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    letter_recipient_id = fields.Many2one(
        "res.partner",
        string="Letters To",
        compute="_compute_letter_recipient_id",
        help="Who the letters go to, by post and by email: the debtor's "
        "invoicing contact (accounts payable) when it has one with an email "
        "address, else the debtor.",
    )

    @api.depends(
        "partner_id", "partner_id.child_ids.type", "partner_id.child_ids.email"
    )
    def _compute_letter_recipient_id(self):
        for case in self:
            partner = case.partner_id
            contact = partner.browse(
                partner.address_get(["invoice"]).get("invoice") if partner else False
            )
            case.letter_recipient_id = contact if contact.email else partner

    def _letter_contact(self):
        """Who the letters are for: the debtor's invoicing contact (accounts
        payable), else the debtor itself."""
        self.ensure_one()
        partner = self.partner_id
        contact_id = (
            partner.address_get(["invoice"]).get("invoice") if partner else False
        )
        return partner.browse(contact_id) or partner

    def _letter_postal_partner(self):
        """Whose postal address the letters are posted to: the invoicing
        contact's when it has one, else the debtor's; nobody when neither
        has a postal address."""
        self.ensure_one()
        for partner in (self._letter_contact(), self.partner_id):
            if partner.street and (partner.zip or partner.city):
                return partner
        return self.env["res.partner"]

    def _letter_addressee(self):
        """The person a letter is addressed to, greeted by name: the
        invoicing contact when it is a named person, or the debtor when it
        is one; nobody when the letters go to a company ("Dear Sir or
        Madam")."""
        self.ensure_one()
        contact = self._letter_contact()
        if contact.is_company or not contact.name:
            return self.env["res.partner"]
        return contact

    def _letter_reach(self, step=None):
        """``(by email, by post)``: whether the letters (of follow-up
        ``step``) can reach the debtor by email (the contact they are
        emailed to has an address) and by post."""
        self.ensure_one()
        to = self._letter_recipients(step)[0]
        return (
            # an address whose emails bounce (until it writes to us again)
            # reaches nobody
            bool(to.email_normalized and not to.message_bounce),
            bool(self._letter_postal_partner()),
        )

    def _letter_recipients(self, step=None):
        """``(to, cc)``: who the letter of follow-up ``step`` is emailed to
        (the debtor's contact with the step's role and an email address,
        else the letters' recipient) and copied to (the contacts with the
        step's copy role, the invoices' salesperson)."""
        self.ensure_one()
        to = self.letter_recipient_id
        cc = self.env["res.partner"]
        if not step:
            return to, cc
        if step.recipient_role and step.recipient_role != "invoice":
            to = self._contacts_with_role(step.recipient_role)[:1] or to
        if step.cc_role:
            cc |= self._contacts_with_role(step.cc_role)
        if step.cc_salesperson:
            salespeople = self.invoice_ids.invoice_user_id or self.partner_id.user_id
            cc |= salespeople.partner_id.filtered("email_normalized")
        return to, cc - to

    def _contacts_with_role(self, role):
        """The debtor's contacts with ``role`` and an email address."""
        self.ensure_one()
        return self.partner_id.child_ids.filtered(
            lambda c: c.negotiation_contact_role == role and c.email_normalized
        )

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_open_letter_wizard(self):
        """ "Print Letter": choose the letter type and channel."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Print Letter"),
            "res_model": "debt.negotiation.letter.wizard",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_negotiation_id": self.id,
                "default_channel": self.env.context.get("default_channel", "post"),
            },
        }

    def action_send_letter_email(self):
        """ "Send by Email": choose the letter, then the mail composer."""
        return self.with_context(default_channel="email").action_open_letter_wizard()

    def action_print_current_letter(self):
        """ "Current Letter" (Print menu): the letter of each case's current
        step, generated now (checked against the case) unless one was
        today, downloaded as stored."""
        letters = self.env["debt.negotiation.letter"]._current_letters(self)
        return letters.action_print()

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _statement_pdf(self):
        """(PDF bytes, file name) of the debtor's statement of account with
        the case's company, in the debtor's language (for the debtor's page:
        the caller has checked the visitor's access to the case)."""
        self.ensure_one()
        pdf, _type = self.env["ir.actions.report"]._render_qweb_pdf(
            "debt_negotiation.action_report_case_statement", self.ids
        )
        return pdf, "%s.pdf" % self.env._("Statement %(case)s", case=self.name).replace(
            "/", "_"
        )

    def _generate_letter(
        self,
        letter_type,
        channel="post",
        offer=False,
        installment=False,
    ):
        """Generate a letter of ``letter_type`` for each case of ``self``.

        Creates the ``debt.negotiation.letter`` records, renders their PDFs
        in one wkhtmltopdf run and stores each as an attachment of its
        letter (never regenerated), notes the letter in the case's chatter
        and logs an outbound ``letter``/``email`` interaction. Each case
        keeps the response deadline its new letter states.

        :param letter_type: ``reminder``, ``negotiation``, ``final_notice``,
            ``agreement``, ``broken_promise``, ``handover`` or ``closure``
        :param channel: ``post`` (the letter waits in "Letters to Send") or
            ``email`` (the caller sends it, e.g. ``letters._send_email()``
            or ``letter.action_send_email()``, which mark it sent)
        :param offer: offer record(s) or id whose terms the letter states;
            per case, the one belonging to it (default: the case's open
            creditor offer; for agreement/broken-promise letters the agreed
            offer)
        :param installment: installment record(s) or id (broken-promise
            letters; default: the oldest missed, else late, installment)
        An agreement letter carries the signatures of the case's agreement
        (who signed for the debtor and for us, when, the drawn signatures),
        taken from the agreement, never given.
        Under ``workflow.without_pdf`` the PDF is not rendered (it is
        rendered and stored on first print).
        :return: the new letters (``debt.negotiation.letter``)
        """
        Letter = self.env["debt.negotiation.letter"]
        if letter_type not in dict(Letter._fields["letter_type"].selection):
            raise UserError(
                self.env._("Unknown letter type: %(type)s", type=letter_type)
            )
        if channel not in ("post", "email"):
            raise UserError(
                self.env._("Unknown letter channel: %(channel)s", channel=channel)
            )
        if not self:
            return Letter
        if isinstance(offer, int):
            offer = self.env["debt.negotiation.offer"].browse(offer)
        if isinstance(installment, int):
            installment = self.env["debt.negotiation.installment"].browse(installment)
        for case in self:
            case._check_letter_type(
                letter_type,
                offer=offer.filtered(lambda o, c=case: o.negotiation_id == c)
                if offer
                else None,
                installment=installment.filtered(
                    lambda i, c=case: i.negotiation_id == c
                )
                if installment
                else None,
            )
        vals_list = []
        for case in self:
            vals = case._prepare_letter_values(
                letter_type,
                offer=offer.filtered(lambda o, c=case: o.negotiation_id == c)[:1]
                if offer
                else None,
                installment=installment.filtered(
                    lambda i, c=case: i.negotiation_id == c
                )[:1]
                if installment
                else None,
            )
            vals_list.append(dict(vals, channel=channel))
            deadline = vals["response_deadline"]
            if deadline and case.response_deadline != deadline:
                case.response_deadline = deadline
        return Letter._generate(vals_list)

    def _check_letter_type(self, letter_type, offer=None, installment=None):
        """Refuse a letter of ``letter_type`` that would not be true of the
        case now: every generation path (follow-ups, agreement, wizard,
        printing) goes through this check.

        - no letter on a settled or cancelled case, nor on a disputed one
          (the chasing pauses);
        - the demand letters (reminder, negotiation, final notice) only
          while debt is chased (under an agreement in force: only debt
          outside it), never once the case is escalated (handed over);
        - the agreement confirmation only of the case's agreement, stating
          that agreement's offer (so its signature never lands on another);
        - the broken-promise letter only for an unpaid installment of the
          agreement that is past due;
        - the closure letter only for a settled case, once, stating the
          agreement it kept if any.

        :param offer: the offer the letter would state, if given
        :param installment: the installment it would state, if given
        """
        self.ensure_one()
        if letter_type == "closure":
            return self._check_closure_letter(offer=offer)
        if self.state in ("settled", "cancelled", "disputed"):
            raise UserError(
                self.env._(
                    "No letter can be generated for case %(case)s: it is %(state)s.",
                    case=self.name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        self.state
                    ],
                )
            )
        if letter_type in ("reminder", "negotiation", "final_notice"):
            self._check_demand_letter()
            return
        if letter_type == "handover":
            if not (
                self.state == "escalated" and self.agency_id and self.handover_date
            ):
                raise UserError(
                    self.env._(
                        "Case %(case)s has not been handed over to an agency: "
                        "no hand-over notice can be sent.",
                        case=self.name,
                    )
                )
            return
        self._check_agreement_letter(letter_type, offer, installment)

    def _check_demand_letter(self):
        """Refuse a demand letter (reminder, negotiation letter, final
        notice) when no debt is chased (see :meth:`_check_letter_type`)."""
        if self.state == "escalated":
            raise UserError(
                self.env._(
                    "Case %(case)s is escalated (handed over for "
                    "collection): we send it no more demand letters.",
                    case=self.name,
                )
            )
        if self._credits_cover_claim() and not self.currency_id.is_zero(
            self.amount_claimed
        ):
            raise UserError(
                self.env._(
                    "Nothing is due on case %(case)s: the debtor's unapplied "
                    "payments and credit notes (%(credits)s) cover the "
                    "%(claimed)s claimed. Reconcile them with the invoices "
                    "instead of sending a demand letter.",
                    case=self.name,
                    credits=self.currency_id.format(self.amount_unapplied),
                    claimed=self.currency_id.format(self.amount_claimed),
                )
            )
        if self.state == "agreement" and self.currency_id.is_zero(self.amount_claimed):
            raise UserError(
                self.env._(
                    "Case %(case)s is under an agreement: its installments "
                    "are monitored and no demand letter is sent for the "
                    "debt it covers.",
                    case=self.name,
                )
            )

    def _check_agreement_letter(self, letter_type, offer, installment):
        """Refuse an agreement confirmation or a broken-promise letter that
        would not state this case's agreement (see
        :meth:`_check_letter_type`)."""
        agreement = self.agreement_id
        if letter_type == "agreement":
            if not agreement:
                raise UserError(
                    self.env._(
                        "Case %(case)s has no confirmed agreement to print.",
                        case=self.name,
                    )
                )
            if offer and offer != agreement.offer_id:
                raise UserError(
                    self.env._(
                        "The agreement confirmation of case %(case)s states "
                        "the agreed offer only.",
                        case=self.name,
                    )
                )
            return
        if letter_type == "broken_promise":
            today = fields.Date.context_today(self)
            if installment is None:
                installment = self._letter_default_installment(letter_type)
            if (
                not agreement
                or self.state not in ("agreement", "broken")
                or not installment
                or installment.agreement_id != agreement
                or installment.state == "paid"
                or not installment.due_date
                or installment.due_date >= today
            ):
                raise UserError(
                    self.env._(
                        "Case %(case)s has no agreement whose payment was "
                        "missed: no broken-promise letter can be sent.",
                        case=self.name,
                    )
                )

    def _check_closure_letter(self, offer=None):
        """Refuse a closure letter unless the case is settled and has none
        yet; it states the agreement the debtor kept, no other offer."""
        self.ensure_one()
        if self.state != "settled":
            raise UserError(
                self.env._(
                    "Case %(case)s is not settled: no closure letter can be "
                    "sent while anything is still due.",
                    case=self.name,
                )
            )
        if self._closure_letter():
            raise UserError(
                self.env._(
                    "Case %(case)s already has its closure letter: print it "
                    "from the case's letters.",
                    case=self.name,
                )
            )
        if offer and offer != self._fulfilled_agreement().offer_id:
            raise UserError(
                self.env._(
                    "The closure letter of case %(case)s states only the "
                    "agreement the debtor kept.",
                    case=self.name,
                )
            )

    def _current_letter(self, today_only=False):
        """The stored letter of the case's current step: under an agreement,
        the agreement's confirmation; else the latest letter of the type its
        follow-up step sends (generated today, with ``today_only``)."""
        self.ensure_one()
        letter_type = self._get_default_letter_type()
        if letter_type == "agreement":
            return self.env["debt.negotiation.letter"]._agreement_letter_of(self)
        if letter_type == "closure":
            return self._closure_letter()
        today = fields.Date.context_today(self)
        return self.letter_ids.filtered(
            lambda lt: (
                lt.letter_type == letter_type and (not today_only or lt.date == today)
            )
        ).sorted("id")[-1:]

    def _agreement_letter(self):
        """The confirmation letter of the case's agreement in force: the one
        generated when it was confirmed, else (an agreement confirmed before
        its letter could be generated) a new one stating that agreement's
        offer and signature, kept as its letter."""
        self.ensure_one()
        agreement = self.agreement_id
        letter = self.env["debt.negotiation.letter"]._agreement_letter_of(self)
        if letter:
            return letter
        letter = self._generate_letter("agreement", offer=agreement.offer_id)
        _internal(agreement).write({"letter_id": letter.id})
        return letter

    def _prepare_letter_values(self, letter_type, offer=None, installment=None):
        """Values of a new letter of ``letter_type`` on this case, stating
        ``offer`` and ``installment`` (default: those of the case)."""
        self.ensure_one()
        if offer is None:
            offer = self._letter_default_offer(letter_type)
        if installment is None:
            installment = self._letter_default_installment(letter_type)
        deadline, next_date = self._letter_dates(letter_type, offer)
        return {
            **self._letter_signatures(letter_type, offer),
            "negotiation_id": self.id,
            "letter_type": letter_type,
            "offer_id": offer.id,
            "installment_id": installment.id,
            "amount_due": self._letter_amount(letter_type),
            "response_deadline": deadline,
            "next_date": next_date,
            # the step the ladder has planned: what the letter announces
            "next_step_id": self.next_step_id.id
            if next_date and self.state in CHASING_STATES
            else False,
        }

    def _letter_signatures(self, letter_type, offer):
        """The signatures a new letter of ``letter_type`` stating ``offer``
        prints: for the confirmation of the case's agreement, the
        agreement's own (as it holds them); none otherwise."""
        self.ensure_one()
        agreement = self.agreement_id
        if letter_type != "agreement" or not agreement or offer != agreement.offer_id:
            return {}
        agreement = agreement.with_context(bin_size=False)
        return {name: agreement[name] or False for name in SIGNATURE_FIELDS}

    def _letter_amount(self, letter_type):
        """What a letter of ``letter_type`` demands: for the agreement's own
        letters, the debt under agreement; for the others, what is claimed
        (not disputed, not covered by an agreement in force), less the
        debtor's unapplied credits."""
        self.ensure_one()
        currency = self.currency_id
        if letter_type == "closure":
            return 0.0
        if letter_type in ("agreement", "broken_promise"):
            return currency.round(self.amount_due - self.amount_disputed)
        return max(currency.round(self.amount_claimed - self.amount_unapplied), 0.0)

    def _letter_default_offer(self, letter_type):
        """The offer a letter of ``letter_type`` states by default."""
        self.ensure_one()
        if letter_type in ("agreement", "broken_promise"):
            return (
                self.agreement_id.offer_id
                or self.offer_ids.filtered(lambda o: o.state == "accepted").sorted(
                    "id"
                )[-1:]
            )
        if letter_type in ("negotiation", "final_notice"):
            proposed = self.offer_ids.filtered(
                lambda o: o.state == "proposed" and o.origin == "creditor"
            )
            return proposed.sorted("id")[-1:]
        if letter_type == "closure":
            return self._fulfilled_agreement().offer_id
        return self.env["debt.negotiation.offer"]

    def _letter_default_installment(self, letter_type):
        self.ensure_one()
        if letter_type != "broken_promise":
            return self.env["debt.negotiation.installment"]
        installments = self.installment_ids.sorted(
            lambda i: (i.due_date, i.sequence, i.id)
        )
        today = fields.Date.context_today(self)
        return (
            installments.filtered(lambda i: i.state == "missed")[:1]
            or installments.filtered(lambda i: i.state == "late")[:1]
            or installments.filtered(
                lambda i: i.state != "paid" and i.due_date and i.due_date < today
            )[:1]
        )

    def _letter_dates(self, letter_type, offer=False):
        """Return ``(response_deadline, next_date)`` of a new letter.

        The response deadline is the open offer's expiry, else the case's
        deadline when still ahead, else today + the company's response
        days. The next step happens on the case's ``next_action_date`` when
        it is after the deadline, else on the deadline (the follow-ups never
        act before it).
        """
        self.ensure_one()
        if letter_type not in DEADLINE_LETTER_TYPES:
            return False, False
        today = fields.Date.context_today(self)
        if (
            offer
            and offer.state == "proposed"
            and offer.expiry_date
            and offer.expiry_date >= today
        ):
            deadline = offer.expiry_date
        elif self.response_deadline and self.response_deadline >= today:
            deadline = self.response_deadline
        else:
            days = self.company_id.negotiation_response_days or 14
            deadline = fields.Date.add(today, days=days)
        # the follow-ups never act before the response deadline: the next
        # step comes on its planned date, or on the deadline when later
        next_date = deadline
        if self.next_action_date and self.next_action_date > deadline:
            next_date = self.next_action_date
        return deadline, next_date

    def _get_default_letter_type(self):
        """The letter the case's current follow-up step would send, else
        the formal negotiation letter."""
        self.ensure_one()
        if self.state == "settled":
            return "closure"
        if self.state == "broken":
            return "broken_promise"
        if self.state == "agreement":
            return "agreement"
        if self.oldest_due_date:
            today = fields.Date.context_today(self)
            steps = self.followup_ladder_id.step_ids.filtered("letter_type")
            reached = steps.filtered(
                lambda s: (
                    fields.Date.add(self.oldest_due_date, days=s.delay_days) <= today
                )
            )
            if reached:
                return reached[-1].letter_type
        return "negotiation"

    def _preview_letters(self, letter_type=False):
        """Unsaved letters of the cases, to render an HTML preview."""
        Letter = self.env["debt.negotiation.letter"]
        letters = Letter
        today = fields.Date.context_today(self)
        for case in self:
            vals = case._prepare_letter_values(
                letter_type or case._get_default_letter_type()
            )
            letters |= Letter.new(dict(vals, channel="post", date=today))
        return letters
