# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nobody waits in silence: the debtor is reminded of each payment of the
agreement a few days before it is due, and told at once when it is late,
while the grace period still lets them keep the agreement (seed tip 19)."""

from collections import Counter
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import format_date, split_every

from .workflow import internal as _internal

REMINDER_TEMPLATE = "debt_negotiation.mail_template_installment_reminder"
LATE_TEMPLATE = "debt_negotiation.mail_template_installment_late"


class DebtNegotiationInstallment(models.Model):
    _inherit = "debt.negotiation.installment"  # pylint: disable=consider-merging-classes-inherited

    grace_end_date = fields.Date(
        string="Grace Period Ends",
        compute="_compute_grace_end_date",
        help="The last day this payment can arrive before the agreement is broken.",
    )

    @api.depends("due_date", "company_id.negotiation_grace_days")
    def _compute_grace_end_date(self):
        for installment in self:
            installment.grace_end_date = installment.due_date and (
                installment.due_date
                + timedelta(days=installment.company_id.negotiation_grace_days or 0)
            )

    @api.model
    def _notice_domain(self, kind, today):
        """Installments that get their ``kind`` notice (``reminder`` or
        ``late``) on ``today``: unpaid, of an agreement in force, of a
        debtor who accepts letters, not noticed yet."""
        domain = [
            ("active", "=", True),
            ("agreement_id.state", "=", "active"),
            ("negotiation_id.state", "=", "agreement"),
            ("partner_id.negotiation_blocked", "=", False),
        ]
        if kind == "late":
            return [*domain, ("state", "=", "late"), ("late_notice_date", "=", False)]
        return [
            *domain,
            ("state", "=", "pending"),
            ("reminder_date", "=", False),
            ("due_date", ">=", today),
            ("company_id.negotiation_installment_reminder_days", ">", 0),
        ]

    @api.model
    def _send_notices(self, batch_size=200, auto_commit=False):
        """Send the installment reminders and late notices due today (the
        agreement monitor calls this). Idempotent: an installment is
        noticed once of each kind. By batches, each installment apart when
        its batch fails (noted on its case, tried again on the next run).

        :return: a Counter of the notices sent (``reminders``,
            ``late_notices``)
        """
        today = fields.Date.context_today(self)
        Installment = self.sudo().with_context(active_test=True)
        Run = self.env["debt.negotiation.run"]
        sent = Counter()
        for kind, key, template_xmlid, date_field in (
            ("reminder", "reminders", REMINDER_TEMPLATE, "reminder_date"),
            ("late", "late_notices", LATE_TEMPLATE, "late_notice_date"),
        ):
            installments = Installment.search(self._notice_domain(kind, today))
            if kind == "reminder":
                installments = installments.filtered(
                    lambda i: (
                        i.due_date
                        <= today
                        + timedelta(
                            days=i.company_id.negotiation_installment_reminder_days
                        )
                    )
                )
            template = self.env.ref(template_xmlid, raise_if_not_found=False)
            if not template:
                continue

            def notify(batch, template=template, date_field=date_field, kind=kind):
                batch._post_notices(template)
                batch._sms_notices(kind)
                _internal(batch).write({date_field: today})
                return len(batch)

            for batch in split_every(batch_size, installments.ids, Installment.browse):
                sent[key] += sum(
                    Run._isolated(
                        batch,
                        notify,
                        lambda installment, error: Run._fail(
                            installment.negotiation_id, "notice", error
                        ),
                        label="Installment notices",
                    )
                )
                if auto_commit:
                    self.env.cr.commit()  # pylint: disable=invalid-commit
                # keep the memory flat: forget the batch
                self.env.invalidate_all()
        return sent

    def _sms_notices(self, kind):
        """The same ``kind`` notice (``reminder`` or ``late``) by SMS too,
        to each debtor whose contact has a valid mobile number."""
        for installment in self:
            case = installment.negotiation_id
            partner, _number, number = case._sms_recipient()
            if not (partner.mobile and number):
                continue
            case = case.with_context(lang=partner.lang or case.partner_id.lang)
            values = {
                "company": case.company_id.name,
                "amount": case.currency_id.format(
                    installment.amount - installment.amount_paid
                ),
                "case": case.name,
                "link": case._portal_link(),
            }
            if kind == "late":
                body = case.env._(
                    "%(company)s: your payment of %(amount)s (ref. %(case)s) "
                    "is late. Please pay it by %(date)s: %(link)s",
                    date=format_date(case.env, installment.grace_end_date),
                    **values,
                )
            else:
                body = case.env._(
                    "%(company)s: your payment of %(amount)s (ref. %(case)s) "
                    "is due on %(date)s. Pay online: %(link)s",
                    date=format_date(case.env, installment.due_date),
                    **values,
                )
            case._sms_send(partner, number, body)

    def _post_notices(self, template):
        """Email ``template`` rendered for each of these installments (its
        subject, body and sender rendered for all at once, each in its
        debtor's language) to its debtor's letters contact, posted in its
        case's chatter: all the messages and emails created together (see
        ``_mail_batch_post``).

        :return: the messages, in the order of ``self``
        """
        template = template.sudo()
        values = {
            name: template._render_field(name, self.ids, compute_lang=True)
            for name in ("subject", "body_html")
        }
        senders = template._render_field("email_from", self.ids)
        cases = self.env["debt.negotiation"].browse(
            [installment.negotiation_id.id for installment in self]
        )
        return cases._mail_batch_post(
            [
                {
                    "subject": values["subject"][installment.id],
                    "body": values["body_html"][installment.id],
                    "email_from": senders[installment.id] or None,
                    **installment.negotiation_id._mail_author_values(),
                    "partner_ids": installment.negotiation_id.letter_recipient_id.ids,
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_comment",
                }
                for installment in self
            ]
        )
