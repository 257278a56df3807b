# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import formatLang

from ..const import DEADLINE_LETTER_TYPES, LETTER_TYPES
from .debt_negotiation_evidence_mixin import EVIDENCE_VERSION
from .workflow import is_workflow, skips_pdf, workflow

# What a user may still change on a letter: how and when it was sent.
SENDING_FIELDS = frozenset({"state", "sent_date", "channel"})
# Who signed an agreement letter: copied from the case's agreement only.
SIGNATURE_FIELDS = (
    "signed_by",
    "signed_on",
    "signature",
    "creditor_signed_by",
    "creditor_signature",
)
# Held only by the addon's own code: a JSON-RPC client cannot send it, so a
# context carrying it is the addon storing a letter's PDF, never a user.
_STORING_PDF = object()
STORING_PDF_KEY = "debt_negotiation_storing_letter_pdf"

# The report rendering one letter record (it keeps the stored PDF).
LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"


class DebtNegotiationLetter(models.Model):
    _name = "debt.negotiation.letter"
    _description = "Debt Negotiation Letter"
    _inherit = ["debt.negotiation.evidence.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, precompute=True)
    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(
        related="negotiation_id.partner_id",
        store=True,
        string="Debtor",
        precompute=True,
    )
    currency_id = fields.Many2one(related="negotiation_id.currency_id")
    letter_type = fields.Selection(LETTER_TYPES, required=True, readonly=True)
    date = fields.Date(required=True, default=fields.Date.context_today, readonly=True)
    channel = fields.Selection(
        [("post", "Post"), ("email", "Email")],
        required=True,
        default="post",
    )
    state = fields.Selection(
        [("to_send", "To Send"), ("sent", "Sent")],
        required=True,
        default="to_send",
        index=True,
    )
    attachment_id = fields.Many2one(
        "ir.attachment",
        string="PDF",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The letter exactly as generated; it never changes afterwards.",
    )
    sent_date = fields.Datetime(readonly=True, copy=False)
    # What the letter is about, kept as generated.
    offer_id = fields.Many2one(
        "debt.negotiation.offer",
        readonly=True,
        ondelete="set null",
        check_company=True,
        help="The offer whose terms the letter states.",
    )
    installment_id = fields.Many2one(
        "debt.negotiation.installment",
        string="Missed Installment",
        readonly=True,
        ondelete="set null",
        check_company=True,
    )
    amount_due = fields.Monetary(
        readonly=True, help="What the debtor owed when the letter was generated."
    )
    response_deadline = fields.Date(
        readonly=True,
        help="Date by which the debtor must answer or pay, as stated in the letter.",
    )
    next_date = fields.Date(
        string="Next Step On",
        readonly=True,
        help="Date of the next step announced in the letter when there is no answer.",
    )
    next_step_id = fields.Many2one(
        "debt.negotiation.followup.step",
        string="Announced Next Step",
        readonly=True,
        ondelete="set null",
        help="The follow-up step the letter announces for its next date "
        "(its {{next_step}}).",
    )
    signed_by = fields.Char(
        readonly=True, help="Agreement letters: who signed for the debtor."
    )
    signed_on = fields.Date(readonly=True)
    signature = fields.Image(readonly=True, max_width=1024, max_height=1024)
    creditor_signed_by = fields.Char(
        readonly=True, help="Agreement letters: who signed for the creditor."
    )
    creditor_signature = fields.Image(readonly=True, max_width=1024, max_height=1024)

    # ------------------------------------------------------------------
    # COMPUTE METHODS
    # ------------------------------------------------------------------
    @api.depends("letter_type", "negotiation_id.name", "date")
    def _compute_name(self):
        labels = dict(self._fields["letter_type"]._description_selection(self.env))
        for letter in self:
            letter.name = " - ".join(
                part
                for part in (
                    labels.get(letter.letter_type),
                    letter.negotiation_id.name,
                )
                if part
            )

    # ------------------------------------------------------------------
    # CONSTRAINTS
    # ------------------------------------------------------------------
    @api.constrains("negotiation_id", "offer_id", "installment_id")
    def _check_own_case(self):
        """A letter states its own case's offer and installment, never
        another case's."""
        for letter in self:
            case = letter.negotiation_id
            if (letter.offer_id and letter.offer_id.negotiation_id != case) or (
                letter.installment_id and letter.installment_id.negotiation_id != case
            ):
                raise ValidationError(
                    self.env._(
                        "A letter of case %(case)s can only state the offers "
                        "and installments of that case.",
                        case=case.name,
                    )
                )

    @api.constrains("letter_type", "offer_id", *SIGNATURE_FIELDS)
    def _check_signatures(self):
        """The signatures a letter prints are those of its case's agreement
        on the offer it states, copied when it is generated: never given."""
        for letter in self.with_context(bin_size=False):
            signed = {name: letter[name] or False for name in SIGNATURE_FIELDS}
            if not any(signed.values()):
                continue
            agreement = letter.negotiation_id.agreement_ids.filtered(
                lambda a, lt=letter: a.offer_id == lt.offer_id
            ).sorted("id")[-1:]
            if letter.letter_type != "agreement" or not agreement:
                raise ValidationError(
                    self.env._(
                        "Only the confirmation of an agreement carries "
                        "signatures: those of the agreement."
                    )
                )
            agreement = agreement.with_context(bin_size=False)
            if any(
                (agreement[name] or False) != value for name, value in signed.items()
            ):
                raise ValidationError(
                    self.env._(
                        "The signatures of an agreement letter are those of "
                        "its agreement (%(agreement)s).",
                        agreement=agreement.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not is_workflow(self):
            # A letter is the addon's statement to the debtor, checked
            # against the case when it is generated (_generate_letter):
            # nobody writes one by hand, managers included.
            raise UserError(
                self.env._(
                    "Letters are generated by the application from the case "
                    "(Print Letter, the follow-ups, the agreement), checked "
                    "against it: they cannot be created by hand."
                )
            )
        if any(vals.get("attachment_id") for vals in vals_list):
            raise UserError(
                self.env._(
                    "The PDF of a letter is generated by the letter itself; "
                    "it cannot be given."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if self.env.context.get(STORING_PDF_KEY) is _STORING_PDF:
            return super().write(vals)
        if set(vals) - SENDING_FIELDS:
            raise UserError(
                self.env._(
                    "A letter is kept exactly as it was generated: only how and "
                    "when it was sent can be recorded."
                )
            )
        if (
            "channel" in vals
            and any(
                letter.state == "sent" and letter.channel != vals["channel"]
                for letter in self
            )
            and vals.get("state") != "sent"
        ):
            raise UserError(
                self.env._("The channel of a letter already sent cannot change.")
            )
        return super().write(vals)

    def _store_pdf(self, attachment):
        """Link ``attachment``, just rendered for this letter, as its PDF:
        the only way a letter gets one, and only once."""
        self.ensure_one()
        if self.attachment_id:
            raise UserError(
                self.env._("The PDF of a generated letter can never be replaced.")
            )
        if (attachment.res_model, attachment.res_id) != (self._name, self.id):
            raise UserError(
                self.env._("A letter's PDF must be the one rendered for that letter.")
            )
        self.with_context(**{STORING_PDF_KEY: _STORING_PDF}).write(
            {"attachment_id": attachment.id}
        )

    def _evidence_description(self):
        self.ensure_one()
        return self.env._("Letter: %(letter)s (PDF)", letter=self.name)

    def _evidence_payload(self, version=EVIDENCE_VERSION):
        """A letter is sealed with its PDF (the bytes as generated) and what
        it states; not how or when it is sent, which is recorded later (the
        same in every version)."""
        self.ensure_one()
        return {
            "case": self.negotiation_id.id,
            "letter_type": self.letter_type,
            "date": self.date,
            "amount_due": self._evidence_amount(self.amount_due, self.currency_id),
            "response_deadline": self.response_deadline or False,
            "next_date": self.next_date or False,
            "offer": self.offer_id.id or False,
            "installment": self.installment_id.id or False,
            **self._evidence_signatures(),
            "document": self.attachment_id.raw or b"",
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_except_generated(self):
        if any(letter.attachment_id or letter.state == "sent" for letter in self):
            raise UserError(
                self.env._(
                    "Generated or sent letters are kept on record and cannot be "
                    "deleted."
                )
            )

    # ------------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------------
    def action_mark_sent(self):
        self._mark_sent()
        return True

    def action_print(self):
        """Download the stored PDF of the letters, as one document."""
        if not self:
            raise UserError(self.env._("Select the letters to print."))
        self._ensure_pdf()
        return self.env.ref(LETTER_REPORT).report_action(self, config=False)

    def action_print_and_mark_sent(self):
        """Letters to send by post: print them as one PDF and mark them sent."""
        letters = self.filtered(lambda letter: letter.channel == "post")
        if not letters:
            raise UserError(self.env._("Select the postal letters to print."))
        action = letters.action_print()
        letters._mark_sent()
        return action

    def action_send_email(self):
        """Open the mail composer on the case with the stored PDF attached
        and the email template of the letter type; the letter is marked
        sent when the email goes out."""
        self.ensure_one()
        if self.state == "sent" and self.channel == "email":
            raise UserError(self.env._("This letter has already been sent by email."))
        self._ensure_pdf()
        template = self._get_mail_template()
        case = self.negotiation_id
        ctx = {
            "default_model": "debt.negotiation",
            "default_res_ids": case.ids,
            "default_composition_mode": "comment",
            "default_template_id": template.id if template else False,
            "default_attachment_ids": [fields.Command.set(self._pdf_copy().ids)],
            "default_partner_ids": case.letter_recipient_id.ids,
            "default_subtype_xmlid": "mail.mt_comment",
            "default_email_layout_xmlid": "mail.mail_notification_layout",
            "force_email": True,
            "debt_negotiation_letter_ids": self.ids,
        }
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Letter by Email"),
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": ctx,
        }

    # ------------------------------------------------------------------
    # BUSINESS METHODS: wording
    # ------------------------------------------------------------------
    def _get_text_template(self):
        self.ensure_one()
        return self.env["debt.negotiation.letter.template"]._get_for(
            self.letter_type, self.company_id or self.negotiation_id.company_id
        )

    def _negotiator(self):
        """The person the letter names as the debtor's contact and signs
        for the creditor: the case's negotiator, never the system's bot nor
        an archived or portal user (then the department speaks)."""
        self.ensure_one()
        user = self.negotiation_id.user_id
        if not user or user._is_superuser() or user.share or not user.active:
            return self.env["res.users"]
        return user

    def _address_partner(self):
        """The contact the letter is addressed to: the debtor's invoice
        address."""
        self.ensure_one()
        partner = self.negotiation_id.partner_id
        address_id = partner.address_get(["invoice"]).get("invoice")
        return self.env["res.partner"].browse(address_id) if address_id else partner

    def _format_amount(self, amount):
        self.ensure_one()
        currency = self.negotiation_id.currency_id
        return self.env["ir.qweb.field.monetary"].value_to_html(
            amount, {"display_currency": currency}
        )

    def _format_date(self, value):
        return value and self.env["ir.qweb.field.date"].value_to_html(value, {}) or ""

    def _placeholder_values(self):
        """Values of the ``{{name}}`` placeholders of the editable texts,
        formatted in the language of ``self.env`` (the debtor's)."""
        self.ensure_one()
        case = self.negotiation_id
        company = case.company_id
        installment = self.installment_id
        return {
            "debtor": case.partner_id.name or "",
            "reference": case.name or "",
            "company": company.name or "",
            "department": company.negotiation_department or company.name or "",
            "phone": company.negotiation_phone or company.phone or "",
            "email": company.negotiation_email or company.email or "",
            "negotiator": self._negotiator().name or "",
            "date": self._format_date(self.date),
            "amount_due": self._format_amount(self.amount_due),
            "response_deadline": self._format_date(self.response_deadline),
            "next_date": self._format_date(self.next_date or self.response_deadline),
            "installment_amount": installment
            and self._format_amount(installment.amount_residual or installment.amount)
            or "",
            "installment_date": installment
            and self._format_date(installment.due_date)
            or "",
            "grace_days": str(company.negotiation_grace_days or 0),
            "previous_letters": self._previous_letters_sentence(),
            "next_step": self._next_step_clause(),
            "agency": case.agency_id.commercial_partner_id.name or "",
            "handover_date": self._format_date(case.handover_date),
        }

    def _next_step_clause(self):
        """``{{next_step}}``: what the creditor does on the letter's next
        date, from the step the follow-up ladder really has planned, as the
        main clause of "If ... by {{next_date}}, {{next_step}}."."""
        self.ensure_one()
        step = self.next_step_id
        agency = self.negotiation_id.agency_id
        if step.escalate and agency:
            return self.env._(
                "we will hand the claim over to %(agency)s, which may add "
                "costs to the amount you owe",
                agency=agency.commercial_partner_id.name,
            )
        if step.escalate:
            return self.env._(
                "we will hand the claim over to a collection agency or start "
                "legal proceedings, which may add costs to the amount you owe"
            )
        clauses = {
            "reminder": self.env._("we will send you a reminder"),
            "negotiation": self.env._(
                "we will send you a formal letter to agree on a solution"
            ),
            "final_notice": self.env._(
                "we will send you a final notice, after which the claim may be "
                "handed over to a collection agency or to our lawyers"
            ),
        }
        if step.letter_type in clauses:
            return clauses[step.letter_type]
        if step:
            return self.env._("we will call you to agree on a solution")
        return self.env._(
            "our credit management department will review your file and "
            "decide on the next steps"
        )

    def _previous_letters_sentence(self):
        """``{{previous_letters}}``: the dates of the demand letters that
        went out on this case before this one, as a sentence; empty when
        none did (a letter never says "despite our reminders" otherwise)."""
        self.ensure_one()
        before = self.negotiation_id.letter_ids.filtered(
            lambda lt: (
                lt.state == "sent"
                and lt.letter_type in DEADLINE_LETTER_TYPES
                and lt.date
                and self.date
                and lt.date < self.date
            )
        )
        dates = sorted(set(before.mapped("date")))
        if not dates:
            return ""
        return self.env._(
            "We already wrote to you about them on %(dates)s.",
            dates=", ".join(self._format_date(day) for day in dates),
        )

    def _get_letter_texts(self):
        """The editable texts of this letter's type, placeholders filled:
        ``{'title', 'intro', 'next_steps', 'closing', 'signatory'}``."""
        self.ensure_one()
        template = self._get_text_template().with_env(self.env)
        values = self._placeholder_values()
        return template._render_texts(values)

    # ------------------------------------------------------------------
    # BUSINESS METHODS: content of the report
    # ------------------------------------------------------------------
    def _get_open_invoices(self):
        """Invoices listed in the letter: those still open, oldest first
        (all of them when everything is paid). A demand letter on a case
        under agreement lists only the debt outside the agreement."""
        self.ensure_one()
        case = self.negotiation_id
        invoices = case.invoice_ids
        if self.letter_type in ("reminder", "negotiation", "final_notice"):
            invoices -= case._agreed_invoices()
        open_invoices = invoices.filtered(
            lambda m: not m.currency_id.is_zero(m.amount_residual)
        )
        return (open_invoices or invoices).sorted(
            lambda m: (
                m.invoice_date_due or m.invoice_date or fields.Date.today(),
                m.id,
            )
        )

    def _get_schedule_lines(self):
        """``[{'label', 'date', 'amount', 'paid', 'state'}]`` for the offer
        of the letter (the agreed installments when they exist)."""
        self.ensure_one()
        offer = self.offer_id
        if not offer:
            return []
        installments = self.negotiation_id.installment_ids.filtered(
            lambda i: i.offer_id == offer
        ).sorted(lambda i: (i.sequence, i.due_date, i.id))
        if installments:
            state_labels = dict(
                installments._fields["state"]._description_selection(self.env)
            )
            return [
                {
                    "label": inst.name,
                    "date": inst.due_date,
                    "amount": inst.amount,
                    "paid": inst.amount_paid,
                    "state": state_labels.get(inst.state, ""),
                    "record": inst,
                }
                for inst in installments
            ]
        return [
            {
                "label": label,
                "date": due,
                "amount": amount,
                "paid": 0.0,
                "state": "",
                "record": False,
            }
            for label, due, amount in offer._schedule_lines()
        ]

    @api.model
    def _format_sentence(self, translated, **values):
        """Fill a translated sentence with values (markup kept, text
        escaped)."""
        return Markup(escape(translated)) % values

    def _get_terms_lines(self):
        """Sentences stating the terms of the letter's offer, in the
        letter's language."""
        self.ensure_one()
        offer = self.offer_id
        if not offer:
            return []
        lines = self._get_offer_type_lines(offer)
        if offer._has_down_payment():
            lines.append(
                self._format_sentence(
                    self.env._(
                        "A down payment of %(amount)s is due first, on %(date)s."
                    ),
                    amount=self._format_amount(offer.down_payment),
                    date=self._format_date(offer.first_due_date),
                )
            )
        if (
            self.letter_type != "agreement"
            and offer.state == "proposed"
            and offer.expiry_date
            and offer.expiry_date != self.response_deadline
        ):
            lines.append(
                self._format_sentence(
                    self.env._("This proposal is open until %(date)s."),
                    date=self._format_date(offer.expiry_date),
                )
            )
        return lines

    def _get_offer_type_lines(self, offer):
        """Sentences stating what ``offer`` proposes, by offer type."""
        if offer.offer_type == "payment_plan":
            return self._get_payment_plan_lines(offer)
        amount = self._format_amount
        date = self._format_date
        if offer.offer_type == "settlement":
            sentence = self._format_sentence(
                self.env._(
                    "Settlement: we are prepared to accept %(amount)s in full and "
                    "final settlement of the amount due, a reduction of "
                    "%(discount)s (%(percent)s %%), payable by %(date)s."
                ),
                amount=amount(offer.amount),
                discount=amount(offer.discount_amount),
                percent=formatLang(self.env, offer.discount_percent, digits=2),
                date=date(offer.first_due_date),
            )
        elif offer.offer_type == "full_payment":
            sentence = self._format_sentence(
                self.env._("Payment in full: %(amount)s by %(date)s."),
                amount=amount(offer.amount),
                date=date(offer.first_due_date),
            )
        else:
            sentence = self._format_sentence(
                self.env._(
                    "Extension: the amount of %(amount)s may be paid by the new "
                    "due date of %(date)s."
                ),
                amount=amount(offer.amount),
                date=date(offer.first_due_date),
            )
        return [sentence]

    def _get_payment_plan_lines(self, offer):
        """Sentences stating the installments of a payment plan ``offer``."""
        amount = self._format_amount
        date = self._format_date
        interval = (
            self.env._("weekly") if offer.interval == "week" else self.env._("monthly")
        )
        schedule = offer._get_schedule()
        offset = 1 if offer._has_down_payment() else 0
        first_due = (
            schedule[offset][0] if len(schedule) > offset else offer.first_due_date
        )
        lines = [
            self._format_sentence(
                self.env._(
                    "Payment plan: %(amount)s paid in %(count)s %(interval)s "
                    "installments, the first on %(first)s and the last on %(last)s."
                ),
                amount=amount(offer.amount),
                count=offer.installment_count,
                interval=interval,
                first=date(first_due),
                last=date(offer.last_due_date),
            )
        ]
        if offer.discount_amount > 0:
            lines.append(
                self._format_sentence(
                    self.env._(
                        "This is a reduction of %(discount)s (%(percent)s %%) on "
                        "the amount due."
                    ),
                    discount=amount(offer.discount_amount),
                    percent=formatLang(self.env, offer.discount_percent, digits=2),
                )
            )
        return lines

    def _get_broken_promise_lines(self):
        """Sentences of a broken-promise letter: the missed installment and
        what is still due."""
        self.ensure_one()
        lines = []
        installment = self.installment_id
        if installment:
            lines.append(
                self._format_sentence(
                    self.env._(
                        "The payment of %(amount)s due on %(date)s (%(label)s) has "
                        "not been received in full: %(missing)s is missing."
                    ),
                    amount=self._format_amount(installment.amount),
                    date=self._format_date(installment.due_date),
                    label=installment.name or "",
                    missing=self._format_amount(installment.amount_residual),
                )
            )
        installments = self.negotiation_id.installment_ids.filtered(
            lambda i: not self.offer_id or i.offer_id == self.offer_id
        )
        if installments:
            lines.append(
                self._format_sentence(
                    self.env._("Still due under the agreement: %(amount)s."),
                    amount=self._format_amount(
                        sum(installments.mapped("amount_residual"))
                    ),
                )
            )
        return lines

    def _get_payment_account(self):
        """The company bank account the debtor pays to: the one the case's
        invoices name, else one of the company's accounts in the case's
        currency (a bank journal's first), else any of them."""
        self.ensure_one()
        case = self.negotiation_id
        company = case.company_id
        named = case.invoice_ids.sudo().partner_bank_id
        if named:
            return named[:1]
        journals = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("type", "=", "bank"),
                    ("company_id", "=", company.id),
                    ("bank_account_id", "!=", False),
                ]
            )
        )
        accounts = journals.bank_account_id | company.partner_id.sudo().bank_ids
        in_currency = accounts.filtered(
            lambda a: (a.currency_id or company.currency_id) == case.currency_id
        )
        return (in_currency or accounts)[:1]

    # ------------------------------------------------------------------
    # BUSINESS METHODS: generation and sending
    # ------------------------------------------------------------------
    @api.model
    def _generate(self, vals_list):
        """Create the letters of ``vals_list``, render and store their PDF
        (under ``workflow.without_pdf``: on first print), note them in their
        cases' chatter and log the outbound interactions."""
        # the only creation of letters (see create), after the checks of
        # debt.negotiation._generate_letter
        letters = workflow(self).create(vals_list).with_env(self.env)
        if not skips_pdf(self):
            letters._ensure_pdf()
        letters._log_generated()
        return letters

    def _log_generated(self):
        """Note each letter in its case's chatter, linking the letter (which
        holds the PDF), and log an outbound interaction."""
        labels = dict(self._fields["letter_type"]._description_selection(self.env))
        interaction_vals = []
        rounds = []  # [{case id: body}]: one note per case in each round
        for letter in self:
            case = letter.negotiation_id
            if letter.channel == "email":
                sentence = self.env._("%(letter)s generated, to be sent by email.")
            else:
                sentence = self.env._("%(letter)s generated, to be sent by post.")
            bodies = next((r for r in rounds if case.id not in r), None)
            if bodies is None:
                bodies = {}
                rounds.append(bodies)
            bodies[case.id] = self._format_sentence(
                sentence,
                letter=letter._get_html_link(title=labels.get(letter.letter_type)),
            )
            interaction_vals.append(
                {
                    "negotiation_id": case.id,
                    "channel": "email" if letter.channel == "email" else "letter",
                    "direction": "outbound",
                    "contact_name": case.partner_id.name,
                    "summary": letter.name,
                    "outcome": "other",
                }
            )
        # one log per round for all the cases (follow-up runs note thousands)
        Case = self.env["debt.negotiation"]
        for bodies in rounds:
            Case.browse(list(bodies))._message_log_batch(bodies=bodies)
        self.env["debt.negotiation.interaction"].create(interaction_vals)

    def _mark_sent(self, channel=None):
        """Mark the letters sent now (by ``channel``, when given); letters
        already sent (by that channel) keep their sending date."""
        vals = {"state": "sent", "sent_date": fields.Datetime.now()}
        if channel:
            vals["channel"] = channel
        self.filtered(
            lambda letter: (
                letter.state == "to_send" or (channel and letter.channel != channel)
            )
        ).write(vals)

    def _get_mail_template(self):
        self.ensure_one()
        template = self._get_text_template().mail_template_id
        if not template:
            template = self.env.ref(
                f"debt_negotiation.mail_template_letter_{self.letter_type}",
                raise_if_not_found=False,
            )
        return template

    def _pdf_copy(self):
        """A copy of the letter's PDF to attach to an email: the message
        owns the copy (deleting the message deletes it), the letter keeps
        its own PDF."""
        self.ensure_one()
        return self.attachment_id._negotiation_mail_copy()

    def _send_email(self):
        """Send the letters by email without the composer (automatic
        follow-ups): the template of the letter type with the stored PDF
        attached, posted on the case; the letters are marked sent."""
        for letter in self:
            letter._ensure_pdf()
            case = letter.negotiation_id
            template = letter._get_mail_template()
            if not template:
                raise UserError(
                    self.env._("No email template for %(letter)s.", letter=letter.name)
                )
            case._as_sender().with_context(
                debt_negotiation_letter_ids=letter.ids
            ).message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=letter._pdf_copy().ids,
            )
        self._mark_sent("email")
        return True
