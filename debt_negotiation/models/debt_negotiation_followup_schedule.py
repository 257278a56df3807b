# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""When the follow-ups act next on a case, and the crons' hand-overs to
the follow-up engine."""

from odoo import api, fields, models

from ..const import FOLLOWED_STATES
from ..tools.followup_ladder import plan_next_step


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    def _schedule_next_action(self):
        """Compute when the follow-ups act next on these cases.

        Sets ``next_action_date`` and ``next_step_id`` from the debtor's
        ladder: the first step after the last executed one, on its ladder
        date but never before the response deadline nor during the grace
        period of a pending promise to pay. Cases the follow-ups do not chase
        (other states, blocked debtors) get no date.
        """
        Step = self.env["debt.negotiation.followup.step"].sudo()
        ladders = Step._ladders(self.company_id)
        done = self.env["debt.negotiation.followup.log"]._done_steps(self)
        ladder_of = self._followup_ladder_map()
        for case in self:
            next_id = next_date = False
            if (
                case.state in FOLLOWED_STATES
                and not case.partner_id.negotiation_blocked
            ):
                next_id, next_date = plan_next_step(
                    ladders.get(ladder_of.get(case.id), []),
                    case.oldest_due_date,
                    done[case.id],
                    case._followup_not_before(),
                )
            case._followup_write(Step.browse(next_id), next_date or False)
        return True

    def _show_next_followup(self):
        """A case just opened shows at once what the follow-ups do next and
        when, as the run itself decides it (:meth:`debt.negotiation.
        followup.engine._decide`, the very plan the first run would write):
        the step due today (a debtor found late gets the latest due letter,
        not the first), else the next step on its date. Only the cases not
        planned yet."""
        cases = self.filtered(
            lambda c: (
                c.state in FOLLOWED_STATES
                and not c.next_action_date
                and not c.partner_id.negotiation_blocked
            )
        )
        if not cases:
            return
        today = fields.Date.context_today(self)
        Engine = self.env["debt.negotiation.followup.engine"]
        for decision in Engine._decide(cases, today):
            if decision.step:
                decision.case._followup_write(decision.step, today)
            elif decision.next_step:
                decision.case._followup_write(decision.next_step, decision.next_date)

    def _followup_not_before(self):
        """The first day the follow-ups may act on the case: after the
        response deadline, and after the grace period of a pending promise
        to pay."""
        self.ensure_one()
        dates = [self.response_deadline]
        if self.promise_hold_until:
            dates.append(fields.Date.add(self.promise_hold_until, days=1))
        return max((d for d in dates if d), default=None)

    def _followup_write(self, next_step, next_date, checked=False, **vals):
        """Write the follow-up schedule (and ``vals``) on the case, only
        what changed, without tracking: the run logs one note per case."""
        self.ensure_one()
        vals.update(
            {
                "next_step_id": next_step.id or False,
                "next_action_date": next_date or False,
            }
        )
        if checked:
            vals["followup_checked_date"] = checked
        if (
            self.followup_error
            and "followup_error" not in vals
            # a problem noted earlier in the same run stays
            and self.id not in self.env["debt.negotiation.run"]._failed_case_ids()
        ):
            vals["followup_error"] = False
        changed = {}
        for fname, value in vals.items():
            current = self[fname]
            if isinstance(current, models.BaseModel):
                current = current.id
            if (current or False) != (value or False):
                changed[fname] = value
        if changed:
            self.with_context(mail_notrack=True).write(changed)

    @api.model
    def _cron_process_followups(self, batch_size=None, max_batches=None):
        """Daily follow-ups (cron ``ir_cron_process_followups``): settle the
        paid cases, expire the offers, open cases, execute the due follow-up
        steps. See
        ``debt.negotiation.followup.engine._run``.

        :return: a Counter of what was done
        """
        if max_batches is None:
            # one batch per call in Odoo's cron loop
            max_batches = self.env["debt.negotiation.run"]._steps_per_call() or None
        return self.env["debt.negotiation.followup.engine"]._run(
            batch_size=batch_size, max_batches=max_batches
        )

    @api.model
    def action_run_followups_now(self):
        """ "Run Follow-ups Now" (managers): run the follow-ups of the
        user's companies at once, including the cases already looked at
        today (e.g. after fixing a debtor's address)."""
        return self.env["debt.negotiation.followup.engine"]._run_now()
