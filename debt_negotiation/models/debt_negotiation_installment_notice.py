# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Nobody waits in silence: the debtor is reminded of each payment of the
agreement a few days before it is due, and told at once when it is late,
while the grace period still lets them keep the agreement (seed tip 19)."""

from collections import Counter
from datetime import timedelta

from odoo import Command, api, fields, models
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
    def _send_notices(self, batch_size=200):
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
        """Email ``template`` rendered for each of these installments to its
        debtor's letters contact, shown in its case's chatter from the
        case's author (the negotiator), queued for the mail queue (which is
        woken up).

        Rendered by Odoo's template renderer (``_generate_template``, as
        ``mail.template.send_mail_batch`` does: by chunk, each in its
        debtor's language) with the template's own options: attachments and
        reports, other recipients, mail server, reply-to, auto-delete,
        scheduled date. The emails are then created together.
        ``send_mail_batch`` itself cannot be used as is: it files each email
        on the record it renders (here the installment) and sends it to the
        template's recipients only, while a notice belongs in its case's
        chatter, to its letters contact; re-filing each email afterwards
        would cost a write per email. A template with an email layout is
        sent by ``send_mail_batch`` (which renders layouts) and re-filed.

        :return: the emails (``mail.mail``), in the order of ``self``
        """
        if not self:
            return self.env["mail.mail"]
        template = template.sudo()
        if template.email_layout_xmlid:
            mails = template.send_mail_batch(self.ids, force_send=False)
            for installment, mail in zip(self, mails, strict=True):
                mail.write(installment._notice_mail_values(template, {}))
        else:
            fields_list = [
                "attachment_ids",
                "auto_delete",
                "body_html",
                "email_cc",
                "email_from",
                "email_to",
                "mail_server_id",
                "partner_to",
                "reply_to",
                "report_template_ids",
                "scheduled_date",
                "subject",
            ]
            rendered = template._generate_template(self.ids, fields_list)
            # the reports rendered for them, attached once created (as
            # send_mail_batch does)
            reports = [rendered[i.id].pop("attachments", []) for i in self]
            mails = (
                self.env["mail.mail"]
                .sudo()
                .create(
                    [
                        installment._notice_mail_values(
                            template, rendered[installment.id]
                        )
                        for installment in self
                    ]
                )
            )
            self._attach_reports(mails, reports)
        cron = self.env.ref(
            "mail.ir_cron_mail_scheduler_action", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()
        return mails

    @api.model
    def _attach_reports(self, mails, reports):
        """Attach to each of ``mails`` its rendered ``reports`` (``[(name,
        base64 data)]``), as ``send_mail_batch`` does: created once the
        emails exist, owned by their messages."""
        for mail, attachments in zip(mails, reports, strict=True):
            if not attachments:
                continue
            mail.with_context(default_type=None).write(
                {
                    "attachment_ids": [
                        Command.create(
                            {
                                "name": name,
                                "datas": datas,
                                "type": "binary",
                                "res_model": "mail.message",
                                "res_id": mail.mail_message_id.id,
                            }
                        )
                        for name, datas in attachments
                    ]
                }
            )

    def _notice_mail_values(self, template, rendered):
        """The email of this installment's notice: ``rendered`` (what the
        template rendered for it, if not created yet) in its case's chatter,
        as a comment from the case's author to its letters contact."""
        self.ensure_one()
        case = self.negotiation_id
        values = dict(rendered)
        partner_ids = values.pop("partner_ids", [])  # the template's own
        for key in ("model", "res_id", "partner_to"):
            values.pop(key, None)
        if not values.get("email_from"):
            values.pop("email_from", None)
        if "body_html" in values:
            values["body"] = values["body_html"]
        recipients = [Command.link(pid) for pid in case.letter_recipient_id.ids]
        return {
            **values,
            "attachment_ids": [
                Command.link(aid) for aid in values.get("attachment_ids") or []
            ],
            "model": case._name,
            "res_id": case.id,
            "record_name": case.display_name,
            "author_id": case._mail_author().id or self.env.user.partner_id.id,
            "message_type": "comment",
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment"),
            # the chatter keeps the message when the email is deleted
            "is_notification": True,
            "partner_ids": recipients,
            "recipient_ids": recipients + [Command.link(pid) for pid in partner_ids],
        }
