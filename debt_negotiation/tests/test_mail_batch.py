# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from freezegun import freeze_time
from markupsafe import Markup

from odoo import Command, fields
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
    def test_deferred_note_equals_message_log(self):
        case, other = self.cases
        before = self._last_id()
        other._message_log(body="Follow-up step executed.")
        batch = self.cases._mail_batch_deferred()
        batch[:1]._message_log_batch(bodies={case.id: "Follow-up step executed."})
        self.assertFalse(
            self._new_messages(case, before), "created on flush, not before"
        )
        created = batch._mail_batch_flush()
        self.assertEqual(created.mapped("res_id"), case.ids)
        self.assertFalse(batch._mail_batch_flush(), "flushed once")
        mine, upstream = (
            self._new_messages(case, before),
            self._new_messages(other, before),
        )
        self.assertEqual(len(mine), 1)
        self.assertEqual(len(upstream), 1)
        self.assertEqual(self._row(mine), self._row(upstream))
        self.assertEqual(mine.res_id, case.id)
        self.assertEqual(mine.subtype_id, self.env.ref("mail.mt_note"))
        self.assertFalse(mine.notification_ids, "a log notifies no follower")

    def test_deferred_notes_keep_their_order(self):
        case, other = self.cases
        before = self._last_id()
        batch = self.cases._mail_batch_deferred()
        batch._message_log_batch(bodies={case.id: "one", other.id: "one bis"})
        batch[:1]._message_log_batch(bodies={case.id: "two"})
        batch[1:]._message_log(body="two bis")
        batch._mail_batch_flush()
        self.assertEqual(
            [
                m.body
                for m in self.env["mail.message"]
                .search([("id", ">", before)])
                .sorted("id")
            ],
            ["<p>one</p>", "<p>one bis</p>", "<p>two</p>", "<p>two bis</p>"],
        )

    def test_flush_queries_do_not_grow_with_notes(self):
        field = self.env["ir.model.fields"]._get(
            "debt.negotiation", "response_deadline"
        )
        counts = []
        for rounds in (1, 1, 6):  # the first one warms the caches up
            batch = self.cases._mail_batch_deferred()
            for index in range(rounds):
                batch._message_log_batch(
                    bodies={case.id: f"note {index}" for case in self.cases}
                )
                for case in batch:
                    case._message_log(
                        body=f"tracked {index}",
                        tracking_value_ids=[
                            Command.create(
                                {
                                    "field_id": field.id,
                                    "old_value_datetime": False,
                                    "new_value_datetime": "2026-01-01",
                                }
                            )
                        ],
                    )
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            messages = batch._mail_batch_flush()
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
            self.assertEqual(len(messages), 4 * rounds)
            self.assertEqual(len(messages.sudo().tracking_value_ids), 2 * rounds)
        self.assertEqual(counts[1], counts[2], "queries do not grow with notes")

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
    # Posting
    # ------------------------------------------------------------------
    def _post_values(self, case):
        """An email to the case's debtor, posted in its chatter."""
        return {
            "body": Markup("<p>Your payment of 100.00 is due on 1 May.</p>"),
            "subject": "Payment reminder",
            "partner_ids": case.partner_id.ids,
            "message_type": "comment",
            "subtype_xmlid": "mail.mt_comment",
        }

    def _posted(self, message, case):
        """The message, its notifications and its emails, the case's own
        debtor named ``debtor`` (the two cases have different debtors)."""

        def who(partners):
            return sorted(
                "debtor" if partner == case.partner_id else str(partner.id)
                for partner in partners
            )

        row = self._row(message)
        row.pop("parent")
        row["partners"] = who(row["partners"])
        row["needaction"] = who(row["needaction"])
        row["notifications"] = sorted(
            (who(partner)[0], kind, status)
            for (partner, kind), status in zip(
                row["notifications"],
                message.notification_ids.mapped("notification_status"),
                strict=True,
            )
        )
        row["reply_to"] = message.reply_to
        row["subject"] = message.subject
        mails = (
            self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        )
        row["mails"] = sorted(
            (
                tuple(who(mail.recipient_ids)),
                mail.subject,
                mail.email_from,
                mail.reply_to,
                mail.state,
                mail.auto_delete,
                mail.is_notification,
                # the thread's first message, then this one
                mail.references
                == f"{message.parent_id.message_id} {message.message_id}",
            )
            for mail in mails
        )
        for mail in mails:
            # each recipient's email: the layout around the message, with
            # the case
            self.assertIn("due on 1 May", mail.body_html)
            self.assertIn(case.name, mail.body_html)
        return row

    def _first_message(self, case):
        return case.message_ids.sorted("id")[:1]

    def test_batch_post_equals_message_post(self):
        case, other = self.cases
        # a colleague following in Odoo's inbox
        colleague = self.env["res.users"].create(
            {
                "name": "Colleague",
                "login": "colleague_batch",
                "email": "colleague@example.com",
                "notification_type": "inbox",
                "groups_id": [Command.set(self.env.ref("base.group_user").ids)],
            }
        )
        self.cases.message_subscribe(partner_ids=colleague.partner_id.ids)
        before = self._last_id()
        # message_post queues its emails as the batch does
        upstream = other.with_context(mail_notify_force_send=False).message_post(
            **self._post_values(other)
        )
        mine = case._mail_batch_post([self._post_values(case)])
        self.assertEqual(mine, self._new_messages(case, before))
        self.assertEqual(self._posted(mine, case), self._posted(upstream, other))
        self.assertEqual(mine.parent_id, self._first_message(case))
        self.assertEqual(upstream.parent_id, self._first_message(other))
        posted = self._posted(mine, case)
        self.assertIn(
            (str(colleague.partner_id.id), "inbox", "sent"), posted["notifications"]
        )
        self.assertIn(("debtor", "email", "ready"), posted["notifications"])
        self.assertIn(str(self.watcher.id), posted["needaction"])
        self.assertTrue(posted["mails"], "the debtor's email is queued")

    def test_batch_post_emails_equal_message_post_emails(self):
        """On one case, each recipient's email is the very one message_post
        renders (its message's own id aside)."""
        case = self.cases[:1]

        def emails(message):
            return {
                tuple(mail.recipient_ids.ids): mail.body_html.replace(
                    message.message_id, "<message-id>"
                )
                for mail in self.env["mail.mail"]
                .sudo()
                .search([("mail_message_id", "=", message.id)])
            }

        # the emails' signed links expire a fixed time after they are made:
        # both made in the same second
        with freeze_time(fields.Datetime.now()):
            upstream = case.with_context(mail_notify_force_send=False).message_post(
                **self._post_values(case)
            )
            mine = case._mail_batch_post([self._post_values(case)])
        self.assertTrue(emails(mine))
        self.assertEqual(emails(mine), emails(upstream))

    def test_batch_notes_equal_message_post(self):
        case, other = self.cases
        before = self._last_id()
        upstream = other.message_post(body="Agreement broken.")
        mine = case._mail_batch_notes([(case, "Agreement broken.")])
        self.assertEqual(mine, self._new_messages(case, before))
        self.assertEqual(self._posted(mine, case), self._posted(upstream, other))
        self.assertFalse(mine.notification_ids, "a note emails no customer follower")

    def test_batch_post_starts_a_thread_as_message_post(self):
        case, other = self.cases
        self.cases.message_ids.sudo().unlink()
        upstream = other.message_post(body="one") | other.message_post(body="two")
        mine = (case + case)._mail_batch_notes([(case, "one"), (case, "two")])
        self.assertEqual(mine.mapped("body"), ["<p>one</p>", "<p>two</p>"])
        self.assertFalse(upstream[0].parent_id)
        self.assertEqual(upstream[1].parent_id, upstream[0])
        self.assertFalse(mine[0].parent_id)
        self.assertEqual(mine[1].parent_id, mine[0])

    def test_batch_post_autofollow_as_message_post(self):
        case, other = self.cases

        def followers(record):
            return {
                "debtor" if partner == record.partner_id else partner.id
                for partner in record.message_partner_ids
            }

        other.message_post(**self._post_values(other))
        case._mail_batch_post([self._post_values(case)])
        self.assertEqual(followers(case), followers(other))
        other.with_context(mail_post_autofollow=True).message_post(
            **self._post_values(other)
        )
        case.with_context(mail_post_autofollow=True)._mail_batch_post(
            [self._post_values(case)]
        )
        self.assertIn("debtor", followers(case))
        self.assertEqual(followers(case), followers(other))

    def test_batch_post_refuses_what_it_does_not_do(self):
        with self.assertRaises(ValueError):
            self.cases[:1]._mail_batch_post([{"body": "x", "attachments": []}])
        with self.assertRaises(ValueError):
            self.cases._mail_batch_post([{"body": "only one"}])

    def test_batch_post_queries_do_not_grow_with_messages(self):
        counts = []
        for rounds in (1, 1, 4):  # the first one warms the caches up
            records = self.cases.browse(self.cases.ids * rounds)
            self.env.flush_all()
            queries = self.env.cr.sql_log_count
            messages = records._mail_batch_post(
                [self._post_values(case) for case in records]
            )
            self.env.flush_all()
            counts.append(self.env.cr.sql_log_count - queries)
            self.assertEqual(len(messages), 2 * rounds)
            self.assertEqual(messages.mapped("res_id"), records.ids)
        self.assertEqual(counts[1], counts[2], "queries do not grow with messages")

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
