# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import DUE, FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestFollowupLadders(FollowupCommon):
    """Ladders per segment (issue 26): the debtor's own ladder, else the
    first whose segment it belongs to, else the company's default; and the
    courtesy reminders before the due date, through the real cron."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Ladder = cls.env["debt.negotiation.followup.ladder"].sudo()
        cls.Step = cls.env["debt.negotiation.followup.step"].sudo()
        cls.default = cls.company.negotiation_default_ladder_id
        cls.vip = cls.env["res.partner.category"].create({"name": "Key account"})
        # key accounts: a call at day 2, a reminder at day 4, nothing else
        cls.key_ladder = cls.Ladder.create(
            {
                "name": "Key accounts",
                "company_id": cls.company.id,
                "sequence": 5,
                "partner_category_ids": [Command.set(cls.vip.ids)],
                "step_ids": [
                    Command.create(
                        {
                            "name": "Call the key account",
                            "sequence": 1,
                            "delay_days": 2,
                            "channel": "post",
                            "activity_type_id": cls.env.ref(
                                "debt_negotiation.mail_activity_type_negotiation_call"
                            ).id,
                        }
                    ),
                    Command.create(
                        {
                            "name": "Gentle reminder",
                            "sequence": 2,
                            "delay_days": 4,
                            "letter_type": "reminder",
                            "channel": "email",
                        }
                    ),
                ],
            }
        )

    def _courtesy_step(self, delay=-3):
        """The default ladder's courtesy reminder, turned on."""
        step = self.default.with_context(active_test=False).step_ids.filtered(
            lambda s: s.delay_days < 0
        )
        step.write({"active": True, "delay_days": delay})
        return step

    def _invoice_due_in_30_days(self, partner):
        """An invoice of ``partner`` dated DUE, due 30 days later."""
        with at(0):
            invoice = self._create_invoice(partner=partner, days_overdue=0, post=False)
            invoice.invoice_payment_term_id = self.env.ref(
                "account.account_payment_term_30days"
            )
            invoice.action_post()
        self.assertEqual(invoice.invoice_date_due, day(30))
        return invoice

    def _courtesy_messages(self, invoice):
        template = self.env.ref("debt_negotiation.mail_template_courtesy_reminder")
        subject = template._render_field("subject", invoice.ids)[invoice.id]
        return invoice.message_ids.filtered(lambda m: m.subject == subject)

    # ------------------------------------------------------------------
    # Which ladder
    # ------------------------------------------------------------------
    def test_every_company_has_a_default_ladder(self):
        self.assertTrue(self.default)
        self.assertTrue(self.default.is_company_default)
        self.assertEqual(
            self.default.step_ids.filtered(lambda s: s.delay_days >= 0).mapped(
                "delay_days"
            ),
            [7, 21, 45, 60],
        )
        # shipped: the courtesy reminder, off until a manager turns it on
        courtesy = self.default.with_context(active_test=False).step_ids.filtered(
            lambda s: s.delay_days < 0
        )
        self.assertEqual((courtesy.delay_days, courtesy.active), (-3, False))
        company = self.env["res.company"].create({"name": "Founded Later Ltd"})
        self.assertEqual(company.negotiation_default_ladder_id.company_id, company)
        # the default cannot be deleted nor archived
        with self.assertRaises(UserError):
            self.default.unlink()
        with self.assertRaises(UserError):
            self.default.action_archive()

    def test_debtor_follows_own_then_segment_then_default_ladder(self):
        with at(1):
            case = self._case_due(overdue=1)
        self.assertEqual(case.followup_ladder_id, self.default)
        # a ladder without criteria is nobody's segment
        plain = self.Ladder.create({"name": "Plain", "company_id": self.company.id})
        case.invalidate_recordset(["followup_ladder_id"])
        self.assertEqual(case.followup_ladder_id, self.default)
        self.debtor.category_id = [Command.link(self.vip.id)]
        case.invalidate_recordset(["followup_ladder_id"])
        self.assertEqual(case.followup_ladder_id, self.key_ladder)
        # by debtor type: the debtor is a company, a business
        self.key_ladder.debtor_type = "consumer"
        case.invalidate_recordset(["followup_ladder_id"])
        self.assertEqual(case.followup_ladder_id, self.default)
        self.key_ladder.debtor_type = "business"
        case.invalidate_recordset(["followup_ladder_id"])
        self.assertEqual(case.followup_ladder_id, self.key_ladder)
        # the debtor's own ladder (in this company) first
        self.debtor.with_company(self.company).negotiation_ladder_id = plain
        case.invalidate_recordset(["followup_ladder_id"])
        self.assertEqual(case.followup_ladder_id, plain)

    def test_segment_ladder_drives_the_cron(self):
        """A key account walks its own ladder day by day: the call at day
        2, the reminder at day 4, then nothing; the other debtor the
        default ladder (its reminder at day 7)."""
        self.partners[0].category_id = [Command.link(self.vip.id)]
        with at(1):
            key = self._case_due(self.partners[0], overdue=1)
            other = self._case_due(self.partners[1], overdue=1)
        executed = {}
        for n in range(1, 12):
            with at(n):
                self._cron()
                for case in key | other:
                    for log in self._logs(case):
                        executed.setdefault((case.id, log.step_id.id), n)
        steps = self.key_ladder.step_ids
        self.assertEqual(
            executed,
            {
                (key.id, steps[0].id): 2,
                (key.id, steps[1].id): 4,
                (other.id, self.steps["reminder"].id): 7,
            },
        )
        self.assertTrue(self._call_activities(key))
        self.assertEqual(self._letters(key).mapped("letter_type"), ["reminder"])
        self.assertEqual(key.next_step_id, self.Step)
        self.assertEqual(other.next_step_id, self.steps["negotiation"])

    # ------------------------------------------------------------------
    # Courtesy reminders before the due date
    # ------------------------------------------------------------------
    def test_courtesy_step_is_only_a_reminder(self):
        with self.assertRaises(ValidationError):
            self.Step.create(
                {
                    "name": "Early letter",
                    "ladder_id": self.default.id,
                    "delay_days": -5,
                    "letter_type": "reminder",
                }
            )
        with self.assertRaises(ValidationError):
            self.Step.create(
                {
                    "name": "Early post",
                    "ladder_id": self.default.id,
                    "delay_days": -5,
                    "channel": "post",
                }
            )

    def test_courtesy_reminder_once_before_the_due_date(self):
        self._courtesy_step(-3)
        invoice = self._invoice_due_in_30_days(self.partners[0])
        blocked = self._invoice_due_in_30_days(self.partners[1])
        self.partners[1].write(
            {"negotiation_blocked": True, "negotiation_blocked_reason": "Lawyer"}
        )
        sent_on = []
        for n in (20, 26, 27, 27, 28, 29, 30, 31):
            with at(n):
                self._cron()
                if self._courtesy_messages(invoice) and not sent_on:
                    sent_on.append(n)
        self.assertEqual(sent_on, [27])
        message = self._courtesy_messages(invoice)
        self.assertEqual(len(message), 1, "once, whatever the runs")
        self.assertEqual(message.message_type, "comment")
        self.assertIn(self.partners[0], message.partner_ids)
        # from the invoice's salesperson, never the system's bot
        self.assertEqual(message.author_id, invoice.invoice_user_id.partner_id)
        self.assertNotEqual(message.author_id, self.env.ref("base.partner_root"))
        self.assertIn(invoice.name, message.body)
        self.assertIn("courtesy reminder", message.body)
        self.assertTrue(
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        self.assertEqual(
            invoice.negotiation_courtesy_step_id.delay_days, -3, "noted on it"
        )
        # never a case, and nothing for the debtor without automatic letters
        self.assertFalse(invoice.negotiation_id)
        self.assertFalse(self._courtesy_messages(blocked))
        self.assertFalse(blocked.negotiation_courtesy_step_id)

    def test_courtesy_reminders_per_ladder_and_not_when_paid(self):
        self._courtesy_step(-3)
        # the key accounts' ladder reminds a week before, and the day before
        self.Step.create(
            [
                {
                    "name": "A week before",
                    "ladder_id": self.key_ladder.id,
                    "delay_days": -7,
                },
                {
                    "name": "The day before",
                    "ladder_id": self.key_ladder.id,
                    "delay_days": -1,
                },
            ]
        )
        self.partners[0].category_id = [Command.link(self.vip.id)]
        key = self._invoice_due_in_30_days(self.partners[0])
        other = self._invoice_due_in_30_days(self.partners[2])
        paid = self._invoice_due_in_30_days(self.partners[3])
        self._register_payment(paid, payment_date=DUE)
        seen = {}
        for n in range(22, 31):
            with at(n):
                self._cron()
                for invoice in key | other | paid:
                    for message in self._courtesy_messages(invoice):
                        seen.setdefault(message.id, (invoice, n))
        self.assertEqual(
            sorted((invoice.id, n) for invoice, n in seen.values()),
            sorted([(key.id, 23), (key.id, 29), (other.id, 27)]),
        )
        self.assertEqual(key.negotiation_courtesy_step_id.delay_days, -1)

    def test_courtesy_failure_is_noted_and_the_rest_sent(self):
        self._courtesy_step(-3)
        good = self._invoice_due_in_30_days(self.partners[0])
        bad = self._invoice_due_in_30_days(self.partners[1])
        Engine = type(self.env["debt.negotiation.followup.engine"])
        original = Engine._post_courtesy_reminders

        def post(engine, items, template):
            if any(invoice == bad for invoice, _step in items):
                raise ValueError("cannot render")
            return original(engine, items, template)

        with at(27):
            with patch.object(Engine, "_post_courtesy_reminders", post):
                self._cron()
        self.assertTrue(self._courtesy_messages(good))
        self.assertFalse(self._courtesy_messages(bad))
        run = self.env["debt.negotiation.run"].sudo().search([], limit=1)
        line = run.line_ids.filtered(lambda ln: ln.phase == "courtesy")
        self.assertEqual(line.partner_id, self.partners[1])
        self.assertIn("cannot render", line.reason)

    # ------------------------------------------------------------------
    # The "call first" ladder shipped
    # ------------------------------------------------------------------
    def _call_first_ladder(self):
        """The shipped "Call first" ladder, for the test company."""
        shipped = self.env.ref("debt_negotiation.followup_ladder_call_first").sudo()
        ladder = self.Ladder.create(
            {"name": shipped.name, "company_id": self.company.id}
        )
        for step in shipped.step_ids:
            step.copy({"ladder_id": ladder.id, "company_id": self.company.id})
        return ladder

    def test_call_first_letter_only_when_the_call_brought_no_promise(self):
        ladder = self._call_first_ladder()
        first, second = self.partners[0], self.partners[1]
        for partner in first | second:
            partner.with_company(self.company).negotiation_ladder_id = ladder
        with at(1):
            promised = self._case_due(first, overdue=1)
            silent = self._case_due(second, overdue=1)
        for n in range(1, 13):
            with at(n):
                self._cron()
                if n == 3:
                    # day 3: a call to make, no letter yet
                    for case in promised | silent:
                        self.assertTrue(self._call_activities(case))
                        self.assertFalse(self._letters(case))
                if n == 4:
                    # the call: one debtor promises to pay on day 9
                    self.env["debt.negotiation.interaction"].create(
                        {
                            "negotiation_id": promised.id,
                            "channel": "phone",
                            "contact_name": "Jane Accounts",
                            "summary": "Will pay on the 9th.",
                            "outcome": "promise",
                            "promise_date": day(9),
                            "promise_amount": promised.amount_due,
                        }
                    )
                if n == 9:
                    self._register_payment(promised.invoice_ids, payment_date=day(9))
        # the promise kept: the case settled, no reminder ever sent, only
        # the closure letter that confirms the debt is cleared
        self.assertEqual(promised.state, "settled")
        self.assertEqual(self._letters(promised).mapped("letter_type"), ["closure"])
        # no promise: the reminder letter at day 10
        self.assertEqual(self._letters(silent).mapped("letter_type"), ["reminder"])
        self.assertEqual(self._letters(silent).date, day(10))

    def test_ladder_form_as_a_manager_sets_it_up(self):
        """The ladder's form: a segment and its steps, a courtesy step
        among them, made the company's default."""
        with Form(self.env["debt.negotiation.followup.ladder"]) as form:
            form.name = "Consumers"
            form.debtor_type = "consumer"
            with form.step_ids.new() as step:
                step.name = "Friendly nudge"
                step.delay_days = -2
                step.channel = "email"
            with form.step_ids.new() as step:
                step.name = "Reminder"
                step.delay_days = 10
                step.letter_type = "reminder"
        ladder = form.record
        self.assertEqual(ladder.step_ids.mapped("delay_days"), [-2, 10])
        self.assertEqual(ladder.step_ids.company_id, ladder.company_id)
        ladder.action_make_company_default()
        self.assertTrue(ladder.is_company_default)
        self.assertFalse(self.default.is_company_default)

    # ------------------------------------------------------------------
    # A ladder step attaches the statement of account
    # ------------------------------------------------------------------
    def test_step_attaches_the_statement_of_account(self):
        self.steps["reminder"].sudo().attach_statement = True
        with at(7):
            case = self._case_due(self.partners[0], overdue=7)
            not_due = self._create_invoice(partner=self.partners[0], days_overdue=0)
            self._cron()
        letter = self._letters(case)
        self.assertEqual(letter.mapped("letter_type"), ["reminder"])
        message = case.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )
        self.assertEqual(len(message), 1)
        names = sorted(message.attachment_ids.mapped("name"))
        self.assertEqual(len(names), 2, names)
        statement = message.attachment_ids.filtered(
            lambda a: a.name.startswith("Statement of account")
        )
        self.assertEqual(statement.mimetype, "application/pdf")
        # (Odoo's test mode renders reports as HTML, without wkhtmltopdf)
        text = statement.raw.decode()
        self.assertIn("Statement of Account", text)
        # the statement lists the invoice not due yet too: it is the
        # debtor's whole account, not the case's claim
        self.assertIn(not_due.name, text)
        self.assertIn(case.invoice_ids.name, text)
        # a step before the due date cannot attach it
        with self.assertRaises(ValidationError):
            self.Step.create(
                {
                    "name": "Early statement",
                    "ladder_id": self.default.id,
                    "delay_days": -5,
                    "attach_statement": True,
                }
            )
