# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""A reply holds the chase (issue 27, point 2): an email from the debtor
(or one of its contacts) on the case, through Odoo's mail gateway, holds the
follow-ups for the company's reply hold days and gives the negotiator an
activity to read it; the negotiator may release the hold earlier."""

from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models

from ..const import FOLLOWED_STATES


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    reply_hold_until = fields.Date(
        readonly=True,
        copy=False,
        tracking=True,
        help="The debtor wrote to us: the automatic follow-ups leave the "
        "case alone until this date (the company's reply hold days), so "
        "the negotiator reads and answers the reply first. Release Hold "
        "ends it earlier.",
    )

    def _reply_hold(self, message):
        """The debtor's email ``message`` arrived on this case: hold the
        follow-ups and ask the negotiator to read it (one open activity)."""
        self.ensure_one()
        days = self.company_id.negotiation_reply_hold_days
        if days <= 0 or self.state not in FOLLOWED_STATES:
            return
        today = fields.Date.context_today(self)
        until = today + timedelta(days=days)
        case = self.sudo()
        if not case.reply_hold_until or case.reply_hold_until < until:
            case.reply_hold_until = until
        todo = self.env.ref("mail.mail_activity_data_todo")
        summary = self.env._("Read the debtor's reply")
        if case.activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.summary == summary
        ):
            return
        case.activity_schedule(
            activity_type_id=todo.id,
            summary=summary,
            note=Markup("<p>%s</p>")
            % self.env._(
                "%(author)s wrote on %(date)s: the follow-ups wait until %(until)s.",
                author=message.author_id.name or message.email_from,
                date=fields.Date.to_string(today),
                until=fields.Date.to_string(until),
            ),
            date_deadline=today,
            user_id=case._activity_user_id(),
        )

    def action_release_reply_hold(self):
        """The negotiator answered: the follow-ups may act again."""
        self.check_access("write")
        held = self.filtered("reply_hold_until")
        held.sudo().reply_hold_until = False
        for case in held:
            case.message_post(
                body=self.env._(
                    "Reply hold released by %(user)s: the follow-ups act again.",
                    user=self.env.user.name,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True
