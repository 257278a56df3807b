# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Records that are proof: each test is an attack by a plain negotiation
user (or a manager) over the ORM as a JSON-RPC client reaches it
(``with_user``, public methods, values and context of its choosing), and
what must hold afterwards."""

from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


@tagged("post_install", "-at_install")
class TestNoTrustedContextKey(DebtNegotiationCommon):
    """``debt_negotiation_skip_pdf`` from a client is not heard."""

    def test_letter_wizard_ignores_a_forged_skip_pdf(self):
        case = self._start_case()
        wizard_model = (
            self.env["debt.negotiation.letter.wizard"]
            .with_user(self.negotiation_user)
            .with_context(
                default_negotiation_id=case.id, debt_negotiation_skip_pdf=True
            )
        )
        with Form(wizard_model) as wizard_form:
            wizard_form.letter_type = "reminder"
        wizard_form.record.action_confirm()
        letter = case.letter_ids
        self.assertEqual(len(letter), 1)
        self.assertTrue(letter.attachment_id, "the PDF is rendered and stored")
        self.assertTrue(letter.evidence_hash, "and sealed at once")

    def test_agreement_wizard_ignores_a_forged_skip_pdf(self):
        case = self._start_case()
        offer = self._create_offer(case)
        offer.action_propose()
        action = offer.with_user(self.negotiation_user).action_accept()
        wizard_model = (
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"], debt_negotiation_skip_pdf=True)
        )
        with Form(wizard_model) as wizard_form:
            wizard_form.signed_by = "Jane Accounts"
        wizard_form.record.action_confirm()
        letter = case.agreement_id.letter_id
        self.assertTrue(letter.attachment_id, "the PDF is rendered and stored")
        self.assertTrue(letter.evidence_hash, "and sealed at once")
