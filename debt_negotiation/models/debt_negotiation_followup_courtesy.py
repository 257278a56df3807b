# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Courtesy reminders before the due date.

A ladder's steps with a negative delay are not the case's: on each open
customer invoice not yet due (and in no case), the follow-up run emails the
debtor a friendly reminder that many days before the due date, with the
template ``mail_template_courtesy_reminder``, posted in the invoice's chatter.
Each step once per invoice (``account.move.negotiation_courtesy_step_id``,
in account_move.py);
a debtor that gets no automatic letters gets none either; no case is opened.
The choice of the step is the pure rule
:func:`~..tools.followup_ladder.courtesy_step`.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import api, models
from odoo.tools import split_every

from ..tools import followup_ladder


class DebtNegotiationFollowupEngine(models.AbstractModel):
    _inherit = "debt.negotiation.followup.engine"

    @api.model
    def _send_courtesy_reminders(self, today, company_ids, batch_size):
        """Email the courtesy reminders due today (see the module's
        docstring), by batches, each invoice apart when its batch fails;
        return how many were sent."""
        todo = self._courtesy_reminders_due(today, company_ids)
        template = self.env.ref(
            "debt_negotiation.mail_template_courtesy_reminder",
            raise_if_not_found=False,
        )
        if not todo or not template:
            return 0
        Run = self.env["debt.negotiation.run"]
        sent = 0
        for batch in split_every(batch_size, todo):
            sent += sum(
                Run._isolated(
                    list(batch),
                    lambda items: self._post_courtesy_reminders(items, template),
                    lambda item, error: Run._fail(
                        False,
                        "courtesy",
                        error,
                        partner=item[0].commercial_partner_id,
                        company=item[0].company_id,
                    ),
                    label="Courtesy reminders",
                )
            )
        return sent

    @api.model
    def _courtesy_reminders_due(self, today, company_ids):
        """``[(invoice, step), ...]``: the courtesy reminder each invoice
        gets today. A few queries for all the invoices."""
        Step = self.env["debt.negotiation.followup.step"].sudo()
        domain = [("delay_days", "<", 0), ("ladder_id.active", "=", True)]
        if company_ids:
            domain.append(("company_id", "in", company_ids))
        steps = Step.search(domain)
        if not steps:
            return []
        courtesy = defaultdict(list)
        for step in steps:
            courtesy[step.ladder_id.id].append((step.id, step.delay_days))
        longest = -min(steps.mapped("delay_days"))
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", ">", today),
                    ("invoice_date_due", "<=", today + timedelta(days=longest)),
                    ("company_id", "in", steps.company_id.ids),
                    ("negotiation_id", "=", False),
                    ("partner_id.email", "!=", False),
                ],
                order="invoice_date_due, id",
            )
        )
        ladder_of = self.env["debt.negotiation.followup.ladder"]._for_debtors(
            (invoice.commercial_partner_id, invoice.company_id) for invoice in invoices
        )
        todo = []
        for invoice in invoices:
            debtor = invoice.commercial_partner_id
            if debtor.negotiation_blocked:
                continue
            sent = invoice.negotiation_courtesy_step_id
            key = followup_ladder.courtesy_step(
                courtesy[ladder_of.get((debtor.id, invoice.company_id.id))],
                invoice.invoice_date_due,
                today,
                sent.delay_days if sent else None,
            )
            if key:
                todo.append((invoice, Step.browse(key)))
        return todo

    @api.model
    def _post_courtesy_reminders(self, items, template):
        """Email and post each ``(invoice, step)`` of ``items``' reminder;
        return how many."""
        for invoice, step in items:
            author = invoice.invoice_user_id.partner_id
            if not author.email:
                author = invoice.company_id.partner_id
            email_from = template._render_field("email_from", invoice.ids)[invoice.id]
            invoice.message_post_with_source(
                template,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
                author_id=author.id,
                email_from=email_from or author.email_formatted,
            )
            invoice.negotiation_courtesy_step_id = step
        return len(items)
