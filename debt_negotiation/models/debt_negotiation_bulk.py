# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Work on many cases at once, from the lists: send or print the current
letter, escalate, give to a negotiator, email the statements. Each case is
done or refused on its own (nothing half-done), and one summary says what
was done and what was refused, and why."""

from odoo import models
from odoo.exceptions import AccessError, UserError, ValidationError


# Satellite file of the case model, one concern per file (as account does).
class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # ACTIONS
    # ------------------------------------------------------------------
    def action_bulk_send_letter(self):
        """Email each case its current letter (the letter its step sends)."""
        done, refused = self._bulk(
            lambda case: case._bulk_letter("email")._send_email()
        )
        return self._bulk_summary(self.env._("Letters emailed"), done, refused)

    def action_bulk_print_letter(self):
        """Generate each case's current letter for the post and download
        them as one PDF (they wait in Letters to Send until marked sent)."""
        letters = self.env["debt.negotiation.letter"]

        def generate(case):
            nonlocal letters
            letters |= case._bulk_letter("post")

        done, refused = self._bulk(generate)
        next_action = letters.action_print() if letters else None
        return self._bulk_summary(
            self.env._("Letters printed"), done, refused, next_action=next_action
        )

    def action_bulk_escalate(self):
        """Escalate each case (a case with disputed invoices is refused: the
        Escalate button of its form hands over the undisputed ones)."""

        def escalate(case):
            disputed = case.invoice_ids.filtered(
                lambda m: (
                    m.negotiation_disputed
                    and not m.currency_id.is_zero(m.amount_residual)
                )
            )
            if disputed:
                raise UserError(
                    self.env._(
                        "%(moves)s disputed: escalate it from the case, which "
                        "hands over the undisputed invoices only.",
                        moves=", ".join(disputed.mapped("name")),
                    )
                )
            case.action_escalate()

        done, refused = self._bulk(escalate)
        return self._bulk_summary(self.env._("Cases escalated"), done, refused)

    def action_bulk_email_statement(self):
        """Email the debtors of these cases their statement of account with
        each case's company."""
        done, refused = self._bulk(lambda case: case._bulk_statement())
        return self._bulk_summary(self.env._("Statements emailed"), done, refused)

    def _assign_negotiator(self, user):
        """Give these cases to ``user`` (a negotiation manager's action:
        see ``_check_reassignment``)."""
        self._check_reassignment(user.id)

        def assign(case):
            if user.share or case.company_id not in user.company_ids:
                raise UserError(
                    self.env._(
                        "%(user)s cannot negotiate for %(company)s.",
                        user=user.name,
                        company=case.company_id.name,
                    )
                )
            case.user_id = user

        done, refused = self._bulk(assign)
        return self._bulk_summary(
            self.env._("Cases given to %(user)s", user=user.name), done, refused
        )

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _bulk(self, action):
        """Run ``action(case)`` on each case in a savepoint of its own: a
        refusal (a clear message) rolls that case back alone.

        :return: (the cases done, ["<case>: <why refused>", ...])
        """
        done, refused = self.browse(), []
        for case in self:
            try:
                with self.env.cr.savepoint():
                    action(case)
                done |= case
            except (UserError, ValidationError, AccessError) as error:
                refused.append(
                    self.env._(
                        "%(case)s: %(reason)s",
                        case=case.display_name,
                        reason=error.args[0] if error.args else str(error),
                    )
                )
        return done, refused

    def _bulk_summary(self, title, done, refused, next_action=None):
        """The notification of a bulk action: how many were done, each
        refusal with its reason."""
        message = self.env._("Done: %(count)s.", count=len(done))
        if refused:
            message += "\n" + self.env._("Refused:") + "\n" + "\n".join(refused)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": message,
                "type": "warning" if refused else "success",
                "sticky": bool(refused),
                "next": next_action
                or {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _bulk_letter(self, channel):
        """The current letter of the case, generated for ``channel`` (the
        checked generation refuses what the case may not be sent)."""
        self.ensure_one()
        if channel == "email" and not self.letter_recipient_id.email_normalized:
            raise UserError(
                self.env._(
                    "%(contact)s has no email address.",
                    contact=self.letter_recipient_id.display_name,
                )
            )
        return self._generate_letter(self._get_default_letter_type(), channel=channel)

    def _bulk_statement(self):
        """Email the debtor its statement with the case's company."""
        self.ensure_one()
        self.partner_id.with_company(self.company_id)._negotiation_send_statement()
