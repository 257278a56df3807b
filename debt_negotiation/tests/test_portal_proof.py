# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The debtor's page as an attacker holding a letter's link uses it:
crafted form posts and JSON requests, and what must hold afterwards (a
message on the page, never an HTTP 500, nothing written)."""

import base64
from datetime import timedelta

from odoo.tests import tagged

from .common import SIGNATURE
from .test_portal_negotiation import PortalNegotiationCommon

MARKUP = (
    '<img src="http://tracker.example.com/pixel.png?rt=1" onerror="alert(1)">'
    '<script>alert(2)</script><b>BOLD</b> <a href="https://phish.example.com">'
    "click</a>"
)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(1)</script><rect width='10' height='10'/></svg>"
)


@tagged("post_install", "-at_install")
class TestDebtorTextIsText(PortalNegotiationCommon):
    """What the debtor writes or uploads is plain text or a safe file in
    the back office."""

    def _activity_notes(self):
        return "".join(str(note) for note in self.case.activity_ids.mapped("note"))

    def test_decline_and_dispute_text_is_plain_text(self):
        offer = self._propose(amount=800.0)
        self._assert_done(
            self._post(f"/offer/{offer.id}/decline", {"message": MARKUP}, token=True),
            "declined",
        )
        self._assert_done(
            self._post(
                "/dispute", {"reason_code": "other", "reason": MARKUP}, token=True
            ),
            "disputed",
        )
        notes = self._activity_notes()
        self.assertIn("&lt;img", notes)
        for markup in ("<img", "<b>", "<a ", "<script"):
            self.assertNotIn(markup, notes)
        # the chatter says it as text too
        bodies = "".join(str(body) for body in self.case.message_ids.mapped("body"))
        for markup in ("<img", "<b>BOLD", "<a href"):
            self.assertNotIn(markup, bodies)

    def _dispute_with(self, name, content, mimetype="application/octet-stream"):
        page = self.url_open(self._url(token=True))
        csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        return self.url_open(
            self._url("/dispute"),
            data={
                "csrf_token": csrf,
                "access_token": self.case.access_token,
                "reason_code": "quality",
                "reason": "See the document.",
            },
            files={"attachment": (name, content, mimetype)},
        )

    def _case_files(self):
        return self.env["ir.attachment"].search(
            [("res_model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)]
        )

    def test_only_pdf_and_images_are_taken(self):
        for name, content in (
            ("evil.html", b"<h1>Delivery note</h1><script>alert(1)</script>"),
            ("evil.svg", SVG),
            ("calculator.exe", b"MZ\x90\x00" + b"\x00" * 200),
            ("scan.pdf", b"<html><body>not a pdf</body></html>"),
        ):
            with self.subTest(name=name):
                response = self._dispute_with(name, content, "text/html")
                self.assertEqual(response.status_code, 200)
                self.assertIn("PDF or an image", response.text)
                # the form is kept
                self.assertIn("See the document.", response.text)
        self.assertFalse(self._case_files())
        self.assertEqual(self.case.state, "open")
        self.assertFalse(self._portal_interactions("dispute"))

    def test_upload_is_created_as_the_visitor_with_its_real_type(self):
        # a PDF named .html: stored as the PDF it is, by the visitor
        self._assert_done(self._dispute_with("note.html", PDF, "text/html"), "disputed")
        document = self._case_files()
        self.assertEqual(len(document), 1)
        self.assertEqual(document.mimetype, "application/pdf")
        self.assertTrue(document.name.endswith(".pdf"), document.name)
        self.assertEqual(document.create_uid, self.env.ref("base.public_user"))

    def test_upload_size_is_capped_by_a_company_setting(self):
        self.assertEqual(self.company.negotiation_portal_upload_max_mb, 10)
        self.company.negotiation_portal_upload_max_mb = 1
        big = PDF + b"0" * (1024 * 1024)
        response = self._dispute_with("scan.pdf", big, "application/pdf")
        self.assertIn("larger than 1 MB", response.text)
        self.assertFalse(self._case_files())
        self.assertFalse(self._portal_interactions("dispute"))


@tagged("post_install", "-at_install")
class TestInternalStaysInternal(PortalNegotiationCommon):
    """The offer's internal note is never shown to the debtor; the
    conditions are, and so is the debtor's own counter-offer."""

    def test_internal_note_never_reaches_the_debtor(self):
        offer = self._propose(
            amount=800.0,
            note="Negotiator remark: they just got a big order, do not go lower",
            conditions="Paid by bank transfer, quoting our reference.",
        )
        page = self.url_open(self._url(token=True))
        self.assertIn(f"/offer/{offer.id}/accept", page.text)
        self.assertNotIn("do not go lower", page.text)
        self.assertIn("Paid by bank transfer, quoting our reference.", page.text)
        self.assertEqual(
            offer._fields["conditions"].string, "Conditions Shown to the Debtor"
        )

    def test_debtor_sees_its_own_counter_offer(self):
        first = self.today + timedelta(days=7)
        self._assert_done(
            self._post(
                "/counter",
                {
                    "offer_type": "settlement",
                    "amount": "900",
                    "first_due_date": first.isoformat(),
                    "message": "We can pay 900 next week.",
                },
                token=True,
            ),
            "countered",
        )
        counter = self.case.offer_ids.filtered(lambda o: o.origin == "debtor")
        self.assertEqual(counter.conditions, "We can pay 900 next week.")
        self.assertFalse(counter.note)
        # the negotiator's remark on it stays internal
        counter.note = "Ask for 950."
        page = self.url_open(self._url(token=True))
        self.assertIn("Your counter-offer", page.text)
        self.assertIn("900.00", page.text)
        self.assertIn("We can pay 900 next week.", page.text)
        self.assertNotIn("Ask for 950.", page.text)
        self.assertNotIn(f"/offer/{counter.id}/accept", page.text)


@tagged("post_install", "-at_install")
class TestPortalSaneInput(PortalNegotiationCommon):
    """Bad input: a message on the page with the form kept, never an HTTP
    500, nothing written."""

    def _counter(self, **values):
        data = {
            "offer_type": "settlement",
            "amount": "900",
            "first_due_date": (self.today + timedelta(days=7)).isoformat(),
            **values,
        }
        return self._post("/counter", data, token=True)

    def test_absurd_counter_offers_get_a_message(self):
        far = self.today + timedelta(days=400)
        for label, values in (
            ("nan", {"amount": "nan"}),
            ("inf", {"amount": "inf"}),
            ("-inf", {"amount": "-inf"}),
            (
                "nan down payment",
                {
                    "offer_type": "payment_plan",
                    "down_payment": "nan",
                    "installment_count": "3",
                    "interval": "month",
                },
            ),
            (
                "unknown interval",
                {
                    "offer_type": "payment_plan",
                    "installment_count": "3",
                    "interval": "day",
                },
            ),
            ("year 9999", {"first_due_date": "9999-12-31"}),
            ("beyond a year", {"first_due_date": far.isoformat()}),
        ):
            with self.subTest(label):
                response = self._counter(message=f"Attempt {label}", **values)
                self.assertEqual(response.status_code, 200, response.text[:300])
                self.assertIn('name="dn_error"', response.text)
                self.assertIn(f"Attempt {label}", response.text, "the form is kept")
        self.assertFalse(self.case.offer_ids)
        self.assertFalse(self._portal_interactions("counter_offer"))

    def test_absurd_promises_get_a_message(self):
        date = (self.today + timedelta(days=3)).isoformat()
        for amount in ("nan", "inf", "1e400"):
            with self.subTest(amount=amount):
                response = self._post(
                    "/promise", {"date": date, "amount": amount}, token=True
                )
                self.assertEqual(response.status_code, 200)
                self.assertIn('name="dn_error"', response.text)
        self.assertFalse(self.case.promise_ids)

    def test_one_open_counter_offer_per_case(self):
        self._assert_done(self._counter(amount="700"), "countered")
        self._assert_done(self._counter(amount="800"), "countered")
        counters = self.case.offer_ids.filtered(lambda o: o.origin == "debtor")
        self.assertEqual(
            sorted(counters.mapped(lambda o: (o.amount, o.state))),
            [(700.0, "withdrawn"), (800.0, "proposed")],
        )
        answer = self.env.ref("debt_negotiation.mail_activity_type_counter_offer")
        self.assertEqual(
            len(
                self.case.activity_ids.filtered(lambda a: a.activity_type_id == answer)
            ),
            1,
        )

    def test_answers_are_rate_limited_per_case_and_per_address(self):
        for index in range(5):
            self._assert_done(self._counter(amount=str(700 + index)), "countered")
        refused = self._counter(amount="750")
        self.assertIn("several answers", refused.text)
        promise = self._post(
            "/promise",
            {"date": (self.today + timedelta(days=3)).isoformat(), "amount": "10"},
            token=True,
        )
        self.assertIn("several answers", promise.text)
        self.assertEqual(len(self._portal_interactions("counter_offer")), 5)
        self.assertFalse(self.case.promise_ids)
        # from the same address, on other cases too (20 answers a day)
        Case = self.env["debt.negotiation"]
        for index in range(15):
            partner = self._create_debtors([{"name": f"Rate Debtor {index}"}])
            case = Case._open_case_for_invoices(self._create_invoice(partner=partner))
            case.sudo()._portal_promise(
                self.today + timedelta(days=3),
                10.0,
                client={"address": "127.0.0.1", "user_agent": "test"},
            )
        other = self._create_debtors([{"name": "Last Debtor"}])
        self.case = Case._open_case_for_invoices(self._create_invoice(partner=other))
        response = self._counter(amount="100")
        self.assertIn("several answers", response.text)
        self.assertFalse(self.case.offer_ids)

    def test_only_png_or_jpeg_as_a_drawn_signature(self):
        offer = self._propose(amount=800.0)
        svg = base64.b64encode(SVG).decode()
        gif = base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").decode()
        for label, signature in (("svg", svg), ("gif", gif)):
            with self.subTest(label):
                result = self._accept(offer, signature=signature, token=True)
                self.assertIn("PNG or JPEG", result.get("error", ""), result)
        self.assertFalse(self.case.agreement_ids)

    def test_signer_address_and_browser_are_sealed(self):
        offer = self._propose(amount=800.0)
        result = self._accept(offer, signature=SIGNATURE, token=True)
        self.assertTrue(result.get("force_refresh"), result)
        agreement = self.case.agreement_id
        self.assertEqual(agreement.signed_ip, "127.0.0.1")
        self.assertTrue(agreement.signed_user_agent)
        self.assertTrue(self.case._evidence_check()["verified"])
        # they are part of the seal of the signed agreement
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE debt_negotiation_agreement SET signed_ip = %s WHERE id = %s",
            ["10.0.0.1", agreement.id],
        )
        self.env.invalidate_all()
        check = self.case._evidence_check()
        self.assertFalse(check["verified"])
        self.assertEqual(check["break"].res_model, "debt.negotiation.agreement")
