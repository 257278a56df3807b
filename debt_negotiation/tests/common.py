# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Shared fixtures of the debt_negotiation Odoo tests.

``DebtNegotiationCommon`` builds on ``AccountTestInvoicingCommon``: a fresh
company with a chart of accounts (``company_data``), a second company
(``company_data_2``), an accounting manager as ``env.user`` and helpers to
create overdue invoices, register payments, open cases, make offers and
confirm agreements. Keep it general: every test area builds on it.
"""

import logging
import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import SUPERUSER_ID, Command, fields
from odoo.tests import Form, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

REPORT_LOGGER = "odoo.addons.base.models.ir_actions_report"
# What some wkhtmltopdf builds print on stderr whatever the document: the
# Debian build's "unpatched qt" notices, and the upstream patched-qt builds'
# OpenSSL 1.0 look-ups on systems with OpenSSL 3. Odoo logs that stderr as a
# WARNING; it says nothing about the letters.
WKHTMLTOPDF_BUILD_NOISE = re.compile(
    r"^(QSslSocket: cannot (resolve|call unresolved function) \w+"
    r"|The switch --[\w-]+, is not support using unpatched qt.*"
    r"|.*unpatched qt.*)$"
)


# A 1x1 PNG: the debtor's "signature".
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


class WkhtmltopdfBuildNoiseFilter(logging.Filter):
    """Drop Odoo's ``wkhtmltopdf: ...`` warnings made only of build noise;
    any other line (a real rendering problem) still reaches the log."""

    def filter(self, record):
        message = record.getMessage()
        if not message.startswith("wkhtmltopdf: "):
            return True
        lines = [
            line.strip()
            for line in message[len("wkhtmltopdf: ") :].splitlines()
            if line.strip()
        ]
        return not lines or not all(
            WKHTMLTOPDF_BUILD_NOISE.match(line) for line in lines
        )


class PdfRenderingMixin:
    """For HttpCase classes that render real PDFs with wkhtmltopdf."""

    def setUp(self):
        super().setUp()
        noise_filter = WkhtmltopdfBuildNoiseFilter()
        logger = logging.getLogger(REPORT_LOGGER)
        logger.addFilter(noise_filter)
        self.addCleanup(logger.removeFilter, noise_filter)


class DebtNegotiationCommon(AccountTestInvoicingCommon):
    """Base class of the debt_negotiation tests.

    Class attributes:

    * ``company``, ``company_2``: the main and the other company
      (``company_data`` / ``company_data_2`` hold their accounting data);
    * ``debtor``, ``debtor_2``: customers (companies, shared between the
      companies) paying immediately, so an invoice is due on its date;
      ``debtor_contact``: a contact person of ``debtor``;
    * ``negotiation_user``: billing user, ``group_negotiation_user`` only;
    * ``negotiation_manager``: billing user with ``group_negotiation_manager``;
    * ``user_company_2``: negotiation user who only works in ``company_2``;
    * ``today``: the date the tests run on (respects ``freeze_time``).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tests' accountant manages negotiations: an explicit group,
        # never implied by invoicing administration
        cls.env.user.write(
            {
                "groups_id": [
                    Command.link(
                        cls.env.ref("debt_negotiation.group_negotiation_manager").id
                    )
                ]
            }
        )
        cls.company = cls.company_data["company"]
        # settlements below the amount due need a write-off account
        cls.company.negotiation_writeoff_account_id = cls.company_data[
            "default_account_expense"
        ]
        cls.company_data_2 = cls.setup_other_company()
        cls.company_2 = cls.company_data_2["company"]
        cls.Negotiation = cls.env["debt.negotiation"]
        cls.Offer = cls.env["debt.negotiation.offer"]
        cls.Interaction = cls.env["debt.negotiation.interaction"]

        cls.debtor, cls.debtor_2 = cls._create_debtors(
            [
                {"name": "Debtor One Ltd", "email": "debtor1@example.com"},
                {"name": "Debtor Two Ltd", "email": "debtor2@example.com"},
            ]
        )
        cls.debtor_contact = cls.env["res.partner"].create(
            {
                "name": "Jane Accounts",
                "type": "contact",
                "parent_id": cls.debtor.id,
                "email": "jane@example.com",
            }
        )

        cls.negotiation_user = cls._create_negotiation_user(
            "dn_user", "account.group_account_invoice"
        )
        cls.negotiation_manager = cls._create_negotiation_user(
            "dn_manager",
            "account.group_account_invoice,debt_negotiation.group_negotiation_manager",
        )
        cls.user_company_2 = cls._create_negotiation_user(
            "dn_user_company_2",
            "account.group_account_invoice",
            company=cls.company_2,
        )

    # ------------------------------------------------------------------
    # Users
    # ------------------------------------------------------------------
    @classmethod
    def _create_debtors(cls, vals_list):
        """Debtor companies of every company, on immediate payment terms,
        invoiced by hand (no EDI): one per ``vals`` of ``vals_list``."""
        immediate = cls.env.ref("account.account_payment_term_immediate")
        return cls.env["res.partner"].create(
            [
                {
                    "is_company": True,
                    "company_id": False,
                    "property_payment_term_id": immediate.id,
                    "invoice_sending_method": "manual",
                    "invoice_edi_format": False,
                    **vals,
                }
                for vals in vals_list
            ]
        )

    @classmethod
    def _create_portal_user(cls, login, name, company):
        """A portal user (password = login), contact of ``company``."""
        user = new_test_user(
            cls.env,
            login=login,
            password=login,
            groups="base.group_portal",
            name=name,
            email=f"{login}@example.com",
        )
        user.partner_id.parent_id = company
        return user

    @classmethod
    def _create_negotiation_user(cls, login, groups, company=None):
        """Create an internal user of ``company`` (default: the main one)
        with ``groups`` (comma-separated xml ids) on top of
        ``group_negotiation_user``."""
        company = company or cls.company
        return new_test_user(
            cls.env,
            login=login,
            groups="base.group_user,debt_negotiation.group_negotiation_user," + groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    # ------------------------------------------------------------------
    # Dates
    # ------------------------------------------------------------------
    @property
    def today(self):
        return fields.Date.context_today(self.env["debt.negotiation"])

    @classmethod
    def _days_ago(cls, days):
        return fields.Date.context_today(cls.env["debt.negotiation"]) - timedelta(
            days=days
        )

    # ------------------------------------------------------------------
    # Invoices and payments
    # ------------------------------------------------------------------
    @classmethod
    def _create_invoice(
        cls,
        partner=None,
        amount=1000.0,
        days_overdue=30,
        company=None,
        currency=None,
        move_type="out_invoice",
        post=True,
    ):
        """Create an invoice without taxes of ``amount`` for ``partner``
        (default ``debtor``) dated ``days_overdue`` days ago with immediate
        payment terms, so it is due on that date (0 = due today, not
        overdue yet). ``currency`` defaults to the company's."""
        company = company or cls.company
        invoice_date = cls._days_ago(days_overdue)
        vals = {
            "move_type": move_type,
            "partner_id": (partner or cls.debtor).id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_payment_term_id": cls.env.ref(
                "account.account_payment_term_immediate"
            ).id,
            "invoice_line_ids": [
                Command.create(
                    {
                        "name": "Services",
                        "quantity": 1.0,
                        "price_unit": amount,
                        "tax_ids": [Command.clear()],
                    }
                )
            ],
        }
        if currency:
            vals["currency_id"] = currency.id
        move = cls.env["account.move"].with_company(company).create(vals)
        if post:
            move.action_post()
        return move

    @classmethod
    def _create_overdue_invoices(cls, partner=None, amounts=(1000.0,), **kwargs):
        """Create and post one overdue customer invoice per amount."""
        moves = cls.env["account.move"]
        for amount in amounts:
            moves |= cls._create_invoice(partner=partner, amount=amount, **kwargs)
        return moves

    def _register_payment(self, invoices, amount=None, payment_date=None):
        """Register a real customer payment on ``invoices`` through the
        ``account.payment.register`` wizard (full by default, partial when
        ``amount`` is lower than what is due)."""
        vals = {"payment_date": payment_date or self.today}
        if amount is not None:
            vals["amount"] = amount
        wizard = (
            self.env["account.payment.register"]
            .with_context(active_model="account.move", active_ids=invoices.ids)
            .create(vals)
        )
        return wizard._create_payments()

    # ------------------------------------------------------------------
    # Cases, offers, agreements
    # ------------------------------------------------------------------
    def _start_case(self, invoices=None, user=None):
        """Start (or join) the debtor's case from ``invoices`` (default: a
        fresh overdue invoice of ``debtor``) like the invoice button does,
        and return the case."""
        invoices = invoices if invoices is not None else self._create_invoice()
        if user:
            invoices = invoices.with_user(user)
        action = invoices.action_start_negotiation()
        return self.env["debt.negotiation"].browse(action["res_id"])

    def _create_offer(self, case, **vals):
        """Create a draft creditor offer on ``case`` (a settlement of the
        amount due, payable today, unless ``vals`` say otherwise)."""
        return self.env["debt.negotiation.offer"].create(
            {
                "negotiation_id": case.id,
                "offer_type": "settlement",
                "amount": case.amount_due,
                "first_due_date": self.today,
                **vals,
            }
        )

    def _plan(self, case, amount=1000.0, count=4, first_due=None, **vals):
        """A proposed monthly payment plan on ``case``."""
        offer = self._create_offer(
            case,
            offer_type="payment_plan",
            amount=amount,
            installment_count=count,
            interval="month",
            first_due_date=first_due or self.today + timedelta(days=10),
            **vals,
        )
        offer.action_propose()
        return offer

    def _confirm_agreement(self, offer, signed_by="Jane Accounts", user=None):
        """Accept ``offer`` the way the UI does: ``action_accept`` opens the
        agreement wizard, which is filled and confirmed through a Form."""
        if user:
            offer = offer.with_user(user)
        action = offer.action_accept()
        wizard_model = self.env[action["res_model"]].with_context(**action["context"])
        if user:
            wizard_model = wizard_model.with_user(user)
        with Form(wizard_model) as wizard_form:
            wizard_form.signed_by = signed_by
        wizard = wizard_form.record
        return wizard.action_confirm()

    def _open_case_with_agreement(self, amount=None, **offer_vals):
        """Return a case (on a fresh overdue invoice of 1000) under agreement
        on a settlement (or the offer described by ``offer_vals``), and the
        accepted offer; the agreement is ``case.agreement_id``."""
        case = self._start_case()
        offer = self._create_offer(
            case, **({"amount": amount} if amount else {}), **offer_vals
        )
        offer.action_propose()
        self._confirm_agreement(offer)
        return case, offer

    def _message_bodies(self, record):
        return "\n".join(record.message_ids.mapped("body"))

    def _user_notifications(self, user):
        """The notifications about cases ``user`` received (searched as
        ``user``: a notification is for its recipient only)."""
        return (
            self.env["mail.message"]
            .with_user(user)
            .search(
                [
                    ("message_type", "=", "user_notification"),
                    ("partner_ids", "in", user.partner_id.ids),
                    ("model", "=", "debt.negotiation"),
                ]
            )
        )

    def _assert_letter_noted(self, letter):
        """The letter is noted in its case's chatter with a link to it, and
        keeps its PDF itself (never a chatter attachment)."""
        case = letter.negotiation_id
        link = re.compile(
            r"data-oe-model=.debt\.negotiation\.letter. "
            rf"data-oe-id=.{letter.id}\b"
        )
        notes = case.message_ids.filtered(lambda m: link.search(m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(notes.attachment_ids)
        if letter.attachment_id:
            self.assertEqual(
                (letter.attachment_id.res_model, letter.attachment_id.res_id),
                (letter._name, letter.id),
            )
            self.assertNotIn(letter.attachment_id, case.message_ids.attachment_ids)
        return notes


# The oldest invoice of the walked cases is due on DUE; the ladder counts
# its delays from it.
DUE = date(2026, 1, 5)


def day(n):
    """``n`` days after the due date."""
    return DUE + timedelta(days=n)


def at(n):
    """Freeze the clock at noon, ``n`` days after the due date (noon: the
    same date in every timezone of the users involved)."""
    return freeze_time(f"{day(n).isoformat()} 12:00:00")


class FollowupCommon(DebtNegotiationCommon):
    """Cases walked day by day through the real crons, on the default
    ladder of the test company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write(
            {
                "negotiation_email": "credit@example.com",
                "negotiation_response_days": 14,
            }
        )
        # the default ladder the test company got on its creation
        ladder = (
            cls.env["debt.negotiation.followup.step"]
            .sudo()
            .search([("company_id", "=", cls.company.id)])
        )
        cls.steps = {
            name: ladder.filtered(
                lambda s, n=name: (s.letter_type or "escalation") == n
            ).sudo(False)
            for name in ("reminder", "negotiation", "final_notice", "escalation")
        }
        address = {
            "street": "1 Main Street",
            "zip": "1000",
            "city": "Brussels",
            "country_id": cls.env.ref("base.be").id,
        }
        cls.debtor.write(address)
        cls.debtor_2.write(address)
        cls.partners = cls._create_debtors(
            [
                {
                    "name": f"Debtor {index} Ltd",
                    "email": f"debtor.{index}@example.com",
                    **address,
                }
                for index in range(6)
            ]
        )
        cls.Log = cls.env["debt.negotiation.followup.log"]
        cls.Letter = cls.env["debt.negotiation.letter"]

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------
    def _negotiation_root(self, **context):
        """The case model as the scheduler runs it (superuser), restricted
        to the test company (the demo data has cases of its own)."""
        return (
            self.env["debt.negotiation"]
            .with_user(SUPERUSER_ID)
            .with_context(
                debt_negotiation_followup_company_ids=self.company.ids, **context
            )
        )

    def _engine(self, **context):
        """The follow-up engine as the scheduler runs it."""
        root = self._negotiation_root(**context)
        return root.env["debt.negotiation.followup.engine"]

    def _cron(self, **context):
        """Run the cron method like the scheduler does."""
        return self._negotiation_root(**context)._cron_process_followups()

    def _case_due(self, partner=None, overdue=1):
        """A case on an invoice of ``partner`` due ``overdue`` days ago."""
        invoice = self._create_invoice(
            partner=partner or self.debtor, days_overdue=overdue
        )
        return self._start_case(invoice)

    def _letters(self, case):
        return self.Letter.search([("negotiation_id", "=", case.id)], order="id")

    def _logs(self, case):
        return self.Log.search([("negotiation_id", "=", case.id)], order="id")

    def _call_activities(self, case):
        call = self.env.ref("debt_negotiation.mail_activity_type_negotiation_call")
        return case.activity_ids.filtered(lambda a: a.activity_type_id == call)
