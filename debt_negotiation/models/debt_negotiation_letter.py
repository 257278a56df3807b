# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import RedirectWarning, UserError
from odoo.tools.misc import formatLang

LETTER_TYPES = [
    ("reminder", "Reminder"),
    ("negotiation", "Negotiation Letter"),
    ("final_notice", "Final Notice"),
    ("agreement", "Agreement Confirmation"),
    ("broken_promise", "Broken Promise"),
]
# Letters the debtor has to answer (or pay) by a deadline.
DEADLINE_LETTER_TYPES = ("reminder", "negotiation", "final_notice", "broken_promise")
# The report rendering one letter record (it keeps the stored PDF).
LETTER_REPORT = "debt_negotiation.action_report_debt_negotiation_letter"


class DebtNegotiationLetter(models.Model):
    _name = "debt.negotiation.letter"
    _description = "Debt Negotiation Letter"
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
        help="The offer whose terms the letter states.",
    )
    installment_id = fields.Many2one(
        "debt.negotiation.installment",
        string="Missed Installment",
        readonly=True,
        ondelete="set null",
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
    signed_by = fields.Char(
        readonly=True, help="Agreement letters: who signed for the debtor."
    )
    signed_on = fields.Date(readonly=True)
    signature = fields.Image(readonly=True, max_width=1024, max_height=1024)

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
    # CRUD METHODS
    # ------------------------------------------------------------------
    def write(self, vals):
        if "attachment_id" in vals and any(letter.attachment_id for letter in self):
            raise UserError(
                self.env._("The PDF of a generated letter can never be replaced.")
            )
        return super().write(vals)

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
            "default_attachment_ids": [fields.Command.set(self.attachment_id.ids)],
            "default_partner_ids": case.partner_id.ids,
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
            "negotiator": case.user_id.name or "",
            "date": self._format_date(self.date),
            "amount_due": self._format_amount(case.amount_due),
            "response_deadline": self._format_date(self.response_deadline),
            "next_date": self._format_date(self.next_date or self.response_deadline),
            "installment_amount": installment
            and self._format_amount(installment.amount_residual or installment.amount)
            or "",
            "installment_date": installment
            and self._format_date(installment.due_date)
            or "",
            "grace_days": str(company.negotiation_grace_days or 0),
        }

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
        (all of them when everything is paid)."""
        self.ensure_one()
        invoices = self.negotiation_id.invoice_ids
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
        """The company bank account debtors pay to, if any."""
        self.ensure_one()
        company = self.negotiation_id.company_id
        journal = (
            self.env["account.journal"]
            .sudo()
            .search(
                [
                    ("type", "=", "bank"),
                    ("company_id", "=", company.id),
                    ("bank_account_id", "!=", False),
                ],
                limit=1,
            )
        )
        return journal.bank_account_id or company.partner_id.bank_ids[:1]

    # ------------------------------------------------------------------
    # BUSINESS METHODS: generation and sending
    # ------------------------------------------------------------------
    @api.model
    def _generate(self, vals_list):
        """Create the letters of ``vals_list``, render and store their PDF
        (with context ``debt_negotiation_skip_pdf``: on first print), note
        them in their cases' chatter and log the outbound interactions."""
        letters = self.create(vals_list)
        if not self.env.context.get("debt_negotiation_skip_pdf"):
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
            case.with_context(
                debt_negotiation_letter_ids=letter.ids
            ).message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                attachment_ids=letter.attachment_id.ids,
            )
        self._mark_sent("email")
        return True

    # ------------------------------------------------------------------
    # BUSINESS METHODS: printing from cases and invoices
    # ------------------------------------------------------------------
    @api.model
    def _cases_of_invoices(self, invoices):
        """The negotiation cases of ``invoices``; a clear message offering
        to start one when an invoice has none."""
        without_case = invoices.filtered(lambda m: not m.negotiation_id)
        if without_case:
            message = self.env._(
                "No negotiation letter can be printed for %(moves)s: the "
                "invoice is not under negotiation yet. Start a negotiation "
                "on it first, then print the letter.",
                moves=", ".join(without_case.mapped("display_name")),
            )
            startable = not without_case._negotiation_problems()
            if startable and len(without_case.commercial_partner_id) == 1:
                action = self.env.ref(
                    "debt_negotiation.action_account_move_start_negotiation"
                )
                raise RedirectWarning(
                    message,
                    action.id,
                    self.env._("Start Negotiation"),
                    {
                        "active_model": "account.move",
                        "active_ids": without_case.ids,
                        "active_id": without_case[:1].id,
                    },
                )
            raise UserError(message)
        return invoices.negotiation_id

    @api.model
    def _agreement_letter_of(self, case):
        """The stored agreement letter of ``case``; none when its agreement
        letter is still to generate; an error when it has no agreement."""
        letter = case.letter_ids.filtered(
            lambda lt: lt.letter_type == "agreement"
        ).sorted("id")[-1:]
        if not letter and not case.agreement_id:
            raise UserError(
                self.env._(
                    "Case %(case)s has no confirmed agreement to print.",
                    case=case.name,
                )
            )
        return letter

    @api.model
    def _letters_to_print(self, kind, records, data=None):
        """The letters printed by the case/invoice reports: the case's
        letter of the asked type generated today (reused, so re-printing
        gives the same PDF), else a new one.

        :param kind: ``case`` (type from ``data``/context ``letter_type``,
            else the case's default), ``invoice`` (the letter of each
            invoice's case) or ``agreement`` (the agreement confirmation)
        """
        data = data or {}
        if kind == "invoice":
            cases = self._cases_of_invoices(records)
        else:
            cases = records
        letters = self.browse()
        today = fields.Date.context_today(self)
        for case in cases:
            if kind == "agreement":
                letter = self._agreement_letter_of(case)
                letters |= letter or case._generate_letter("agreement")
                continue
            letter_type = (
                data.get("letter_type")
                or self.env.context.get("letter_type")
                or case._get_default_letter_type()
            )
            letter = case.letter_ids.filtered(
                lambda lt, t=letter_type: lt.letter_type == t and lt.date == today
            ).sorted("id")[-1:]
            letters |= letter or case._generate_letter(letter_type)
        return letters
