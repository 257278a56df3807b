# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, models
from odoo.exceptions import RedirectWarning, UserError


class DebtNegotiationLetter(models.Model):
    """Which letters the reports print, and the explicit generation of the
    current letter: a report (a URL) only prints stored letters."""

    _inherit = "debt.negotiation.letter"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # BUSINESS METHODS: printing from cases and invoices
    # ------------------------------------------------------------------
    @api.model
    def _cases_of_invoices(self, invoices):
        """The negotiation cases of ``invoices``; a clear message offering
        to start one when an invoice has none."""
        without_case = invoices.filtered(lambda m: not m.negotiation_id)
        if without_case:
            message = self.env._(
                "No negotiation letter can be printed for %(moves)s: the "
                "invoice is not under negotiation yet. Start a negotiation "
                "on it first, then print the letter.",
                moves=", ".join(without_case.mapped("display_name")),
            )
            startable = not without_case._negotiation_problems()
            if startable and len(without_case.commercial_partner_id) == 1:
                action = self.env.ref(
                    "debt_negotiation.action_account_move_start_negotiation"
                )
                raise RedirectWarning(
                    message,
                    action.id,
                    self.env._("Start Negotiation"),
                    {
                        "active_model": "account.move",
                        "active_ids": without_case.ids,
                        "active_id": without_case[:1].id,
                    },
                )
            raise UserError(message)
        return invoices.negotiation_id

    @api.model
    def _agreement_letter_of(self, case):
        """The stored letter of the case's agreement in force (never the
        letter of an earlier agreement, whose terms and signature are not
        those of this one); none when it is still to generate; an error
        when the case has no agreement."""
        if not case.agreement_id:
            raise UserError(
                self.env._(
                    "Case %(case)s has no confirmed agreement to print.",
                    case=case.name,
                )
            )
        return case.agreement_id.letter_id

    @api.model
    def _letters_to_print(self, kind, records):
        """The stored letters the case, invoice and agreement reports print
        (a report is a URL any link can trigger: it never generates a
        letter). A case's letter is the latest one of its current step
        (see ``debt.negotiation._current_letter``), made by the explicit,
        checked action "Current Letter" (:meth:`_current_letters`) or by
        the "Print Letter" wizard; none yet is a clear refusal.

        :param kind: ``case``, ``invoice`` (the letter of each invoice's
            case) or ``agreement`` (the agreement in force's confirmation)
        """
        cases = self._cases_of_invoices(records) if kind == "invoice" else records
        letters = self.browse()
        for case in cases:
            if kind == "agreement":
                letter = self._agreement_letter_of(case)
            else:
                letter = case._current_letter()
            if not letter:
                raise UserError(
                    self.env._(
                        "No letter of case %(case)s has been generated for its "
                        "current step yet: generate it with Current Letter "
                        "(Print menu) or Print Letter.",
                        case=case.name,
                    )
                )
            letters |= letter
        return letters

    @api.model
    def _current_letters(self, cases):
        """The letter of each case's current step, for the explicit
        "Current Letter" action: today's, if one was generated (printing
        again gives the same PDF), else generated now and checked against
        the case like any other (:meth:`debt.negotiation._check_letter_type`).
        The type is decided by the case, never by the request: another
        type, or email, is the "Print Letter" wizard's explicit action."""
        letters = self.browse()
        for case in cases:
            letter_type = case._get_default_letter_type()
            if letter_type == "agreement":
                letters |= case._agreement_letter()
                continue
            if letter_type == "closure":
                # one closure letter per case, whenever it was generated
                letters |= case._closure_letter() or case._generate_letter(letter_type)
                continue
            letters |= case._current_letter(today_only=True) or case._generate_letter(
                letter_type
            )
        return letters
