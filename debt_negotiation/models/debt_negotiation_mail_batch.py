# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

# Context keys: the logs collected for a later flush, and the logs collected
# while one ``_message_log_batch`` call runs.
PENDING_KEY = "mail_batch_pending"
CAPTURE_KEY = "mail_batch_capture"


class _CollectedLogs(list):
    """Logs collected in a context key. Only this type is honoured: a client
    can send a plain list in its context, never this type, so an RPC call
    cannot make the chatter logs of a record disappear."""


def _collected(env, key):
    """The logs collected under ``key``, or None (nothing collected, or a
    value a client sent)."""
    value = env.context.get(key)
    return value if isinstance(value, _CollectedLogs) else None


class DebtNegotiationMailBatch(models.AbstractModel):
    """Chatter logs created in batches.

    ``mail.thread._message_log_batch`` logs one body per record in one query,
    but only one call at a time, and the tracking of a write logs one message
    per record. Records in :meth:`_mail_batch_deferred` collect the logs of
    every ``_message_log_batch`` / ``_message_log`` call (the same values as
    upstream) until :meth:`_mail_batch_flush` creates them all at once; the
    tracking messages of a write are created together the same way.
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
