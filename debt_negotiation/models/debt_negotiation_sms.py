# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""SMS as a ladder channel (issue 27, point 1): a follow-up step of channel
``sms`` texts the debtor's contact a short message with the link to its
case page, through Odoo's ``sms`` module (queued, sent by its own cron);
each text is logged as an interaction and in the chatter. A contact without
a valid mobile number is a problem on the case, never a silent skip."""

from odoo import models
from odoo.tools import format_date


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    def _sms_recipient(self, step=None):
        """``(contact, number as given, number in E.164 or False)``: who
        the follow-up texts reach: the contact its letters are emailed to,
        else the invoicing contact, else the debtor, the first with a
        mobile (else phone) number."""
        self.ensure_one()
        to = self._letter_recipients(step)[0]
        candidates = to | self._letter_contact() | self.partner_id
        partner = next((p for p in candidates if p.mobile or p.phone), candidates[:1])
        number = partner.mobile or partner.phone or False
        sanitized = number and partner._phone_format(
            number=number,
            country=partner.country_id or self.company_id.country_id,
        )
        return partner, number, sanitized or False

    def _sms_problem(self, step):
        """Why the texts of ``step`` cannot reach this case's debtor, or
        False."""
        partner, number, sanitized = self._sms_recipient(step)
        if not number:
            return self.env._(
                "the debtor %(partner)s has no mobile number",
                partner=partner.display_name,
            )
        if not sanitized:
            return self.env._(
                "the mobile number %(number)s of %(partner)s is not valid",
                number=number,
                partner=partner.display_name,
            )
        return False

    def _sms_body(self, step, partner):
        """The text of ``step``'s SMS, in ``partner``'s language: short,
        with the amount claimed, the reference and the case's link."""
        self.ensure_one()
        case = self.with_context(lang=partner.lang or self.partner_id.lang)
        values = {
            "company": case.company_id.name,
            "amount": case.currency_id.format(case.amount_claimed),
            "case": case.name,
            "link": case._portal_link(),
        }
        if step.letter_type == "final_notice" and case.response_deadline:
            return case.env._(
                "%(company)s, final notice: %(amount)s is overdue (ref. "
                "%(case)s). Please pay by %(date)s: %(link)s",
                date=format_date(case.env, case.response_deadline),
                **values,
            )
        return case.env._(
            "%(company)s: %(amount)s is overdue on your account (ref. "
            "%(case)s). Pay or answer online: %(link)s",
            **values,
        )

    def _send_followup_sms(self, step):
        """Text each of these cases' debtor the message of ``step``
        (queued for Odoo's SMS cron), logged in the chatter and as an
        outbound SMS interaction."""
        for case in self:
            partner, _number, sanitized = case._sms_recipient(step)
            case._sms_send(partner, sanitized, case._sms_body(step, partner))

    def _sms_send(self, partner, number, body):
        """Text ``body`` to ``partner`` at ``number`` (E.164), queued for
        Odoo's SMS cron, posted in the case's chatter and logged as an
        outbound SMS interaction."""
        self.ensure_one()
        self.sudo()._message_sms(
            body,
            partner_ids=partner.ids,
            sms_pid_to_number={partner.id: number},
            put_in_queue=True,
        )
        self.env["debt.negotiation.interaction"].sudo().create(
            {
                "negotiation_id": self.id,
                "channel": "sms",
                "direction": "outbound",
                "contact_name": partner.name,
                "summary": body,
                "outcome": "other",
            }
        )
