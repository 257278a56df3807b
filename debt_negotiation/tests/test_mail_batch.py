# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from markupsafe import Markup

from odoo import Command
from odoo.tests import tagged

from ..models.workflow import without_pdf
from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestMailBatch(DebtNegotiationCommon):
    """The batch mixin creates the same rows as ``mail.thread`` does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cases = cls.env["debt.negotiation"]
        for partner in (cls.debtor, cls.debtor_2):
            invoice = cls._create_invoice(partner=partner)
            action = invoice.action_start_negotiation()
            cls.cases |= cls.env["debt.negotiation"].browse(action["res_id"])
        # a follower of everything, notes included
        cls.watcher = cls.env["res.partner"].create(
            {"name": "Watcher", "email": "watcher@example.com"}
        )
        cls.cases.message_subscribe(
            partner_ids=cls.watcher.ids,
            subtype_ids=(
                cls.env.ref("mail.mt_note") | cls.env.ref("mail.mt_comment")
            ).ids,
        )

    def _tracked(self, records):
        return records.with_context(tracking_disable=False, mail_notrack=False)

    def _flush_tracking(self):
        self.env.flush_all()
        self.env.cr.flush()

    def _new_messages(self, case, before):
        return case.message_ids.filtered(lambda m: m.id > before).sorted("id")

    def _row(self, message):
        """What a chatter row is made of, the record it is on aside."""
        return {
            "body": message.body,
            "author": message.author_id,
            "email_from": message.email_from,
            "message_type": message.message_type,
            "subtype": message.subtype_id,
            "is_internal": message.is_internal,
            "model": message.model,
            "attachments": message.attachment_ids,
            "partners": message.partner_ids,
            "parent": message.parent_id,
            "notifications": message.notification_ids.mapped(
                lambda n: (n.res_partner_id, n.notification_type)
            ),
            "needaction": message.sudo().notified_partner_ids,
            "tracking": [
                (
                    value.field_id.name,
                    value.old_value_datetime,
                    value.new_value_datetime,
                    value.old_value_char,
                    value.new_value_char,
                )
                for value in message.sudo().tracking_value_ids
            ],
        }

    def _last_id(self):
        return self.env["mail.message"].search([], order="id desc", limit=1).id

    # ------------------------------------------------------------------
    # Notes
    # ------------------------------------------------------------------
    def test_notes_equal_message_log(self):
        case, other = self.cases
        before = self._last_id()
        other._message_log(body="Agreement broken & noted.")
        created = case._log_notes([(case, "Agreement broken & noted.")])
        self.assertEqual(created.mapped("res_id"), case.ids)
        mine, upstream = (
            self._new_messages(case, before),
            self._new_messages(other, before),
        )
        self.assertEqual(len(mine), 1)
        self.assertEqual(len(upstream), 1)
        self.assertEqual(self._row(mine), self._row(upstream))
        self.assertEqual(mine.subtype_id, self.env.ref("mail.mt_note"))
        self.assertIn("broken &amp; noted", mine.body, "text is escaped")
        self.assertFalse(mine.notification_ids, "a log notifies no follower")

    def test_notes_keep_their_order(self):
        case, other = self.cases
        before = self._last_id()
        self.cases._log_notes(
            [
                (case, "one"),
                (other, "one bis"),
                (case, "two"),
                (other, Markup("<b>two bis</b>")),
            ]
        )
        self.assertEqual(
            [
                m.body
                for m in self.env["mail.message"]
                .search([("id", ">", before)])
                .sorted("id")
            ],
            ["<p>one</p>", "<p>one bis</p>", "<p>two</p>", "<b>two bis</b>"],
        )

    def test_notes_queries_do_not_grow_with_cases(self):
        cases = self.cases
        for partner in self._create_debtors([{"name": f"Noted {n}"} for n in range(6)]):
            invoice = self._create_invoice(partner=partner)
            cases |= cases.browse(invoice.action_start_negotiation()["res_id"])
        counts = []
        for records in (self.cases, self.cases, cases):  # the first warms up
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            records._log_notes([(record, "Agreement fulfilled.") for record in records])
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
        self.assertEqual(counts[1], counts[2], "one query for all the notes")

    def test_letter_note_links_the_letter(self):
        case = self.cases[:1]
        letter = without_pdf(case)._generate_letter("reminder")
        note = self._assert_letter_noted(letter)
        self.assertIn("Reminder", note.body)
        self.assertIn("generated, to be sent by post", note.body)
        self.assertEqual(note.message_type, "notification")

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------
    def test_tracking_equals_mail_thread(self):
        case, other = self._tracked(self.cases)
        self._flush_tracking()
        before = self._last_id()
        old = {record.id: record.response_deadline for record in self.cases}
        new_deadline = self.today + timedelta(days=40)
        # through the mixin: the tracking of a write
        case.response_deadline = new_deadline
        self._flush_tracking()
        # through mail.thread's own implementation
        other.with_context(mail_notrack=True).response_deadline = new_deadline
        self.env.flush_all()
        mail_thread = type(self.env["mail.thread"])
        mail_thread._message_track(
            other,
            ["response_deadline"],
            {other.id: {"response_deadline": old[other.id]}},
        )
        mine = self._new_messages(case, before)
        upstream = self._new_messages(other, before)
        self.assertEqual(len(mine), 1)
        self.assertEqual(len(upstream), 1)
        self.assertEqual(self._row(mine), self._row(upstream))
        self.assertEqual(
            mine.sudo().tracking_value_ids.field_id.name, "response_deadline"
        )
        self.assertFalse(mine.notification_ids)

    def test_tracking_of_many_records_in_one_batch(self):
        self._flush_tracking()
        before = self._last_id()
        self._tracked(self.cases).write(
            {"response_deadline": self.today + timedelta(days=50), "priority": "1"}
        )
        self._flush_tracking()
        for case in self.cases:
            message = self._new_messages(case, before)
            self.assertEqual(len(message), 1)
            self.assertEqual(
                message.sudo().tracking_value_ids.field_id.mapped("name"),
                ["response_deadline"],
            )
            self.assertEqual(message.res_id, case.id)

    # ------------------------------------------------------------------
    # Installment notices: Odoo's batch sending
    # ------------------------------------------------------------------
    def _installments(self, count):
        """The first installment of ``count`` cases under agreement."""
        installments = self.env["debt.negotiation.installment"]
        for index in range(count):
            debtor = self._create_debtors(
                [{"name": f"Notified {index}", "email": f"notified{index}@example.com"}]
            )
            case = self._start_case(self._create_invoice(partner=debtor))
            offer = self._plan(case, amount=1000.0, count=2)
            self._confirm_agreement(offer)
            installments |= case.installment_ids.sorted("due_date")[:1]
        return installments

    def test_notices_honour_the_template(self):
        template = self.env.ref("debt_negotiation.mail_template_installment_reminder")
        attachment = self.env["ir.attachment"].create(
            {"name": "terms.txt", "raw": b"Our terms", "mimetype": "text/plain"}
        )
        template.write({"attachment_ids": [Command.set(attachment.ids)]})
        installment = self._installments(1)
        case = installment.negotiation_id
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        before = self._last_id()
        mails = installment._post_notices(template)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.state, "outgoing", "queued, not sent during the run")
        self.assertFalse(mails.auto_delete, "the template's auto_delete=False")
        self.assertEqual(mails.attachment_ids.mapped("name"), ["terms.txt"])
        self.assertEqual(mails.recipient_ids, case.letter_recipient_id)
        self.assertGreater(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]),
            triggers,
            "the mail queue is woken up",
        )
        message = self._new_messages(case, before)
        self.assertEqual(message, mails.mail_message_id, "shown in the case's chatter")
        self.assertEqual(message.message_type, "comment")
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_comment"))
        self.assertEqual(message.partner_ids, case.letter_recipient_id)
        self.assertEqual(message.author_id, case._mail_author())
        self.assertIn(case.name, message.subject)
        self.assertIn("friendly reminder", mails.body_html)
        # the template's auto_delete honoured the other way round: the
        # chatter keeps its copy when the email is deleted after sending
        template.auto_delete = True
        other = self._installments(1)
        mail = other._post_notices(template)
        self.assertTrue(mail.auto_delete)
        message = mail.mail_message_id
        mail.unlink()
        self.assertTrue(message.exists())

    def test_notices_queries_do_not_grow_with_installments(self):
        template = self.env.ref("debt_negotiation.mail_template_installment_late")
        installments = self._installments(5)
        counts = []
        for batch in (installments[:1], installments[1:2], installments[2:]):
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            batch._post_notices(template)
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
        # an email more costs its rows only (the agreement monitor's budget)
        self.assertLessEqual(counts[2] - counts[1], 2 * 4)

    def test_batch_activities_equal_activity_schedule(self):
        case, other = self.cases
        call = self.env.ref("debt_negotiation.mail_activity_type_negotiation_call")
        values = {
            "summary": "Broken promise: call the debtor",
            "note": "Installment 1 was missed.",
            "user_id": self.negotiation_user.id,
        }
        upstream = other.activity_schedule(
            "debt_negotiation.mail_activity_type_negotiation_call", **values
        )
        mine = case._mail_batch_activities(call, [values])

        def row(activity):
            return (
                activity.activity_type_id,
                activity.summary,
                activity.note,
                activity.date_deadline,
                activity.user_id,
                activity.automated,
                activity.res_model,
            )

        self.assertEqual(row(mine), row(upstream))
        self.assertEqual(mine.res_id, case.id)
