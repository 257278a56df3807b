# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from datetime import timedelta

from odoo import Command
from odoo.tests import tagged

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
        letter = case.with_context(debt_negotiation_skip_pdf=True)._generate_letter(
            "reminder"
        )
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
