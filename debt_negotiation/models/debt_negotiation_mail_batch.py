# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from markupsafe import escape

from odoo import fields, models
from odoo.tools import split_every
from odoo.tools.misc import clean_context

from .workflow import ContextCollector

# Context keys: the logs collected for a later flush, and the logs collected
# while one ``_message_log_batch`` call runs.
PENDING_KEY = "mail_batch_pending"
CAPTURE_KEY = "mail_batch_capture"
# The arguments of ``message_post`` that ``_mail_batch_post`` takes.
POST_KEYS = frozenset(
    {
        "body",
        "subject",
        "author_id",
        "email_from",
        "reply_to",
        "partner_ids",
        "message_type",
        "subtype_xmlid",
        "record_alias_domain_id",
        "record_company_id",
    }
)


# Context key holding the activities one scheduled run created, for the
# negotiators' digest (see debt.negotiation.followup.engine's
# _notify_negotiators).
RUN_ACTIVITIES_KEY = "debt_negotiation_followup_run_activities"


class _RunActivities(ContextCollector, list):
    """Ids of the activities created by one scheduled run: a type no RPC
    client can send in a context, so only a run collects them."""


class _CollectedLogs(ContextCollector, list):
    """Logs collected in a context key. Only this type is honoured: a client
    can send a plain list in its context, never this type, so an RPC call
    cannot make the chatter logs of a record disappear."""


def _collected(env, key):
    """The logs collected under ``key``, or None (nothing collected, or a
    value a client sent)."""
    value = env.context.get(key)
    return value if isinstance(value, _CollectedLogs) else None


class DebtNegotiationMailBatch(models.AbstractModel):
    """Chatter logs created, and messages posted, in batches.

    ``mail.thread._message_log_batch`` logs one body per record in one query,
    but only one call at a time, and the tracking of a write logs one message
    per record. Records in :meth:`_mail_batch_deferred` collect the logs of
    every ``_message_log_batch`` / ``_message_log`` call (the same values as
    upstream) until :meth:`_mail_batch_flush` creates them all at once; the
    tracking messages of a write are created together the same way.

    :meth:`_mail_batch_post` posts many messages as ``message_post`` does
    (followers, inbox and email notifications), in a few queries for all.
    """

    _name = "debt.negotiation.mail.batch"
    _inherit = ["mail.thread"]
    _description = "Chatter Logs in Batches"

    # ------------------------------------------------------------------
    # BATCH API
    # ------------------------------------------------------------------
    def _mail_batch_deferred(self):
        """``self`` collecting its chatter logs until :meth:`_mail_batch_flush`."""
        if _collected(self.env, PENDING_KEY) is not None:
            return self
        return self.with_context(**{PENDING_KEY: _CollectedLogs()})

    def _mail_batch_flush(self):
        """Create the logs collected so far, in the order they were logged."""
        pending = _collected(self.env, PENDING_KEY)
        if not pending:
            return self.env["mail.message"]
        values_list = list(pending)
        pending.clear()
        return self._mail_batch_create(values_list)

    def _mail_batch_create(self, values_list):
        """Create logs from their ``_message_create`` values, with all their
        tracking values in one query (``mail.message.create`` runs one query
        per message that has some)."""
        tracking = [values.pop("tracking_value_ids", False) for values in values_list]
        messages = (
            self.sudo()
            .with_context(**{PENDING_KEY: None, CAPTURE_KEY: None})
            ._message_create(values_list)
        )
        tracking_values = []
        for message, commands in zip(messages, tracking, strict=True):
            creates = [cmd for cmd in commands or () if len(cmd) == 3 and cmd[0] == 0]
            tracking_values += [
                dict(cmd[2], mail_message_id=message.id) for cmd in creates
            ]
            if len(creates) != len(commands or ()):
                message.write({"tracking_value_ids": commands})
        if tracking_values:
            self.env["mail.tracking.value"].sudo().create(tracking_values)
        return messages

    # ------------------------------------------------------------------
    # BATCH POSTING
    # ------------------------------------------------------------------
    def _mail_batch_post(self, values_list):
        """``message_post(**values_list[i])`` on ``self[i]``, for all these
        records at once (``self`` may hold a record more than once): the
        same messages, author following, inbox and email notifications as
        ``message_post``, made by Odoo's own notification methods but
        created together: a few queries for the batch instead of about a
        dozen per message. The emails are queued for the mail queue (which
        is woken up), not sent one by one during the post.

        A message whose recipients include another channel than the inbox
        and email (an SMS, ...) is notified by ``_notify_thread`` itself.

        :param values_list: ``message_post``'s arguments per record, among
            :data:`POST_KEYS`
        :return: the messages, in the order of ``self``
        """
        if len(values_list) != len(self._ids):
            raise ValueError("_mail_batch_post: one values dict per record")
        unknown = set().union(*map(set, values_list)) - POST_KEYS
        if unknown:
            raise ValueError(
                "_mail_batch_post does not take %s" % ", ".join(sorted(unknown))
            )
        if not self:
            return self.env["mail.message"]
        records = self._fallback_lang()
        if self.env.context.get("mail_post_autofollow"):
            records._mail_batch_autofollow(values_list)
        msg_values_list = records._mail_batch_post_values(values_list)
        messages = records._message_create(msg_values_list)
        records._mail_batch_thread_new(messages, msg_values_list)
        records._mail_batch_subscribe_authors(msg_values_list)
        for record, message, msg_values in zip(
            records, messages, msg_values_list, strict=True
        ):
            record._message_post_after_hook(message, msg_values)
        records._mail_batch_notify(messages, msg_values_list)
        return messages

    def _mail_batch_post_values(self, values_list):
        """The message values ``message_post`` creates for each record,
        what they share (authors, subtypes, reply-to, alias domains,
        companies, thread parents) worked out once for all."""
        company = self.env.company
        alias_domains = self.sudo()._mail_get_alias_domains(default_company=company)
        companies = self._mail_get_companies(default=company)
        parents = self._mail_batch_parents()
        authors, subtypes, reply_to = {}, {}, {}
        msg_values_list = []
        for record, values in zip(self, values_list, strict=True):
            values = dict(values)
            author = (values.pop("author_id", None), values.pop("email_from", None))
            if author not in authors:
                authors[author] = self._message_compute_author(
                    *author, raise_on_email=True
                )
            author_id, email_from = authors[author]
            xmlid = values.pop("subtype_xmlid", None) or "mail.mt_note"
            if xmlid not in subtypes:
                subtypes[xmlid] = self.env["ir.model.data"]._xmlid_to_res_id(xmlid)
            if "reply_to" not in values:
                if email_from not in reply_to:
                    reply_to[email_from] = self._notify_get_reply_to(default=email_from)
                values["reply_to"] = reply_to[email_from][record.id]
            values.setdefault("record_alias_domain_id", alias_domains[record.id].id)
            values.setdefault("record_company_id", companies[record.id].id)
            msg_values_list.append(
                {
                    "email_add_signature": True,
                    "record_name": record.sudo().display_name,
                    **values,
                    "author_id": author_id,
                    "author_guest_id": False,
                    "email_from": email_from,
                    "model": self._name,
                    "res_id": record.id,
                    "body": escape(values.get("body") or ""),
                    "message_type": values.get("message_type") or "notification",
                    "parent_id": parents.get(record.id, False),
                    "subject": values.get("subject") or False,
                    "subtype_id": subtypes[xmlid],
                    "partner_ids": list(values.get("partner_ids") or []),
                    "attachment_ids": [],
                }
            )
        return msg_values_list

    def _mail_batch_parents(self):
        """``{record id: its thread's first message}`` as ``message_post``
        finds the parent of a new message in a flat thread, for all these
        records in one query."""
        if not self._mail_flat_thread:
            return {}
        groups = (
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", list(set(self.ids))),
                    ("message_type", "!=", "user_notification"),
                ],
                ["res_id"],
                ["id:min"],
            )
        )
        return dict(groups)

    def _mail_batch_thread_new(self, messages, msg_values_list):
        """A record that had no message yet got several in this batch: the
        first one starts its thread and is the parent of the others, as when
        they are posted one after the other."""
        if not self._mail_flat_thread:
            return
        first = {}
        for message, msg_values in zip(messages, msg_values_list, strict=True):
            if msg_values["parent_id"]:
                continue
            if msg_values["res_id"] not in first:
                first[msg_values["res_id"]] = message.id
                continue
            msg_values["parent_id"] = first[msg_values["res_id"]]
            message.sudo().parent_id = msg_values["parent_id"]

    def _mail_batch_autofollow(self, values_list):
        """The partners a message is sent to follow its record, as
        ``message_post`` makes them under ``mail_post_autofollow``; one call
        per set of partners."""
        by_partners = defaultdict(list)
        for record, values in zip(self, values_list, strict=True):
            if values.get("partner_ids"):
                by_partners[tuple(values["partner_ids"])].append(record.id)
        for partner_ids, res_ids in by_partners.items():
            self.browse(res_ids).message_subscribe(partner_ids=list(partner_ids))

    def _mail_batch_subscribe_authors(self, msg_values_list):
        """Who posted follows the record, as after ``message_post``: the
        current user, else the author (when active); one call per author."""
        if self.env.context.get("mail_create_nosubscribe"):
            return
        user = self.env.user
        by_author = defaultdict(list)
        for msg_values in msg_values_list:
            if msg_values["message_type"] == "notification":
                continue
            if user.active:
                by_author[user.partner_id.id].append(msg_values["res_id"])
                continue
            author = self.env["res.partner"].browse(msg_values["author_id"])
            if author.active:
                by_author[author.id].append(msg_values["res_id"])
        for partner_id, res_ids in by_author.items():
            self.browse(res_ids)._message_subscribe(partner_ids=[partner_id])

    def _mail_batch_recipients(self, msg_values_list):
        """The recipients of each message as ``_notify_get_recipients``
        finds them (followers of its subtype and its partners, without the
        author nor inactive partners), read in two queries for all."""
        Followers = self.env["mail.followers"]
        by_subtype = defaultdict(list)
        for msg_values in msg_values_list:
            by_subtype[(msg_values["message_type"], msg_values["subtype_id"])].append(
                msg_values["res_id"]
            )
        followers = {
            key: Followers._get_recipient_data(self.browse(set(res_ids)), *key)
            for key, res_ids in by_subtype.items()
        }
        pids = {pid for values in msg_values_list for pid in values["partner_ids"]}
        # the partners, with whether they follow each record: a partner
        # following none of them comes once for all, one following some
        # comes for those only (a non-follower of the others)
        partners = (
            Followers._get_recipient_data(
                self.browse(set(self.ids)), "comment", False, pids
            )
            if pids
            else {}
        )
        partner_data = {}
        for res_data in partners.values():
            for pid, pdata in res_data.items():
                partner_data.setdefault(pid, dict(pdata, is_follower=False))
        real_author = self.env.user.active and self.env.user.partner_id.id
        notify_author = self.env.context.get("mail_notify_author")
        result = []
        for msg_values in msg_values_list:
            res_id = msg_values["res_id"]
            key = (msg_values["message_type"], msg_values["subtype_id"])
            data = dict(followers[key][res_id])
            for pid in msg_values["partner_ids"]:
                if pid not in data and pid in partner_data:
                    data[pid] = partners[res_id].get(pid) or partner_data[pid]
            author = not notify_author and (real_author or msg_values["author_id"])
            result.append(
                [
                    pdata
                    for pid, pdata in data.items()
                    if not (pid and pid == author) and pdata["active"] is not False
                ]
            )
        return result

    def _mail_batch_notify(self, messages, msg_values_list):
        """Notify each message as ``_notify_thread`` does: inbox
        notifications by Odoo's method, the emails of all the messages
        created together, then their notifications, then web pushes."""
        recipients_list = self._mail_batch_recipients(msg_values_list)
        Users = self.env["res.users"]
        # read once for all what rendering each email reads per message:
        # the users of the recipients and of the records' customers (the
        # portal's sign-up parameters)
        customers = self._mail_get_partners()
        partners = (
            self.env["res.partner"]
            .sudo()
            .browse({r["id"] for recipients in recipients_list for r in recipients})
            | self.env["res.partner"].union(*customers.values()).sudo()
        )
        partners.mapped("user_ids")
        for msg_values in msg_values_list:
            # a new message has no tracking values: spare their search
            msg_values.setdefault("tracking_value_ids", [])
        emails = []  # (message, mail values, recipient ids)
        pushed = []
        for record, message, msg_values, recipients_data in zip(
            self, messages, msg_values_list, recipients_list, strict=True
        ):
            if not recipients_data:
                continue
            if any(r["notif"] not in ("inbox", "email") for r in recipients_data):
                record._notify_thread(message, msg_values)
                continue
            for data in recipients_data:
                if data["uid"]:
                    user = Users.browse(data["uid"])
                    self.env.cache.insert_missing(
                        user, user._fields["partner_id"], [data["id"]]
                    )
            record._notify_thread_by_inbox(
                message, recipients_data, msg_vals=msg_values
            )
            emails += [
                (message, *mail)
                for mail in record._mail_batch_email_values(
                    message, recipients_data, msg_values
                )
            ]
            pushed.append((record, message, msg_values, recipients_data))
        if emails:
            # no default_* key of the caller's context in them
            clean_env = self.env(context=clean_context(self.env.context))
            mails = (
                clean_env["mail.mail"]
                .sudo()
                .create([mail_values for _message, mail_values, _ids in emails])
            )
            clean_env["mail.notification"].sudo().create(
                [
                    {
                        "author_id": message.author_id.id,
                        "is_read": True,
                        "mail_mail_id": mail.id,
                        "mail_message_id": message.id,
                        "notification_status": "ready",
                        "notification_type": "email",
                        "res_partner_id": partner_id,
                    }
                    for (message, _values, partner_ids), mail in zip(
                        emails, mails, strict=True
                    )
                    for partner_id in partner_ids
                ]
            )
            cron = self.env.ref(
                "mail.ir_cron_mail_scheduler_action", raise_if_not_found=False
            )
            if cron:
                cron.sudo()._trigger()
        self._mail_batch_web_push(pushed)

    def _mail_batch_email_values(self, message, recipients_data, msg_values):
        """``[(mail values, recipient ids)]``: the emails
        ``_notify_thread_by_email`` creates for this message, each group of
        recipients with its layout rendered by Odoo's method."""
        partners_data = [r for r in recipients_data if r["notif"] == "email"]
        if not partners_data:
            return []
        base_mail_values = self._notify_by_email_get_base_mail_values(
            message, additional_values={"auto_delete": True}
        )
        batch_size = (
            int(self.env["ir.config_parameter"].sudo().get_param("mail.batch_size"))
            or 50
        )
        result = []
        for (
            _lang,
            render_values,
            group,
        ) in self._notify_get_classified_recipients_iterator(
            message, partners_data, msg_vals=msg_values
        ):
            body = self._notify_by_email_render_layout(
                message, group, msg_vals=msg_values, render_values=render_values
            )
            for chunk in split_every(batch_size, group.pop("recipients")):
                mail_values = self._notify_by_email_get_final_mail_values(
                    chunk, base_mail_values, additional_values={"body_html": body}
                )
                result.append((mail_values, list(chunk)))
        return result

    def _mail_batch_web_push(self, notified):
        """Web pushes of these messages (``_notify_thread_by_web_push``),
        only for those whose recipients have a registered device (looked up
        once for all)."""
        pids_of = [
            set(
                record._extract_partner_ids_for_notifications(
                    message, msg_values, recipients_data
                )
            )
            for record, message, msg_values, recipients_data in notified
        ]
        pids = set().union(*pids_of)
        if not pids:
            return
        devices = (
            self.env["mail.push.device"]
            .sudo()
            .search([("partner_id", "in", list(pids))])
        )
        with_device = set(devices.partner_id.ids)
        for (record, message, msg_values, recipients_data), item_pids in zip(
            notified, pids_of, strict=True
        ):
            if item_pids & with_device:
                record._notify_thread_by_web_push(message, recipients_data, msg_values)

    def _mail_batch_notes(self, notes):
        """Post each ``(record, body)`` of ``notes`` as a note, as
        ``record.message_post(body=body)`` does, all together (see
        :meth:`_mail_batch_post`)."""
        records = self.browse([record.id for record, _body in notes])
        return records._mail_batch_post([{"body": body} for _record, body in notes])

    def _mail_batch_activities(self, activity_type, values_list):
        """``activity_schedule(activity_type_id=activity_type.id,
        **values_list[i])`` on ``self[i]``, for all these records at once
        (each its own summary, note, deadline and assignee): the activities
        created together. As ``activity_schedule``, nothing is scheduled
        under ``mail_activity_automation_skip`` and each assignee is notified
        unless ``mail_activity_quick_update`` is set. In a scheduled run that
        collects its activities (:data:`RUN_ACTIVITIES_KEY`), nobody is
        notified per activity: they are collected for the run's digest (see
        the follow-up engine's ``_notify_negotiators``).

        :return: the activities, in the order of ``self``
        """
        if len(values_list) != len(self._ids):
            raise ValueError("_mail_batch_activities: one values dict per record")
        if self.env.context.get("mail_activity_automation_skip"):
            return self.env["mail.activity"]
        model_id = self.env["ir.model"]._get(self._name).id
        today = fields.Date.context_today(self)
        vals_list = []
        for record, values in zip(self, values_list, strict=True):
            vals = {
                "activity_type_id": activity_type.id,
                "automated": True,
                "date_deadline": today,
                "res_model_id": model_id,
                "res_id": record.id,
                **values,
            }
            vals["summary"] = vals.get("summary") or activity_type.summary
            vals["note"] = vals.get("note") or activity_type.default_note
            vals["user_id"] = (
                vals.get("user_id") or activity_type.default_user_id.id or self.env.uid
            )
            vals_list.append(vals)
        collected = self.env.context.get(RUN_ACTIVITIES_KEY)
        if not isinstance(collected, _RunActivities):
            return self.env["mail.activity"].create(vals_list)
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        collected.extend(activities.ids)
        return activities

    # ------------------------------------------------------------------
    # OVERRIDES OF MAIL.THREAD
    # ------------------------------------------------------------------
    def _message_log_batch(self, bodies, **kwargs):
        # Override of mail.thread: in _mail_batch_deferred(), the log is
        # collected (upstream values) instead of created.
        pending = _collected(self.env, PENDING_KEY)
        if pending is None:
            return super()._message_log_batch(bodies, **kwargs)
        capturing = self.with_context(**{PENDING_KEY: None, CAPTURE_KEY: pending})
        super(DebtNegotiationMailBatch, capturing)._message_log_batch(bodies, **kwargs)
        return self.env["mail.message"]

    def _message_create(self, values_list):
        # Override of mail.thread: see _message_log_batch.
        captured = _collected(self.env, CAPTURE_KEY)
        if captured is None:
            return super()._message_create(values_list)
        captured.extend(values_list)
        return self.env["mail.message"]

    def _message_track(self, fields_iter, initial_values_dict):
        # Override of mail.thread: the tracking messages of all the records
        # in one batch instead of one _message_log per record, created at
        # once (also when the records come from a _mail_batch_deferred()).
        batch = self.with_context(**{PENDING_KEY: _CollectedLogs(), CAPTURE_KEY: None})
        tracking = super(DebtNegotiationMailBatch, batch)._message_track(
            fields_iter, initial_values_dict
        )
        batch._mail_batch_flush()
        return tracking
