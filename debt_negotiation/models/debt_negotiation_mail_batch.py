# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from markupsafe import escape

from odoo import fields, models

from .workflow import RUN_ACTIVITIES_KEY, RunActivities


class DebtNegotiationMailBatch(models.AbstractModel):
    """Chatter notes and activities of many records at once, on Odoo's own
    batch methods.

    * notes: :meth:`_log_notes` logs them with ``_message_log_batch`` (as
      ``account`` logs the hashing of its entries), one query per round;
    * activities: :meth:`_mail_batch_activities` creates them with one
      ``mail.activity.create`` (a scheduled run tells the negotiators in a
      digest instead of once per activity);
    * tracking: the tracking messages of all the records of one write
      created together (``debt_negotiation_mail_tracking.py``, the only
      hand-written part).

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
        if not isinstance(collected, RunActivities):
            return self.env["mail.activity"].create(vals_list)
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        collected.extend(activities.ids)
        return activities
