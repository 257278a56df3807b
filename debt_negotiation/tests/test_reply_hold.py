# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply holds the chase (issue 27, point 2), through Odoo's real mail
gateway: a raw email answering the case's letter is processed by
``message_process``; the follow-ups wait, the negotiator reads it."""

from odoo.tests import tagged

from .common import FollowupCommon, at, day


@tagged("post_install", "-at_install")
class TestReplyHold(FollowupCommon):
    def _sent_email(self, case):
        return case.message_ids.filtered(
            lambda m: m.message_type == "comment" and m.attachment_ids
        )[:1]

    def _reply(self, case, sender, body="We will pay next week.", number=1):
        """The debtor answers the case's letter by email: the raw message
        goes through the mail gateway as fetchmail gives it."""
        sent = self._sent_email(case)
        self.assertTrue(sent.message_id)
        raw = (
            f"Return-Path: <{sender.email}>\r\n"
            f"From: {sender.name} <{sender.email}>\r\n"
            f"To: credit@example.com\r\n"
            f"Subject: Re: {sent.subject}\r\n"
            f"Message-ID: <reply-{number}-{case.id}@debtor.example.com>\r\n"
            f"In-Reply-To: {sent.message_id}\r\n"
            f"References: {sent.message_id}\r\n"
            "MIME-Version: 1.0\r\n"
            'Content-Type: text/plain; charset="utf-8"\r\n'
            "\r\n"
            f"{body}\r\n"
        )
        return self.env["mail.thread"].message_process(False, raw)

    def _reply_activities(self, case):
        return case.activity_ids.filtered(
            lambda a: a.summary == "Read the debtor's reply"
        )

    def test_a_reply_holds_the_ladder_and_asks_the_negotiator_to_read_it(self):
        with at(10):
            case = self._case_due(overdue=10)
            case.user_id = self.negotiation_user
            self._cron()
            self.assertEqual(self._letters(case).mapped("letter_type"), ["reminder"])
        with at(20):
            # one of the debtor's contacts answers
            self.assertEqual(self._reply(case, self.debtor_contact), case.id)
            self.assertEqual(case.reply_hold_until, day(25))
            logged = case.interaction_ids.filtered(
                lambda i: "We will pay next week." in i.summary
            )
            self.assertEqual(
                (logged.channel, logged.direction, logged.contact_name),
                ("email", "inbound", self.debtor_contact.name),
            )
            activity = self._reply_activities(case)
            self.assertEqual(activity.user_id, self.negotiation_user)
            self.assertEqual(activity.date_deadline, day(20))
            # a second email: the same activity, the hold from today
            self._reply(case, self.debtor_contact, "Invoice attached.", number=2)
            self.assertEqual(len(self._reply_activities(case)), 1)
        # the negotiation letter was due on day 24: held until day 25
        for offset in range(21, 26):
            with at(offset):
                self._cron()
        self.assertEqual(self._letters(case).mapped("letter_type"), ["reminder"])
        with at(26):
            self._cron()
        # the negotiation letter (by post and email) the day the hold ended
        negotiation = self._letters(case).filtered(
            lambda lt: lt.letter_type == "negotiation"
        )
        self.assertEqual(set(negotiation.mapped("date")), {day(26)})

    def test_the_negotiator_releases_the_hold(self):
        with at(10):
            case = self._case_due(overdue=10)
            self._cron()
        with at(22):
            self._reply(case, self.debtor)
            self.assertTrue(case.reply_hold_until)
            self._cron()
            self.assertEqual(len(self._letters(case)), 1)
            case.with_user(self.negotiation_user).action_release_reply_hold()
            self.assertFalse(case.reply_hold_until)
        with at(24):
            self._cron()
            self.assertEqual(
                set(self._letters(case).mapped("letter_type")),
                {"reminder", "negotiation"},
            )

    def test_mail_from_someone_else_or_hold_turned_off(self):
        stranger = self.env["res.partner"].create(
            {"name": "Someone Else", "email": "someone@elsewhere.example.com"}
        )
        with at(10):
            case = self._case_due(overdue=10)
            self._cron()
            self._reply(case, stranger)
            self.assertFalse(case.reply_hold_until)
            self.company.negotiation_reply_hold_days = 0
            self._reply(case, self.debtor, number=2)
            self.assertFalse(case.reply_hold_until)
            self.assertFalse(self._reply_activities(case))
