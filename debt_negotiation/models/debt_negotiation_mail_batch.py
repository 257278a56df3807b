# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import escape

from odoo import fields, models

from .workflow import ContextCollector

# Context keys: the tracking logs collected while one write's tracking runs
# (see DebtNegotiationMailBatch._message_track), and while one of its
# ``_message_log_batch`` calls runs.
TRACKING_KEY = "mail_batch_tracking"
CAPTURE_KEY = "mail_batch_capture"

# Context key holding the activities one scheduled run created, for the
# negotiators' digest (see debt.negotiation.followup.engine's
# _notify_negotiators).
RUN_ACTIVITIES_KEY = "debt_negotiation_followup_run_activities"


class _RunActivities(ContextCollector, list):
    """Ids of the activities created by one scheduled run: a type no RPC
    client can send in a context, so only a run collects them."""


class _CollectedLogs(ContextCollector, list):
    """The logs of one write's tracking, collected in a context key. Only
    this type is honoured: a client can send a plain list in its context,
    never this type, so an RPC call cannot make chatter logs disappear."""


def _collected(env, key):
    """The tracking logs collected under ``key``, or None (nothing
    collected, or a value a client sent)."""
    value = env.context.get(key)
    return value if isinstance(value, _CollectedLogs) else None


class DebtNegotiationMailBatch(models.AbstractModel):
    """Chatter notes and activities of many records at once, on Odoo's own
    batch methods.

    * notes: :meth:`_log_notes` logs them with ``_message_log_batch`` (as
      ``account`` logs the hashing of its entries), one query per round;
    * activities: :meth:`_mail_batch_activities` creates them with one
      ``mail.activity.create`` (a scheduled run tells the negotiators in a
      digest instead of once per activity);
    * tracking: :meth:`_message_track` creates the tracking messages of all
      the records of one write together. Upstream logs one message (and its
      tracking values) per record, a few queries each: a cron writing the
      state of thousands of cases would spend most of its queries there,
      and no upstream method logs tracking in batches. This is the only
      hand-written part; it creates exactly the values upstream computes
      (``tests/test_mail_batch.py`` compares them with ``mail.thread``'s).

    The debtors' emails are not posted here: they go through the templates
    (``mail.template.send_mail_batch``, ``message_post_with_source``).
    """

    _name = "debt.negotiation.mail.batch"
    _inherit = ["mail.thread"]
    _description = "Chatter Logs in Batches"

    # ------------------------------------------------------------------
    # BATCH API
    # ------------------------------------------------------------------
    def _log_notes(self, notes):
        """Log each ``(record, body)`` of ``notes`` as a note in its
        record's chatter (``body``: text, escaped, or markup), in their
        order: ``_message_log_batch`` once per round of distinct records.

        :return: the messages (sudo)
        """
        rounds = []
        for record, body in notes:
            bodies = next((r for r in rounds if record.id not in r), None)
            if bodies is None:
                bodies = {}
                rounds.append(bodies)
            bodies[record.id] = escape(body)
        messages = self.env["mail.message"].sudo()
        for bodies in rounds:
            messages |= self.browse(list(bodies))._message_log_batch(bodies=bodies)
        return messages

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
    def _message_track(self, fields_iter, initial_values_dict):
        # Override of mail.thread: the tracking logs of all the records of
        # the write created together (see the class docstring).
        collected = _CollectedLogs()
        tracking = super(
            DebtNegotiationMailBatch, self.with_context(**{TRACKING_KEY: collected})
        )._message_track(fields_iter, initial_values_dict)
        if collected:
            self._mail_batch_create(list(collected))
        return tracking

    def _message_log_batch(self, bodies, **kwargs):
        # Override of mail.thread: in _message_track, the tracking log is
        # collected (upstream's values) instead of created.
        collected = _collected(self.env, TRACKING_KEY)
        if collected is None:
            return super()._message_log_batch(bodies, **kwargs)
        capturing = self.with_context(**{TRACKING_KEY: None, CAPTURE_KEY: collected})
        super(DebtNegotiationMailBatch, capturing)._message_log_batch(bodies, **kwargs)
        return self.env["mail.message"]

    def _message_create(self, values_list):
        # Override of mail.thread: see _message_log_batch.
        captured = _collected(self.env, CAPTURE_KEY)
        if captured is None:
            return super()._message_create(values_list)
        captured.extend(values_list)
        return self.env["mail.message"]

    def _mail_batch_create(self, values_list):
        """Create logs from their ``_message_create`` values, with all their
        tracking values in one query (``mail.message.create`` runs one query
        per message that has some)."""
        tracking = [values.pop("tracking_value_ids", False) for values in values_list]
        messages = (
            self.sudo()
            .with_context(**{TRACKING_KEY: None, CAPTURE_KEY: None})
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
