# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import logging
from collections import Counter, defaultdict, namedtuple
from datetime import timedelta

from markupsafe import Markup
from psycopg2 import OperationalError

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import split_every
from odoo.tools.misc import format_date

from ..const import CHASING_STATES, FOLLOWED_STATES
from ..tools import automation, followup_ladder
from .workflow import skips_pdf

_logger = logging.getLogger(__name__)

# Cases listed in a negotiator's digest of the activities of a run.
DIGEST_LINES = 50

# Cases the scheduled follow-ups handle per transaction (context key
# ``debt_negotiation_followup_batch_size`` overrides it).
FOLLOWUP_BATCH_SIZE = 500
# What a follow-up run does on a case: ``step`` (empty when none is due) with
# the new ``deadline``, then ``next_step`` on ``next_date``.
FollowupDecision = namedtuple(
    "FollowupDecision", "case step deadline next_step next_date"
)


class DebtNegotiationFollowupEngine(models.AbstractModel):
    """The scheduled follow-ups: a service acting on the cases given to it.

    Each run decides, for a batch of cases at once and with no query per
    case, which step of its company's ladder is due
    (:func:`~..tools.followup_ladder.decide`), claims the step in the
    follow-up log, then executes it: stage, response deadline and next
    step on the case, letters, activity, chatter note, escalation. The cron
    of the cases (``debt.negotiation._cron_process_followups``) and the
    "Run Follow-ups Now" button hand over to :meth:`_run`; the preview
    (``debt.negotiation.followup.preview``) uses the same decision code.

    Context keys: ``debt_negotiation_followup_batch_size``,
    ``debt_negotiation_followup_max_batches``,
    ``debt_negotiation_followup_force`` (look again at the cases already
    looked at today), ``debt_negotiation_followup_company_ids`` (only these
    companies).
    """

    _name = "debt.negotiation.followup.engine"
    _description = "Debt Negotiation Follow-up Engine"

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------
    @api.model
    def _run(self, batch_size=None, max_batches=None, manual=False):
        """Run the daily follow-ups.

        The phases, in this order: settle the cases paid in full, expire
        the proposed offers past their expiry date, open cases with the
        auto-open setting, send the courtesy reminders, then execute the
        due follow-up step of each case, by batches of ``batch_size`` cases
        (default: see :meth:`_batch_size`), in the order of their ids.

        With ``max_batches`` (or the context key
        ``debt_negotiation_followup_max_batches``) a call stops after that
        many steps (a batch of cases, or a phase that did something) and
        the next call goes on where it stopped: the scheduler does one step
        per cron call, on Odoo's cron loop (see ``debt.negotiation.run``).
        Without it, everything is done in this call.

        The run is recorded (``debt.negotiation.run``: who started it, what
        it did, each case skipped or failed and why) and works as the
        scheduler does, whoever starts it (the cron's user, or a manager
        by hand with ``manual``): the same result for everyone.

        :return: a Counter of what this call did
        """
        if max_batches is None:
            max_batches = int(
                self.env.context.get("debt_negotiation_followup_max_batches") or 0
            )
        batch_size = batch_size or self._batch_size()
        # the scheduler's own run (its private entry points only reach
        # here: the cron, and _run_now after its manager check)
        return self.env["debt.negotiation.run"]._proceed(
            "followups",
            lambda env: self.with_env(env)._phases(batch_size),
            max_steps=max_batches,
            manual=manual,
            company_ids=self.env.context.get("debt_negotiation_followup_company_ids"),
        )

    @api.model
    def _phases(self, batch_size):
        """The phases of a follow-up run (see ``debt.negotiation.run.
        _advance``)."""
        today = fields.Date.context_today(self)
        # the ladders, read once per call by its first batch of cases
        ladders = {}
        return [
            *self._prelude_phases(batch_size),
            lambda stats, count: self._cases_step(
                stats, today, batch_size, count, ladders
            ),
        ]

    @api.model
    def _prelude_phases(self, batch_size):
        """The phases of a follow-up run before the cases' steps, each done
        whole: settle the paid cases, expire the offers, open the cases of
        the auto-open setting, send the courtesy reminders."""
        today = fields.Date.context_today(self)
        company_ids = self.env.context.get("debt_negotiation_followup_company_ids")
        Case = self.env["debt.negotiation"]

        def phase(key, work):
            def run(stats, _count):
                done = work()
                stats[key] += done
                return done, 0

            return run

        return [
            # paid means closed: no step, letter or expiry on a paid debt
            phase(
                "settled",
                lambda: Case._settle_paid_cases(
                    company_ids=company_ids, batch_size=batch_size
                ),
            ),
            phase(
                "expired_offers",
                lambda: self._expire_offers(today, company_ids, batch_size),
            ),
            phase("opened", lambda: self._auto_open(today, batch_size)),
            phase(
                "courtesy",
                lambda: self._send_courtesy_reminders(today, company_ids, batch_size),
            ),
        ]

    @api.model
    def _cases_step(self, stats, today, batch_size, count, ladders):
        """The next batch of cases of the run in progress (ids above the
        last one it went through): their follow-ups (:meth:`_process_free`).
        Return how many cases it went through and how many are left (see
        ``debt.negotiation.run._advance``). ``ladders``: a dict, the ladders
        of the call (see ``debt.negotiation.followup.step._ladders``), read
        here when empty."""
        run = self.env["debt.negotiation.run"]._in_progress()
        Case = self.env["debt.negotiation"]
        domain = self._candidate_domain(today)
        cases = Case.search(
            domain + [("id", ">", run.cursor)], order="id", limit=batch_size
        )
        if not cases:
            return 0, 0
        run.cursor = cases.ids[-1]
        if not ladders:
            ladders.update(self.env["debt.negotiation.followup.step"]._ladders())
        stats.update(self._process_free(cases, today, ladders))
        if len(cases) < batch_size:
            return len(cases), 0
        left = Case.search_count(domain + [("id", ">", run.cursor)]) if count else 1
        return len(cases), left

    @api.model
    def _process_free(self, cases, today, ladders=None):
        """Decide and execute the follow-ups of those of ``cases`` no other
        transaction holds locked (those are left for the next run: a user
        editing the case, another worker on it); return a Counter of what
        happened (``cases``: all of them, ``locked``: those left)."""
        self.env.cr.execute(
            "SELECT id FROM debt_negotiation WHERE id IN %s ORDER BY id "
            "FOR NO KEY UPDATE SKIP LOCKED",
            [tuple(cases.ids)],
        )
        free = cases.browse([row[0] for row in self.env.cr.fetchall()])
        stats = self._process_batch(free, today, ladders)
        stats["locked"] += len(cases) - len(free)
        stats["cases"] += len(cases)
        return stats

    @api.model
    def _expire_offers(self, today, company_ids, batch_size):
        """Expire the proposed offers past their expiry date, by batches,
        each offer apart when its batch fails; return how many expired."""
        Offer = self.env["debt.negotiation.offer"]
        Run = self.env["debt.negotiation.run"]
        offers = Offer.search(Offer._expired_domain(today, company_ids))
        expired = 0
        for batch in split_every(batch_size, offers.ids, Offer.browse):
            expired += sum(
                Run._isolated(
                    batch,
                    lambda offers: len(offers._expire()),
                    lambda offer, error: Run._fail(
                        offer.negotiation_id, "expire", error
                    ),
                    label="Offer expiry",
                )
            )
        return expired

    @api.model
    def _run_now(self):
        """Run the follow-ups of the user's companies at once (managers),
        including the cases already looked at today (e.g. after fixing a
        debtor's address); return a notification of what was done."""
        if not self.env.user.has_group("debt_negotiation.group_negotiation_manager"):
            raise AccessError(
                self.env._("Only a negotiation manager can run the follow-ups.")
            )
        # refuse while the scheduled run is busy
        self.env.ref("debt_negotiation.ir_cron_process_followups").sudo()._try_lock()
        stats = self.with_context(
            debt_negotiation_followup_force=True,
            debt_negotiation_followup_company_ids=self.env.companies.ids,
            # a client's context never skips the letters' PDFs (their
            # emails would be claimed and never sent)
            debt_negotiation_skip_pdf=False,
        )._run(manual=True)
        message = self.env._(
            "%(executed)s follow-up steps executed, %(failed)s cases skipped "
            "(see their chatter), %(opened)s debtors put under negotiation, "
            "%(expired)s offers expired.",
            executed=stats["executed"],
            failed=stats["failed"],
            opened=stats["opened"],
            expired=stats["expired_offers"],
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Follow-ups done"),
                "message": message,
                "type": "success",
                "sticky": False,
            },
        }

    @api.model
    def _batch_size(self):
        """Cases per batch: the context key
        ``debt_negotiation_followup_batch_size``, else 500."""
        return int(
            self.env.context.get("debt_negotiation_followup_batch_size")
            or FOLLOWUP_BATCH_SIZE
        )

    # ------------------------------------------------------------------
    # Deciding (no query per case)
    # ------------------------------------------------------------------
    @api.model
    def _candidate_domain(self, today):
        """Cases a follow-up run looks at on ``today``: chased cases of
        debtors who accept letters, with something claimed (due and not
        disputed) and whose next
        action date has come (or was never computed). A case is looked at
        once a day, unless the run is forced (context
        ``debt_negotiation_followup_force``, the manual run)."""
        domain = [
            ("state", "in", FOLLOWED_STATES),
            ("partner_id.negotiation_blocked", "=", False),
            ("amount_claimed", ">", 0),
            ("oldest_due_date", "!=", False),
            "|",
            ("next_action_date", "=", False),
            ("next_action_date", "<=", today),
            # a pending promise to pay holds the case until its grace ends
            "|",
            ("promise_hold_until", "=", False),
            ("promise_hold_until", "<", today),
            # the debtor's reply holds it until the negotiator read it
            "|",
            ("reply_hold_until", "=", False),
            ("reply_hold_until", "<", today),
        ]
        if not self.env.context.get("debt_negotiation_followup_force"):
            domain += [
                "|",
                ("followup_checked_date", "=", False),
                ("followup_checked_date", "<", today),
            ]
        company_ids = self.env.context.get("debt_negotiation_followup_company_ids")
        if company_ids:
            domain.append(("company_id", "in", company_ids))
        return domain

    @api.model
    def _decide(self, cases, today, ladders=None):
        """Decide what a follow-up run does on ``today`` on each of
        ``cases``: the step to execute (if any), the new response deadline,
        and the step announced next with its date. Pure computation
        (:func:`~..tools.followup_ladder.decide`) on data read for all the
        cases at once (the cases, their executed steps and the ladders): no
        query per case.

        :param ladders: the steps of the cases' companies' ladders (see
            ``debt.negotiation.followup.step._ladders``), read when not given;
            each case follows its debtor's ladder (see
            ``debt.negotiation._followup_ladder_map``)
        :return: list of :data:`FollowupDecision`
        """
        Step = self.env["debt.negotiation.followup.step"].sudo()
        if ladders is None:
            ladders = Step._ladders(cases.company_id)
        done = self.env["debt.negotiation.followup.log"]._done_steps(cases)
        ladder_of = cases._followup_ladder_map()
        # the steps (and their stages) read together, once for the batch
        steps = Step.browse(
            [step_id for ladder in ladders.values() for step_id, _d in ladder]
        )
        letter_ids = frozenset(steps.filtered("letter_type")._ids)
        escalation_ids = frozenset(steps.filtered("escalate")._ids)
        decisions = []
        for case in cases:
            company = case.company_id
            result = followup_ladder.decide(
                ladders.get(ladder_of.get(case.id), []),
                case.oldest_due_date,
                done[case.id],
                today,
                case.next_step_id.id or None,
                case.response_deadline or None,
                company.negotiation_response_days,
                letter_ids,
                escalation_ids,
            )
            decisions.append(
                FollowupDecision(
                    case,
                    Step.browse(result.step).with_prefetch(steps._ids),
                    result.deadline or False,
                    Step.browse(result.next_step).with_prefetch(steps._ids),
                    result.next_date or False,
                )
            )
        return decisions

    @api.model
    def _step_problem(self, case, step):
        """Return why ``step`` cannot be executed on ``case`` (unapplied
        credits covering what is due, debtor data missing for its letters),
        or False."""
        if case._credits_cover_claim():
            return self.env._(
                "the debtor's unapplied payments and credit notes "
                "(%(amount)s) cover what is due: apply them to the invoices",
                amount=case.currency_id.format(case.amount_unapplied),
            )
        if step.channel == "sms":
            return case._sms_problem(step)  # debt_negotiation_sms.py
        if not step.letter_type:
            return False
        used, _missing = self._step_channels(case, step)
        if used:
            return False
        # no channel at all reaches the debtor (nor the other one's)
        return self._channel_problems(case, ("email", "post"), step)

    @api.model
    def _step_channels(self, case, step):
        """``(used, missing)``: the channels the letters of ``step`` go to
        ``case``'s debtor by, for the contact details its letters really
        use (the invoicing contact's), and those of the step that cannot
        reach it (see :func:`~..tools.automation.letter_channels`)."""
        return automation.letter_channels(step.channel, *case._letter_reach(step))

    @api.model
    def _channel_problems(self, case, channels, step=None):
        """Why the letters (of ``step``) cannot go to ``case``'s debtor by
        ``channels``: the contact they would be emailed to, the one they
        would be posted to."""
        problems = []
        to = case._letter_recipients(step)[0]
        if "email" in channels and to.email_normalized and to.message_bounce:
            problems.append(
                self.env._(
                    "the emails to %(partner)s (%(email)s) bounce",
                    partner=to.display_name,
                    email=to.email_normalized,
                )
            )
        elif "email" in channels:
            problems.append(
                self.env._(
                    "the debtor %(partner)s has no valid email address",
                    partner=to.display_name,
                )
            )
        if "post" in channels:
            problems.append(
                self.env._(
                    "the debtor %(partner)s has no postal address",
                    partner=case._letter_contact().display_name,
                )
            )
        return "; ".join(problems) or False

    @api.model
    def _step_shortfall(self, case, step):
        """What ``step`` will not do on ``case`` although it runs (a letter
        of a post-and-email step that cannot go by one of them, an email
        letter going by post), or False."""
        if not step.letter_type or step.channel == "sms":
            return False
        used, missing = self._step_channels(case, step)
        if not (used and missing):
            return False
        labels = {"post": self.env._("by post"), "email": self.env._("by email")}
        return self.env._(
            "the letter goes %(used)s only: %(problem)s",
            used=self.env._(" and ").join(labels[channel] for channel in used),
            problem=self._channel_problems(case, missing, step),
        )

    # ------------------------------------------------------------------
    # Executing
    # ------------------------------------------------------------------
    @api.model
    def _process_batch(self, cases, today, ladders=None):
        """Decide and execute the follow-ups of ``cases`` (one batch). One
        failing case is noted on that case and skipped; the others go on.
        Return a :class:`~collections.Counter` of what happened."""
        stats = Counter()
        groups = defaultdict(list)
        cases._refresh_unapplied()
        for decision in self._decide(cases, today, ladders):
            case = decision.case
            if not decision.step:
                case._followup_write(decision.next_step, decision.next_date, today)
                stats["waiting"] += 1
                continue
            problem = self._step_problem(case, decision.step)
            if problem:
                self._log_problem(case, decision.step, problem, today)
                if case._credits_cover_claim():
                    case._schedule_apply_credits()
                stats["failed"] += 1
                continue
            groups[decision.step].append(decision)
        if not groups:
            return stats

        def fail(item, error):
            # a step whose cases failed together: case by case
            step, decisions = item
            stats.update(self._process_step(step, decisions, today))

        # the shared batch/fallback of the scheduled runs: all the steps of
        # the batch at once, else each step at once, else case by case
        executed = self.env["debt.negotiation.run"]._isolated(
            list(groups.items()),
            lambda items: self._execute_steps(items, today),
            fail,
            label="Follow-ups",
        )
        stats["executed"] += sum(len(cases) for cases in executed)
        return stats

    @api.model
    def _execute_steps(self, items, today):
        """Execute each ``(step, decisions)`` of ``items``, claimed together
        and their documents sealed together at the end (see
        ``debt.negotiation.evidence._seal_deferred``); return the cases
        executed. Errors propagate (the caller runs this in a savepoint)."""
        batch = self.with_env(
            self.env["debt.negotiation.evidence"]
            ._seal_deferred(self.env["debt.negotiation"])
            .env
        )
        claimed = self.env["debt.negotiation.followup.log"]._claim(
            [d for _step, decisions in items for d in decisions], today
        )
        executed = self.env["debt.negotiation"]
        for _step, decisions in items:
            executed |= batch._execute(decisions, today, claimed)
        batch.env["debt.negotiation.evidence"]._seal_pending()
        return executed

    @api.model
    def _process_step(self, step, decisions, today):
        """Execute ``step`` on the cases of ``decisions`` one by one, each
        in a savepoint (after the step failed on them together); return a
        Counter of what happened."""
        stats = Counter()

        def fail(decision, error):
            stats["failed"] += 1
            self._fail(decision.case, step, error, today)

        Run = self.env["debt.negotiation.run"]
        for decision in decisions:
            executed = Run._isolated(
                [decision],
                lambda chunk: self._execute(chunk, today),
                fail,
                label=f"Follow-up step {step.name}",
            )
            stats["executed"] += sum(len(cases) for cases in executed)
        return stats

    @api.model
    def _execute(self, decisions, today, claimed=None):
        """Execute the step of ``decisions`` (all for the same step) on
        their cases; return the cases it was executed on.

        The step is claimed first (see ``debt.negotiation.followup.log.
        _claim``); cases whose step another run executed are skipped. Then,
        in this order: the case gets its stage, response deadline and next
        step with its date (so the letters print them), the letters are
        generated (post and/or email; emails are queued with the PDF
        attached), the negotiator gets the step's activity, the case its
        chatter note, and an escalation step escalates the case. Errors
        propagate: the caller runs this in a savepoint. ``claimed``: the
        claims already made for the cases (``{case_id: log_id}``), if any.
        """
        step = decisions[0].step
        Log = self.env["debt.negotiation.followup.log"]
        if claimed is None:
            claimed = Log._claim(decisions, today, step)
        decisions = [d for d in decisions if d.case.id in claimed]
        cases = self.env["debt.negotiation"].browse([d.case.id for d in decisions])
        if not decisions:
            return cases
        self._write_schedules(decisions, today)
        if step.channel == "sms":
            cases._send_followup_sms(step)  # debt_negotiation_sms.py
        elif step.letter_type:
            Log._link_letters(claimed, self._send_letters(cases, step))
        if step.activity_type_id:
            self._schedule_activities(cases, step, today)
        cases._message_log_batch(bodies={d.case.id: self._note(d) for d in decisions})
        if step.escalate:
            # a consumer's claim is never handed over without a manager
            consumers = cases.filtered(lambda c: c._is_consumer())
            business = cases - consumers
            business.filtered(lambda c: c.state in CHASING_STATES).action_escalate()
            self._move_to_step_stage(business, step)
            self._schedule_handover(business, step, today)
            consumers._ask_handover_confirmation(step, today)
        return cases

    @api.model
    def _schedule_handover(self, cases, step, today):
        """An escalation step ran: the negotiator gets an activity to hand
        the claim over (to the agency or the lawyers), or, for a case under
        an agreement, to decide what to do with the debt outside it."""
        handed = cases.filtered(
            lambda case: not (case.state == "escalated" and case.handover_date == today)
        )  # a case handed over to its agency has the hand-over's activity
        # no notification per activity: the run's digest tells
        handed._mail_batch_activities(
            self.env.ref("mail.mail_activity_data_todo"),
            [
                {
                    "date_deadline": today,
                    "summary": self.env._(
                        "Debt outside the agreement unpaid after the final "
                        "notice: decide the hand-over"
                    )
                    if case.state == "agreement"
                    else self.env._("Hand the claim over for collection"),
                    "note": self.env._(
                        "Follow-up step %(step)s: %(amount)s is still claimed.",
                        step=step.name,
                        amount=case.currency_id.format(case.amount_claimed),
                    ),
                    **({"user_id": case.user_id.id} if case.user_id else {}),
                }
                for case in handed
            ],
        )

    @api.model
    def _write_schedules(self, decisions, today):
        """Write the stage, response deadline and next step of the
        decisions' step on their cases: the same fields on every case, one
        write per distinct values, so the flush updates the whole batch in a
        few queries (no tracking: the run logs one note per case)."""
        Case = self.env["debt.negotiation"].with_context(mail_notrack=True)
        by_vals = defaultdict(list)
        # a problem noted earlier in the same run (e.g. its offer's expiry)
        # stays on the case
        failed = self.env["debt.negotiation.run"]._failed_case_ids()
        for decision in decisions:
            step = decision.step
            vals = {
                "next_step_id": decision.next_step.id or False,
                "next_action_date": decision.next_date or False,
                "followup_checked_date": today,
            }
            if decision.case.id not in failed:
                vals["followup_error"] = False
            # a case under agreement stays in its stage: only the debt
            # outside the agreement is chased; a stage bound to another
            # state waits for the case to reach it (the escalation's)
            if (
                step.stage_id
                and decision.case.state != "agreement"
                and step.stage_id.state in (False, decision.case.state)
            ):
                vals["stage_id"] = step.stage_id.id
            if step.letter_type:
                vals["response_deadline"] = decision.deadline
            by_vals[tuple(sorted(vals.items()))].append(decision.case.id)
        for items, case_ids in by_vals.items():
            Case.browse(case_ids).write(dict(items))

    @api.model
    def _move_to_step_stage(self, cases, step):
        """After the step changed their state (an escalation), put the
        cases now in the state of the step's stage in that stage (their
        state's first stage otherwise)."""
        stage = step.stage_id
        moved = cases.filtered(
            lambda case: (
                stage.state and case.state == stage.state and case.stage_id != stage
            )
        )
        if moved:
            moved.with_context(mail_notrack=True).write({"stage_id": stage.id})

    @api.model
    def _send_letters(self, cases, step):
        """Generate the letters of ``step`` for ``cases`` by each channel
        that reaches each debtor (post and/or email; the emails are queued;
        see :meth:`_step_channels`), note on a case what could not be sent
        and return the letters."""
        letters = self.env["debt.negotiation.letter"]
        by_channel = defaultdict(list)
        shortfalls = {}
        for case in cases:
            used, _missing = self._step_channels(case, step)
            for channel in used:
                by_channel[channel].append(case.id)
            shortfall = self._step_shortfall(case, step)
            if shortfall:
                shortfalls[case.id] = shortfall
        for channel in ("post", "email"):
            if not by_channel[channel]:
                continue
            new_letters = cases.browse(by_channel[channel])._generate_letter(
                step.letter_type, channel=channel
            )
            if channel == "email":
                new_letters._record_recipients(step)
            if channel == "email" and not skips_pdf(self):
                # queued: sent by the mail queue after the commit
                new_letters.with_context(mail_notify_force_send=False)._send_email(
                    with_statement=step.attach_statement
                )
            letters |= new_letters
        if shortfalls:
            self._note_shortfalls(cases.browse(list(shortfalls)), step, shortfalls)
        return letters

    @api.model
    def _note_shortfalls(self, cases, step, shortfalls):
        """Note on each of ``cases`` what ``step`` could not send
        (``shortfalls``: ``{case id: sentence}``), in its chatter and in
        the run's problems."""
        messages = {
            case.id: self.env._(
                "Follow-up step %(step)s: %(shortfall)s.",
                step=step.name,
                shortfall=shortfalls[case.id],
            )
            for case in cases
        }
        cases._message_log_batch(
            bodies={
                case_id: Markup("<p>%s</p>") % message
                for case_id, message in messages.items()
            }
        )
        Run = self.env["debt.negotiation.run"]
        for case in cases:
            Run._record(case, "step", shortfalls[case.id], "partial")

    @api.model
    def _schedule_activities(self, cases, step, today):
        """Schedule the activity of ``step`` for the negotiator of each of
        ``cases``, created together (no notification per activity: one
        digest per negotiator and run, see :meth:`_notify_negotiators`)."""
        cases._mail_batch_activities(
            step.activity_type_id,
            [
                {
                    "date_deadline": today,
                    "summary": step.name,
                    **({"user_id": case.user_id.id} if case.user_id else {}),
                }
                for case in cases
            ],
        )

    @api.model
    def _notify_negotiators(self, activity_ids, subject=None, intro=None):
        """Tell each negotiator, in one message, which cases the run gave
        them an activity on (``activity_ids``; those rolled back are gone),
        as an activity assigned by hand would, without one notification per
        case. The message lists the first :data:`DIGEST_LINES` cases.

        :param subject: ``subject(count)``, the message's subject (the
            follow-ups' by default)
        :param intro: the line above the cases (the follow-ups' by default)
        """
        activities = self.env["mail.activity"].sudo().browse(activity_ids).exists()
        by_user = defaultdict(list)
        for activity in activities:
            by_user[activity.user_id].append(activity)
        Case = self.env["debt.negotiation"].sudo()
        for user, user_activities in by_user.items():
            if not user.active or user.share:
                continue
            shown = user_activities[:DIGEST_LINES]
            cases = Case.browse([activity.res_id for activity in shown])
            lines = Markup("").join(
                Markup("<li>%s: %s</li>")
                % (case._get_html_link(), activity.summary or "")
                for case, activity in zip(cases, shown, strict=True)
            )
            more = len(user_activities) - len(shown)
            if more > 0:
                lines += Markup("<li>%s</li>") % self.env._(
                    "and %(count)s more (see your activities)", count=more
                )
            cases[:1].message_notify(
                partner_ids=user.partner_id.ids,
                subject=subject(len(user_activities))
                if subject
                else self.env._(
                    "Follow-ups: %(count)s activities for you",
                    count=len(user_activities),
                ),
                body=Markup("<p>%s</p><ul>%s</ul>")
                % (
                    intro or self.env._("Today's follow-ups gave you an activity on:"),
                    lines,
                ),
                model_description=self.env._("Negotiation"),
            )

    @api.model
    def _note(self, decision):
        """The chatter note of the executed step of ``decision``."""
        step = decision.step
        parts = [self.env._("Follow-up step %(step)s executed.", step=step.name)]
        if step.stage_id:
            parts.append(self.env._("Stage: %(stage)s.", stage=step.stage_id.name))
        if step.letter_type and decision.deadline:
            parts.append(
                self.env._(
                    "Response deadline: %(date)s.",
                    date=format_date(self.env, decision.deadline),
                )
            )
        if decision.next_step:
            parts.append(
                self.env._(
                    "Next step: %(step)s on %(date)s.",
                    step=decision.next_step.name,
                    date=format_date(self.env, decision.next_date),
                )
            )
        elif not step.escalate:
            parts.append(self.env._("The follow-up ladder is complete."))
        return Markup("<p>%s</p>") % " ".join(parts)

    @api.model
    def _log_problem(self, cases, step, problem, today, outcome="skipped"):
        """Note on each of ``cases`` why its follow-up step was not executed
        (once per distinct problem) and add it to the run's problems
        (``outcome``: ``skipped``, or ``failed`` on an error); the case is
        tried again on the next day."""
        message = self.env._(
            "Follow-up step %(step)s was not executed: %(problem)s",
            step=step.name,
            problem=problem,
        )
        Run = self.env["debt.negotiation.run"]
        for case in cases:
            vals = {"followup_checked_date": today}
            if case.followup_error != message:
                vals["followup_error"] = message
                case._message_log(body=Markup("<p>%s</p>") % message)
            case.with_context(mail_notrack=True).write(vals)
            Run._record(case, "step", problem, outcome)

    @api.model
    def _fail(self, case, step, error, today):
        """``step`` failed on ``case`` with ``error``: note it on the case
        (it is tried again on the next day). A concurrency error (another
        transaction changed the case meanwhile) is only logged: the case is
        simply tried again on the next run."""
        problem = str(error) or type(error).__name__
        _logger.info(
            "Follow-up step %s of case %s failed: %s", step.name, case.name, problem
        )
        if isinstance(error, OperationalError):
            return
        try:
            with self.env.cr.savepoint():
                self._log_problem(case, step, problem, today, outcome="failed")
        except OperationalError:
            _logger.info("Case %s is being changed: retried on the next run", case.name)

    # ------------------------------------------------------------------
    # Opening cases (auto-open setting)
    # ------------------------------------------------------------------
    @api.model
    def _auto_open_groups(self, today, companies=None):
        """Overdue invoices the companies' auto-open setting puts under
        negotiation: ``[(company, debtor, currency, invoice_ids)]``.

        Posted customer invoices unpaid more than the company's
        ``negotiation_auto_open_days`` after their due date, never
        negotiated before (a cancelled case is not reopened) nor taken out
        of a case by a user."""
        Company = self.env["res.company"].sudo()
        companies = Company.search(
            [("negotiation_auto_open_days", ">", 0)]
            + ([("id", "in", companies.ids)] if companies is not None else [])
        )
        company_ids = self.env.context.get("debt_negotiation_followup_company_ids")
        if company_ids:
            companies = companies.filtered(lambda c: c.id in company_ids)
        groups = []
        Move = self.env["account.move"].sudo()
        for company in companies:
            limit = today - timedelta(days=company.negotiation_auto_open_days)
            domain = [
                ("company_id", "=", company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", limit),
                ("negotiation_ids", "=", False),
                ("negotiation_excluded", "=", False),
            ]
            for partner, currency, move_ids in Move._read_group(
                domain, ["commercial_partner_id", "currency_id"], ["id:array_agg"]
            ):
                groups.append((company, partner, currency, sorted(move_ids)))
        return groups

    @api.model
    def _auto_open(self, today, batch_size=FOLLOWUP_BATCH_SIZE):
        """Open (or extend) the debtors' cases on the invoices of the
        auto-open setting; return how many debtors got their invoices
        under negotiation."""
        opened = 0
        Case = self.env["debt.negotiation"]
        Move = self.env["account.move"]
        Run = self.env["debt.negotiation.run"]
        for chunk in split_every(batch_size, self._auto_open_groups(today)):
            for company, partner, _currency, move_ids in chunk:
                invoices = Move.browse(move_ids)
                negotiator = invoices.invoice_user_id[:1] or partner.user_id
                try:
                    with self.env.cr.savepoint():
                        # the negotiator follows the case, without one "you
                        # have been assigned" email per case opened (as CRM's
                        # lead assignment)
                        Case.with_company(company).with_context(
                            default_user_id=negotiator.id,
                            mail_auto_subscribe_no_notify=True,
                        )._open_case_for_invoices(invoices)
                    opened += 1
                except Exception as error:  # noqa: BLE001 - one debtor, the run goes on
                    Run._fail(Case, "open", error, partner=partner, company=company)
            self.env.invalidate_all()
        return opened
