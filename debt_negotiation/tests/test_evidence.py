# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import csv
import hashlib
import io
import json
import zipfile

from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .common import DebtNegotiationCommon


def _sha(data):
    return hashlib.sha256(data).hexdigest()


@tagged("post_install", "-at_install")
class TestEvidence(DebtNegotiationCommon):
    """The evidence of a case: every document sealed in a chain when it is
    recorded, the dossier (ZIP, manifest, summary) and its hand-over."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Evidence = cls.env["debt.negotiation.evidence"]
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Acme Collections",
                "is_company": True,
                "email": "claims@acme-collections.example.com",
                "street": "1 Recovery Road",
                "city": "Springfield",
                "phone": "+1 555 0199",
            }
        )

    def _documented_case(self):
        """A case with two interactions, a reminder, a payment and an
        agreement (with its letter)."""
        invoices = self._create_overdue_invoices(amounts=(600.0, 400.0))
        case = self._start_case(invoices)
        self.Interaction.create(
            [
                {
                    "negotiation_id": case.id,
                    "channel": "phone",
                    "direction": "outbound",
                    "contact_name": "Jane Accounts",
                    "summary": "Called about the two invoices; asked for time.",
                    "outcome": "clarification",
                },
                {
                    "negotiation_id": case.id,
                    "channel": "email",
                    "direction": "inbound",
                    "contact_name": "Jane Accounts",
                    "summary": "Proposes to pay in three months.",
                    "outcome": "counter_offer",
                },
            ]
        )
        case._generate_letter("reminder")
        self._register_payment(invoices[0], amount=100.0)
        offer = self._plan(case, amount=case.amount_due, count=3)
        self._confirm_agreement(offer)
        return case

    def _zip(self, content):
        archive = zipfile.ZipFile(io.BytesIO(content))
        return {name: archive.read(name) for name in archive.namelist()}

    def _summary(self, case):
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "debt_negotiation.action_report_evidence_summary", case.ids
        )
        return html.decode()

    # ------------------------------------------------------------------
    # The chain
    # ------------------------------------------------------------------
    def test_documents_are_sealed_in_one_chain_per_case(self):
        case = self._documented_case()
        entries = case.evidence_ids.sorted("sequence")
        letters = case.letter_ids
        self.assertEqual(entries.mapped("sequence"), list(range(1, len(entries) + 1)))
        sealed = {(e.res_model, e.res_id) for e in entries}
        for interaction in case.interaction_ids:
            self.assertIn((interaction._name, interaction.id), sealed)
            self.assertEqual(len(interaction.evidence_hash), 64)
        for letter in letters:
            self.assertIn((letter._name, letter.id), sealed)
        self.assertIn(("debt.negotiation.agreement", case.agreement_id.id), sealed)
        for previous, entry in zip(entries, entries[1:], strict=False):
            self.assertEqual(entry.previous_hash, previous.entry_hash)
        check = case._evidence_check()
        self.assertTrue(check["verified"], check["status"])
        self.assertFalse(check["unsealed"])
        self.assertIn("Verified", check["status"])
        # the chain itself is never edited nor deleted
        with self.assertRaises(UserError):
            entries[0].sudo().write({"description": "forged"})
        with self.assertRaises(UserError):
            entries[-1].sudo().unlink()

    def test_a_changed_interaction_breaks_the_chain(self):
        case = self._documented_case()
        interaction = case.interaction_ids.filtered(
            lambda i: i.outcome == "counter_offer"
        )
        entry = case.evidence_ids.filtered(lambda e: e.res_id == interaction.id)
        entry = entry.filtered(lambda e: e.res_model == interaction._name)
        # edited in the application: tracked in its history, and the chain
        # says the record no longer is what was recorded
        interaction.summary = "Agrees to pay everything tomorrow."
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"], entry)
        self.assertIn(f"Chain broken at entry {entry.sequence}", check["status"])
        self.assertIn("changed after it was recorded", check["status"])
        self.assertIn(f"Chain broken at entry {entry.sequence}", self._summary(case))
        # restored, it verifies again: the seal is of the content
        interaction.summary = "Proposes to pay in three months."
        self.assertTrue(case._evidence_check()["verified"])

    def test_a_record_changed_or_removed_in_the_database_breaks_the_chain(self):
        case = self._documented_case()
        interaction = case.interaction_ids.sorted("id")[0]
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE debt_negotiation_interaction SET outcome = 'promise' WHERE id = %s",
            [interaction.id],
        )
        self.env.invalidate_all()
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"].res_id, interaction.id)
        self.env.cr.execute(
            "DELETE FROM debt_negotiation_interaction WHERE id = %s", [interaction.id]
        )
        self.env.invalidate_all()
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertIn("removed after it was recorded", check["status"])

    def test_an_entry_removed_from_the_chain_shows(self):
        case = self._documented_case()
        self.assertGreater(len(case.evidence_ids), 3)
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM debt_negotiation_evidence WHERE negotiation_id = %s "
            "AND sequence = 2",
            [case.id],
        )
        self.env.invalidate_all()
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"].sequence, 3)
        self.assertIn("removed", check["status"])
        # the document of the removed entry is no longer in the chain
        self.assertEqual(len(check["unsealed"]), 1)

    def test_a_cut_chain_shows(self):
        case = self._documented_case()
        count = len(case.evidence_ids)
        self.assertEqual(case.evidence_sequence, count)
        self.assertEqual(
            case.evidence_head_hash, case.evidence_ids.sorted("sequence")[-1].entry_hash
        )
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM debt_negotiation_evidence WHERE negotiation_id = %s "
            "AND sequence = %s",
            [case.id, count],
        )
        self.env.invalidate_all()
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertIn(f"Chain broken after entry {count - 1}", check["status"])
        # and the head is no client's to write
        with self.assertRaises(UserError):
            case.with_user(self.negotiation_manager).write(
                {"evidence_head_hash": "0" * 64}
            )

    def test_a_changed_letter_pdf_breaks_the_chain(self):
        case = self._documented_case()
        letter = case.letter_ids.filtered(lambda lt: lt.letter_type == "reminder")
        self.assertTrue(case._evidence_check()["verified"])
        # the application refuses it; a superuser (or the database) does not
        with self.assertRaises(UserError):
            letter.attachment_id.with_user(self.negotiation_manager).write(
                {"raw": b"forged"}
            )
        letter.attachment_id.sudo().write({"raw": b"<p>We forgive everything.</p>"})
        check = case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"].res_model, "debt.negotiation.letter")
        self.assertEqual(check["break"].res_id, letter.id)

    # ------------------------------------------------------------------
    # The dossier
    # ------------------------------------------------------------------
    def test_dossier_holds_every_letter_byte_for_byte_and_a_true_manifest(self):
        case = self._documented_case()
        files = self._zip(case._get_evidence_dossier())
        manifest = json.loads(files.pop("manifest.json"))
        self.assertEqual(manifest["case"], case.name)
        self.assertTrue(manifest["chain"]["verified"])
        listed = {item["file"]: item for item in manifest["files"]}
        # the manifest lists every other file, with its true SHA-256
        self.assertEqual(set(listed), set(files))
        for name, content in files.items():
            self.assertEqual(listed[name]["sha256"], _sha(content), name)
            self.assertEqual(listed[name]["size"], len(content))
        # every letter as stored, byte for byte (the agreement letter too)
        letters = case.letter_ids
        self.assertEqual(len(letters), 2)
        contents = [content for name, content in files.items() if "letters/" in name]
        for letter in letters:
            self.assertIn(letter.attachment_id.raw, contents)
        self.assertTrue(any(name.startswith("summary.") for name in files))
        # the logs as CSV: every interaction, offer and payment
        interactions = list(
            csv.reader(io.StringIO(files["interactions.csv"].decode("utf-8-sig")))
        )
        self.assertEqual(len(interactions), len(case.interaction_ids) + 1)
        self.assertIn(
            "Proposes to pay in three months.", files["interactions.csv"].decode()
        )
        offers = list(csv.reader(io.StringIO(files["offers.csv"].decode("utf-8-sig"))))
        self.assertEqual(len(offers), len(case.offer_ids) + 1)
        payments = files["payments.csv"].decode("utf-8-sig")
        self.assertIn("100.00", payments)
        # the summary lists each file's hash and the chain
        summary = files[next(n for n in files if n.startswith("summary."))].decode()
        for name, item in listed.items():
            if not name.startswith("summary."):
                # printed in two halves (one line each)
                self.assertIn(item["sha256"][:32], summary)
                self.assertIn(item["sha256"][32:], summary)
        self.assertIn("Proposes to pay in three months.", summary)
        self.assertIn("Verified", summary)
        # the creditor's minimum never goes in the dossier
        self.assertNotIn("minimum", summary.lower())

    def test_dossier_action_keeps_the_archive_on_the_case(self):
        case = self._documented_case()
        case.user_id = self.negotiation_user
        action = case.with_user(self.negotiation_user).action_evidence_dossier()
        attachment_id = int(action["url"].split("/web/content/")[1].split("?")[0])
        attachment = self.env["ir.attachment"].browse(attachment_id)
        self.assertEqual(attachment.res_model, "debt.negotiation")
        self.assertEqual(attachment.res_id, case.id)
        self.assertIn(_sha(attachment.raw), self._message_bodies(case))

    def test_only_managers_and_the_negotiator_assemble_the_evidence(self):
        case = self._documented_case()
        case.user_id = self.negotiation_manager
        other = self.negotiation_user
        self.assertFalse(case.with_user(other).evidence_allowed)
        with self.assertRaises(AccessError):
            case.with_user(other)._get_evidence_dossier()
        with self.assertRaises(AccessError):
            case.with_user(other).action_evidence_dossier()
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(other)._render_qweb_html(
                "debt_negotiation.action_report_evidence_summary", case.ids
            )
        case.user_id = other
        self.assertTrue(case.with_user(other).evidence_allowed)
        self.assertTrue(case.with_user(other)._get_evidence_dossier())

    # ------------------------------------------------------------------
    # The hand-over
    # ------------------------------------------------------------------
    def test_escalation_hands_the_claim_over_to_the_agency(self):
        self.company.negotiation_agency_id = self.agency
        invoices = self._create_overdue_invoices(amounts=(750.0,))
        case = self._start_case(invoices)
        self.assertEqual(case.agency_id, self.agency)
        case.user_id = self.negotiation_user
        case.action_escalate()
        self.assertEqual(case.state, "escalated")
        self.assertEqual(case.handover_date, self.today)
        # the debtor is told, by email (it has an address)
        notice = case.letter_ids.filtered(lambda lt: lt.letter_type == "handover")
        self.assertEqual(len(notice), 1)
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.channel, "email")
        html = notice.attachment_id.raw.decode()
        self.assertIn("Acme Collections", html)
        self.assertIn("1 Recovery Road", html)
        # the dossier (with that notice) is kept and emailed to the agency
        dossier = case.handover_dossier_id
        self.assertEqual(dossier.mimetype, "application/zip")
        files = self._zip(dossier.raw)
        self.assertIn(notice.attachment_id.raw, files.values())
        to_agency = case.message_ids.filtered(lambda m: self.agency in m.partner_ids)
        self.assertEqual(len(to_agency), 1)
        self.assertIn("Acme Collections", to_agency.body)
        self.assertEqual(to_agency.attachment_ids.raw, dossier.raw)
        self.assertNotIn(case.partner_id, to_agency.partner_ids)
        # logged, and the negotiator follows it
        logged = case.interaction_ids.filtered(lambda i: i.counterpart == "agency")
        self.assertEqual(len(logged), 1)
        self.assertIn(_sha(dossier.raw), logged.summary)
        activity = case.activity_ids.filtered(
            lambda a: "Follow the hand-over" in (a.summary or "")
        )
        self.assertEqual(activity.user_id, self.negotiation_user)
        # the agency's reports are logged on the case
        action = case.action_log_agency_report()
        self.assertEqual(action["context"]["default_counterpart"], "agency")
        self.assertEqual(action["context"]["default_contact_name"], "Acme Collections")
        self.assertTrue(case._evidence_check()["verified"])

    def test_escalate_with_a_disputed_invoice_asks_and_hands_over_the_rest(self):
        """The review's F2: Escalate on a case with a disputed invoice warns
        and asks; only the undisputed invoices are handed over, and the
        agency's email, the debtor's email and the attached notice state the
        same amount; no interest or compensation on the disputed one."""
        self.company.write(
            {
                "negotiation_agency_id": self.agency.id,
                "negotiation_interest_rate": 8.0,
                "negotiation_compensation_amount": 40.0,
            }
        )
        invoices = self._create_overdue_invoices(amounts=(2150.0, 660.0))
        case = self._start_case(invoices)
        disputed = invoices.filtered(lambda m: m.amount_total == 2150.0)
        case.action_dispute("Cracked fridge door", invoices=disputed)
        action = case.action_open_escalate_wizard()
        wizard = self.env[action["res_model"]].with_context(**action["context"])
        with Form(wizard) as form:
            self.assertEqual(form.amount_claimed, 660.0)
            self.assertIn("660.00", form.summary)
            self.assertIn("claims@acme-collections", form.summary)
        wizard = form.record
        self.assertEqual(wizard.disputed_invoice_ids, disputed)
        with self.assertRaisesRegex(UserError, "undisputed"):
            wizard.action_confirm()
        self.assertEqual(case.state, "open")
        wizard.undisputed_only = True
        wizard.action_confirm()
        self.assertEqual(case.state, "escalated")
        notice = case.letter_ids.filtered(lambda lt: lt.letter_type == "handover")
        self.assertEqual(notice.amount_due, 660.0)
        to_agency = case.message_ids.filtered(lambda m: self.agency in m.partner_ids)
        to_debtor = case.message_ids.filtered(
            lambda m: "handed your file over" in (m.body or "")
        )
        self.assertTrue(to_debtor)
        for message in to_agency | to_debtor:
            self.assertIn("660.00", message.body)
            self.assertNotIn("2,810.00", message.body)
        self.assertIn(disputed.name, to_agency.body)
        self.assertIn("not handed over", to_agency.body)
        # interest and compensation of the notice: the undisputed invoice only
        self.assertEqual(case.compensation_amount, 40.0)

    def test_hand_over_to_an_agency_without_email_waits_for_the_negotiator(self):
        self.agency.email = False
        case = self._start_case(self._create_overdue_invoices(amounts=(300.0,)))
        case.agency_id = self.agency
        case.action_escalate()
        self.assertTrue(case.handover_dossier_id)
        self.assertFalse(
            case.message_ids.filtered(lambda m: self.agency in m.partner_ids)
        )
        self.assertTrue(
            case.activity_ids.filtered(
                lambda a: "Send the evidence dossier" in (a.summary or "")
            )
        )

    def test_a_debtor_without_automatic_letters_gets_the_notice_by_hand(self):
        self.debtor.negotiation_blocked = True
        case = self._start_case(self._create_overdue_invoices(amounts=(300.0,)))
        case.agency_id = self.agency
        case.action_escalate()
        notice = case.letter_ids.filtered(lambda lt: lt.letter_type == "handover")
        self.assertRecordValues(notice, [{"channel": "post", "state": "to_send"}])
        self.assertTrue(case.handover_dossier_id)

    def test_no_agency_no_hand_over_and_no_notice_before_it(self):
        case = self._start_case(self._create_overdue_invoices(amounts=(300.0,)))
        with self.assertRaises(UserError):
            case._generate_letter("handover")
        case.action_escalate()
        self.assertFalse(case.handover_date)
        self.assertFalse(case.letter_ids)
        with self.assertRaises(UserError):
            case._generate_letter("handover")
        # the date is the action's, never a client's
        with self.assertRaises(UserError):
            case.with_user(self.negotiation_manager).write(
                {"handover_date": self.today}
            )
