# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The scheduled runs (follow-ups, agreement check), as records managers
read: when, by whom, what was done, and each case that was skipped or
failed with the reason.

A run is a list of phases (:meth:`DebtNegotiationRun._advance`). Under
the scheduler it advances by one step per cron call, on Odoo's cron loop:
the call reports ``done``/``remaining`` with ``ir.cron._notify_progress``,
the framework commits it and calls again (at once, or after the other
ready jobs) until nothing remains; the run record keeps where it stopped
(phase, last case id) and what it did so far. A manager's run by hand, the
tests and the benches run all the steps in one call and one transaction.

Both runs isolate their work the same way (:meth:`DebtNegotiationRun.
_isolated`): a batch in a savepoint, then item by item when it fails, the
failing item rolled back alone and noted once on its case
(:meth:`DebtNegotiationRun._fail`); the rest of the run goes on. A case
failing three days in a row gets an activity for its negotiator, once per
streak (:meth:`DebtNegotiationRun._alert_streaks`).
"""

import logging
from collections import Counter, defaultdict
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools.misc import format_date

from ..tools import automation
from .workflow import RUN_ACTIVITIES_KEY, ContextCollector, RunActivities

_logger = logging.getLogger(__name__)

# Context key of the run in progress (see _RunInProgress).
RUN_KEY = "debt_negotiation_run"
# The case field each run notes its problems in.
ERROR_FIELDS = {"followups": "followup_error", "agreements": "monitor_error"}
# Counter keys of what each run did, with their labels (see _summary).
DONE_KEYS = {
    "followups": ("settled", "expired_offers", "opened", "courtesy", "executed"),
    "agreements": (
        "broken",
        "cured",
        "fulfilled",
        "reminders",
        "late_notices",
        "promises_kept",
        "promises_broken",
        "settled",
    ),
}
# The phases only the follow-ups run has.
FOLLOWUP_PHASES = ("step", "expire", "open", "courtesy")
# How long the run lines are read back to find a case's failing streak.
STREAK_LOOKBACK_DAYS = 60


class _RunInProgress(ContextCollector):
    """The run a scheduled job is recording: a type no client can send in a
    context. Holds the run's id and what it noted."""

    def __init__(self, run_id, failed_case_ids=()):
        self.run_id = run_id
        self.failed_case_ids = set(failed_case_ids)


class DebtNegotiationRun(models.Model):
    _name = "debt.negotiation.run"
    _description = "Debt Negotiation Scheduled Run"
    _order = "date_start desc, id desc"

    name = fields.Char(compute="_compute_name")
    kind = fields.Selection(
        [("followups", "Follow-ups"), ("agreements", "Agreement Check")],
        required=True,
        readonly=True,
    )
    date = fields.Date(
        string="Day", required=True, readonly=True, index=True, help="The day run."
    )
    date_start = fields.Datetime(string="Started", required=True, readonly=True)
    date_end = fields.Datetime(string="Ended", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Run By",
        readonly=True,
        help="Who started the run: the scheduler's user, or the manager who "
        "ran it by hand. The run does the same whoever starts it.",
    )
    manual = fields.Boolean(string="Run by Hand", readonly=True)
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        readonly=True,
        help="The companies the run worked for; empty: all of them.",
    )
    state = fields.Selection(
        [("running", "Running or Interrupted"), ("done", "Done")],
        required=True,
        default="running",
        readonly=True,
    )
    done_count = fields.Integer(string="Done", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    summary = fields.Text(readonly=True, help="What the run did.")
    line_ids = fields.One2many(
        "debt.negotiation.run.line", "run_id", string="Problems", readonly=True
    )
    # where a run left by a cron call goes on (see _advance)
    phase = fields.Integer(
        string="Next Phase", readonly=True, help="The phase the run goes on with."
    )
    cursor = fields.Integer(
        string="Last Record Done",
        readonly=True,
        help="The id of the last record the current phase went through.",
    )
    stats = fields.Json(string="Counts So Far", readonly=True)
    activity_ids = fields.Json(
        string="Activities Given",
        readonly=True,
        help="The activities the run gave the negotiators, for their digest.",
    )

    @api.depends("kind", "date")
    def _compute_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for run in self:
            run.name = self.env._(
                "%(kind)s of %(date)s",
                kind=kinds.get(run.kind, ""),
                date=format_date(self.env, run.date),
            )

    # ------------------------------------------------------------------
    # Recording a run
    # ------------------------------------------------------------------
    @api.model
    def _start(self, kind, manual=False, company_ids=None):
        """Record the start of a run of ``kind`` by the current user (the
        scheduler's, or the manager's for a run by hand) and return the
        records of ``self``'s model to run it with: as the scheduler
        (superuser), whoever started it, so that every run gives the same
        result; the run in progress in their context.

        Only the runs' own entry points call this, after their checks (a
        manager for a run by hand; the scheduler otherwise)."""
        run = (
            self.sudo()
            .with_context(tracking_disable=True)
            .create(
                {
                    "kind": kind,
                    "date": fields.Date.context_today(self),
                    "date_start": fields.Datetime.now(),
                    "user_id": self.env.uid,
                    "manual": manual,
                    "company_ids": [fields.Command.set(company_ids or [])],
                }
            )
        )
        return self.with_user(SUPERUSER_ID).with_context(
            **{RUN_KEY: _RunInProgress(run.id)}
        )

    @api.model
    def _open(self, kind, manual=False, company_ids=None):
        """:meth:`_start` a run of ``kind``, or, for the scheduler, go on
        with today's scheduled run a previous cron call left unfinished
        (same environment as :meth:`_start`; the cases it noted already
        are known again)."""
        if not manual:
            run = self.sudo().search(
                [
                    ("kind", "=", kind),
                    ("manual", "=", False),
                    ("state", "=", "running"),
                    ("date", "=", fields.Date.context_today(self)),
                ],
                order="id desc",
                limit=1,
            )
            if run:
                return run._resume()
        return self._start(kind, manual=manual, company_ids=company_ids)

    def _resume(self):
        """The model of the runs in the environment to go on with this run
        in (as :meth:`_start`'s): superuser, this run in progress in the
        context, the cases it noted already known again."""
        self.ensure_one()
        noted = self.line_ids.filtered(lambda ln: ln.outcome != "partial")
        return (
            self.browse()
            .with_user(SUPERUSER_ID)
            .with_context(
                **{RUN_KEY: _RunInProgress(self.id, noted.negotiation_id.ids)}
            )
        )

    @api.model
    def _proceed(
        self, kind, phases_of, max_steps=0, manual=False, digest=None, company_ids=None
    ):
        """Do a scheduled job of ``kind``: :meth:`_open` its run, advance
        its phases (``phases_of(env)`` builds them in the run's
        environment, see :meth:`_advance`) and, when none is left, finish
        it: recorded (:meth:`_finish`) and each negotiator told of the
        activities it gave them in one message (``digest``: the keyword
        arguments of the follow-up engine's ``_notify_negotiators``;
        ``company_ids``: the companies a new run works for, all when empty).

        :return: what this call did (a Counter)
        """
        env = (
            self._open(kind, manual=manual, company_ids=company_ids)
            .with_context(**{RUN_ACTIVITIES_KEY: RunActivities()})
            .env
        )
        Run = self.with_env(env)
        stats, finished = Run._advance(phases_of(env), max_steps)
        if finished:
            Run._conclude(digest)
        _logger.info("Scheduled run %s: %s", kind, dict(stats))
        return stats

    @api.model
    def _conclude(self, digest=None):
        """Finish the run in progress with the counts it kept
        (:meth:`_finish`) and tell each negotiator, in one message, of the
        activities it gave them: those it kept, and the alerts of its end
        (``digest``: the keyword arguments of the follow-up engine's
        ``_notify_negotiators``)."""
        alerts = RunActivities()
        Run = self.with_context(**{RUN_ACTIVITIES_KEY: alerts})
        run = Run._in_progress()
        Run._finish(Counter(run.stats or {}))
        self.env["debt.negotiation.followup.engine"]._notify_negotiators(
            (run.activity_ids or []) + alerts, **(digest or {})
        )

    @api.model
    def _steps_per_call(self):
        """How many steps a scheduled job does per call: one in Odoo's cron
        loop (its progress record in the context: the loop commits and
        calls again while something remains), else all of them (0)."""
        return 1 if self.env.context.get("ir_cron_progress_id") else 0

    @api.model
    def _advance(self, phases, max_steps=0):
        """Run the ``phases`` of the run in progress from where it stopped.

        Each phase is a callable ``phase(stats, count)`` that does a step of
        its work, adds what it did to the Counter ``stats`` and returns
        ``(done, left)``: how many records the step went through, and how
        many the phase has left (0: the phase is over; with ``count``
        false, any positive number will do where the exact figure costs a
        query). A step that went through something counts; with
        ``max_steps``, the call stops after that many (one per cron call:
        the scheduler's way), keeps where it stopped on the run and tells
        the cron its progress (``ir.cron._notify_progress``: the loop calls
        again while something remains).

        :return: ``(stats, finished)``: what this call did, and whether the
            run has no phase left
        """
        run = self._in_progress()
        stats = Counter()
        steps = done = left = 0
        while run.phase < len(phases):
            # the exact count matters only to the cron, after the call's last step
            last = bool(max_steps) and steps + 1 >= max_steps
            went, left = phases[run.phase](stats, last)
            if not left:
                run.write({"phase": run.phase + 1, "cursor": 0})
            # keep the memory flat: forget the step's records
            self.env.invalidate_all()
            done += went
            steps += bool(went)
            if max_steps and steps >= max_steps:
                break
        collected = self.env.context.get(RUN_ACTIVITIES_KEY)
        total = Counter(run.stats or {}) + stats
        run.write(
            {
                "stats": dict(total),
                "activity_ids": (run.activity_ids or [])
                + list(collected if isinstance(collected, RunActivities) else ()),
                # what a manager reads of a run still going on
                "done_count": sum(total[key] for key in DONE_KEYS[run.kind]),
                "summary": run._summary(total),
            }
        )
        # phases not started yet count one each
        remaining = left + len(phases) - run.phase - bool(left)
        if max_steps:
            self.env["ir.cron"]._notify_progress(
                done=max(done, int(bool(remaining))), remaining=remaining
            )
        return stats, not remaining

    @api.model
    def _in_progress(self):
        """The run being recorded (superuser), or an empty recordset."""
        current = self.env.context.get(RUN_KEY)
        if not isinstance(current, _RunInProgress):
            return self.sudo().browse()
        return self.sudo().browse(current.run_id)

    @api.model
    def _finish(self, stats):
        """The run is over: record what it did (``stats``, a Counter), clear
        the problems of the cases it went through without failing, and give
        the negotiators of the cases failing three days in a row an
        activity."""
        run = self._in_progress()
        if not run:
            return run
        lines = run.line_ids
        run.write(
            {
                "date_end": fields.Datetime.now(),
                "state": "done",
                "done_count": sum(stats[key] for key in DONE_KEYS[run.kind]),
                "skipped_count": len(
                    lines.filtered(lambda ln: ln.outcome == "skipped")
                ),
                "failed_count": len(lines.filtered(lambda ln: ln.outcome == "failed")),
                "summary": run._summary(stats),
            }
        )
        if run.kind == "agreements":
            # a case the check went through without failing has no problem
            # left (the check runs over every company)
            Case = self.env["debt.negotiation"].sudo()
            solved = Case.search(
                [
                    ("monitor_error", "!=", False),
                    ("id", "not in", list(self._failed_case_ids())),
                ]
            )
            solved.with_context(mail_notrack=True).write({"monitor_error": False})
        run._alert_streaks()
        return run

    def _summary(self, stats):
        """What the run did, one line per kind of work."""
        self.ensure_one()
        labels = {
            "settled": self.env._("Paid cases settled"),
            "expired_offers": self.env._("Offers expired"),
            "opened": self.env._("Debtors put under negotiation"),
            "courtesy": self.env._("Courtesy reminders sent before the due date"),
            "executed": self.env._("Follow-up steps executed"),
            "broken": self.env._("Agreements broken"),
            "cured": self.env._("Agreements back in force"),
            "fulfilled": self.env._("Agreements fulfilled"),
            "reminders": self.env._("Installment reminders sent"),
            "late_notices": self.env._("Late installment notices sent"),
            "promises_kept": self.env._("Promises kept"),
            "promises_broken": self.env._("Promises broken"),
        }
        return "\n".join(f"{labels[key]}: {stats[key]}" for key in DONE_KEYS[self.kind])

    # ------------------------------------------------------------------
    # Isolating the work
    # ------------------------------------------------------------------
    @api.model
    def _isolated(self, items, action, on_error, label=""):
        """Run ``action(items)`` in one savepoint; when it raises, roll it
        back and run ``action`` on each item alone (a one-item list, or the
        record when ``items`` is a recordset), each in a savepoint of its
        own. An item failing alone is rolled back alone and handed to
        ``on_error(item, error)``; the others are done.

        :return: the results of the ``action`` calls that went through
        """
        if not items:
            return []
        if len(items) > 1:
            try:
                with self.env.cr.savepoint():
                    return [action(items)]
            except Exception as error:  # noqa: BLE001 - retried one by one below
                _logger.info("%s: batch failed (%s), retried one by one", label, error)
        results = []
        for item in items:
            chunk = item if isinstance(items, models.BaseModel) else [item]
            try:
                with self.env.cr.savepoint():
                    results.append(action(chunk))
            except Exception as error:  # noqa: BLE001 - one bad item, the run goes on
                on_error(item, error)
        return results

    @api.model
    def _fail(self, case, phase, problem, partner=None, company=None):
        """``phase`` of the run could not be done on ``case`` (or, with no
        case, for the debtor ``partner`` of ``company``): ``problem`` is the
        exception raised. Noted on the case once per distinct problem (its
        chatter and its problem field of this kind of run), and as a line
        of the run in progress. A concurrency error (another transaction
        changed the case meanwhile) is only logged: the case is simply
        tried again on the next run.

        :return: the message noted on the case
        """
        reason = str(problem) or type(problem).__name__
        name = case.name if case else (partner.display_name if partner else "")
        _logger.info("Scheduled run: %s of %s not done: %s", phase, name, reason)
        if isinstance(problem, OperationalError):
            return reason
        phases = dict(
            self.env["debt.negotiation.run.line"]
            ._fields["phase"]
            ._description_selection(self.env)
        )
        message = self.env._(
            "%(phase)s not done: %(problem)s", phase=phases[phase], problem=reason
        )
        run = self._in_progress()
        if run:
            kind = run.kind
        else:
            kind = "followups" if phase in FOLLOWUP_PHASES else "agreements"
        try:
            with self.env.cr.savepoint():
                if case:
                    case._note_automation_problem(ERROR_FIELDS[kind], message)
                self._record(
                    case, phase, reason, "failed", partner=partner, company=company
                )
        except OperationalError:
            _logger.info("Case %s is being changed: retried on the next run", name)
        return message

    @api.model
    def _record(self, case, phase, reason, outcome, partner=None, company=None):
        """Add a line to the run in progress: ``phase`` of the run was not
        done (``outcome`` ``skipped`` or ``failed``), or done only in part
        (``partial``), on ``case`` (or for the debtor ``partner`` of
        ``company``), because of ``reason``."""
        run = self._in_progress()
        if not run:
            return self.env["debt.negotiation.run.line"]
        partner = case.partner_id if case else partner
        company = case.company_id if case else company
        line = (
            self.env["debt.negotiation.run.line"]
            .sudo()
            .create(
                {
                    "run_id": run.id,
                    "negotiation_id": case.id if case else False,
                    "partner_id": partner.id if partner else False,
                    "company_id": company.id if company else False,
                    "phase": phase,
                    "outcome": outcome,
                    "reason": reason,
                }
            )
        )
        if case and outcome != "partial":
            self.env.context[RUN_KEY].failed_case_ids.add(case.id)
        return line

    @api.model
    def _failed_case_ids(self):
        """Ids of the cases the run in progress noted as skipped or failed."""
        current = self.env.context.get(RUN_KEY)
        return current.failed_case_ids if isinstance(current, _RunInProgress) else set()

    # ------------------------------------------------------------------
    # Three days in a row: tell the negotiator
    # ------------------------------------------------------------------
    def _alert_streaks(self):
        """Give the negotiator an activity on each case this run skipped or
        failed on for the third day in a row (runs of the same kind), once
        per streak (:func:`~..tools.automation.needs_alert`)."""
        self.ensure_one()
        lines = self.line_ids.filtered(
            lambda ln: ln.negotiation_id and ln.outcome != "partial"
        )
        cases = lines.negotiation_id
        if not cases:
            return
        Line = self.env["debt.negotiation.run.line"].sudo()
        history = Line.search_fetch(
            [
                ("negotiation_id", "in", cases.ids),
                ("kind", "=", self.kind),
                ("outcome", "!=", "partial"),
                ("date", ">=", self.date - timedelta(days=STREAK_LOOKBACK_DAYS)),
                ("date", "<=", self.date),
            ],
            ["negotiation_id", "date", "alerted"],
        )
        days, alerted = defaultdict(set), defaultdict(set)
        for line in history:
            days[line.negotiation_id.id].add(line.date)
            if line.alerted:
                alerted[line.negotiation_id.id].add(line.date)
        due = cases.filtered(
            lambda case: automation.needs_alert(
                days[case.id], alerted[case.id], self.date
            )
        )
        if not due:
            return
        reasons = {line.negotiation_id.id: line.reason for line in lines}
        summary = (
            self.env._("Follow-ups failing for 3 days: see why and fix it")
            if self.kind == "followups"
            else self.env._("Agreement check failing for 3 days: see why and fix it")
        )
        due._mail_batch_activities(
            self.env.ref("mail.mail_activity_data_todo"),
            [
                {
                    "summary": summary,
                    "note": reasons[case.id],
                    "user_id": case._activity_user_id(),
                }
                for case in due
            ],
        )
        lines.filtered(lambda ln: ln.negotiation_id in due).write({"alerted": True})


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    monitor_error = fields.Char(
        string="Agreement Check Problem",
        readonly=True,
        copy=False,
        help="Why the last daily agreement check could not handle this case "
        "(a notice, a promise, the agreement itself). It is tried again on "
        "the next run.",
        groups="debt_negotiation.group_negotiation_user",
    )

    def _note_automation_problem(self, field, message):
        """Note ``message`` as the case's current problem in ``field``
        (``followup_error`` or ``monitor_error``), in its chatter only when
        it is new: a case failing every day is noted once."""
        self.ensure_one()
        if self[field] == message:
            return
        self._message_log(body=Markup("<p>%s</p>") % message)
        self.with_context(mail_notrack=True).write({field: message})
