# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import models

from .workflow import ContextCollector

# Context keys: the tracking logs collected while one write's tracking runs
# (see DebtNegotiationMailBatch._message_track), and while one of its
# ``_message_log_batch`` calls runs.
TRACKING_KEY = "mail_batch_tracking"
CAPTURE_KEY = "mail_batch_capture"


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
    """The tracking messages of all the records of one write, created
    together.

    Upstream logs one message (and its tracking values) per record, a few
    queries each: a cron writing the state of thousands of cases would
    spend most of its queries there, and no upstream method logs tracking
    in batches. This is the only hand-written part of the addon's mail: it
    lets ``mail.thread`` compute every value, collects the messages instead
    of creating them one by one, and creates them together with their
    tracking values (``tests/test_mail_batch.py`` compares them with
    ``mail.thread``'s own)."""

    _inherit = "debt.negotiation.mail.batch"

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
