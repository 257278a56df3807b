# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import re
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged
from odoo.tests.common import JsonRpcException
from odoo.tools import mute_logger

from ..models.workflow import without_pdf
from .common import SIGNATURE, DebtNegotiationCommon

HTTP_LOGGER = "odoo.http"


@tagged("post_install", "-at_install")
class PortalNegotiationCommon(DebtNegotiationCommon, HttpCase):
    """A debtor with a portal account, another debtor's portal user, and a
    case with our settlement proposed to the debtor."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user(
            "debtor_portal", "Paula Portal", cls.debtor
        )
        cls.outsider = cls._create_portal_user(
            "other_portal", "Oscar Other", cls.debtor_2
        )
        cls.invoices = cls._create_overdue_invoices(amounts=(600.0, 400.0))
        cls.case = cls.env["debt.negotiation"]._open_case_for_invoices(cls.invoices)
        cls.case.user_id = cls.negotiation_user
        cls.case.sudo().minimum_amount = 750.0
        # the debtor's "today" is ours (dates are in the user's time zone)
        visitors = cls.portal_user | cls.outsider | cls.env.ref("base.public_user")
        visitors.sudo().partner_id.tz = cls.env.user.tz or "UTC"

    def _url(self, suffix="", token=False):
        url = f"/my/negotiations/{self.case.id}{suffix}"
        if token:
            url += "&" if "?" in url else "?"
            url += f"access_token={self.case.access_token}"
        return url

    def _assert_done(self, response, done):
        """The action was done: back on the case page saying so (else the
        page's error message is the failure's)."""
        if f"message={done}" not in response.url:
            match = re.search(r'name="dn_error"[^>]*>(.*?)</div>', response.text, re.S)
            error = (
                match.group(1)
                if match
                else f"{len(response.text)} {response.text[:800]!r}"
            )
            self.fail(
                f"{done} refused ({response.status_code} {response.url}): {error}"
            )

    def _post(self, suffix, data, token=False):
        """POST a portal form with its CSRF token, as the browser does."""
        data = {"csrf_token": self._csrf_token(), **data}
        if token:
            data["access_token"] = self.case.access_token
        return self.url_open(self._url(suffix), data=data)

    def _csrf_token(self):
        page = self.url_open(self._url(token=True))
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _propose(self, **vals):
        vals.setdefault("first_due_date", self.today + timedelta(days=5))
        offer = self._create_offer(self.case, **vals)
        offer.action_propose()
        return offer

    def _accept(self, offer, name="Paula Portal", signature=SIGNATURE, token=False):
        params = {"name": name, "signature": signature}
        if token:
            params["access_token"] = self.case.access_token
        return self.make_jsonrpc_request(self._url(f"/offer/{offer.id}/accept"), params)

    def _portal_interactions(self, outcome):
        return self.case.interaction_ids.filtered(
            lambda i: i.channel == "portal" and i.outcome == outcome
        )


class TestPortalAcceptAndSign(PortalNegotiationCommon):
    def test_debtor_accepts_and_signs_online(self):
        offer = self._propose(amount=800.0)
        self.authenticate("debtor_portal", "debtor_portal")
        page = self.url_open(self._url())
        self.assertIn("Accept &amp; Sign", page.text)
        self.assertIn(f"/offer/{offer.id}/accept", page.text)
        result = self._accept(offer)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertIn("message=signed", result["redirect_url"])

        agreement = self.case.agreement_id
        self.assertEqual(self.case.state, "agreement")
        self.assertEqual(offer.state, "accepted")
        self.assertRecordValues(
            agreement,
            [
                {
                    "state": "active",
                    "signature_mode": "portal",
                    "signed_by": "Paula Portal",
                    "signed_on": self.today,
                    "creditor_signed_by": self.negotiation_user.name,
                }
            ],
        )
        self.assertTrue(agreement.signature)
        letter = agreement.letter_id
        self.assertEqual(letter.letter_type, "agreement")
        self.assertEqual(letter.signature, agreement.signature)
        # the debtor has an email address: the signed confirmation is sent
        self.assertEqual((letter.channel, letter.state), ("email", "sent"))
        logged = self._portal_interactions("agreement")
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged.direction, "inbound")
        self.assertEqual(logged.contact_name, "Paula Portal")
        others = self.case.interaction_ids.filtered(
            lambda i: i.channel == "portal" and i.outcome == "other"
        )
        self.assertFalse(
            others,
            f"our own emails are never logged as the debtor's messages: "
            f"{others.mapped('contact_name')} {others.mapped('summary')}",
        )
        # the debtor finds its signed letter on the page
        page = self.url_open(self._url("?message=signed"))
        self.assertIn("the agreement is signed", page.text)
        self.assertIn(f"/letter/{letter.id}", page.text)

    def test_access_token_is_enough(self):
        offer = self._propose(amount=1000.0)
        result = self._accept(offer, name="Jane Accounts", token=True)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self.case.agreement_id.signed_by, "Jane Accounts")
        self.assertEqual(
            self._portal_interactions("agreement").contact_name, "Jane Accounts"
        )

    def test_below_minimum_offer_needs_a_manager_to_be_proposed(self):
        offer = self._create_offer(
            self.case, amount=700.0, first_due_date=self.today + timedelta(days=5)
        )
        # the user's proposal waits for a manager's approval
        offer.with_user(self.negotiation_user).action_propose()
        self.assertEqual(offer.state, "draft")
        self.assertEqual(offer.approval_ids.state, "pending")
        offer.with_user(self.negotiation_manager).action_propose()
        # proposed by a manager, the debtor may accept it online
        result = self._accept(offer, token=True)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self.case.agreement_id.offer_id, offer)

    def test_refusals_write_nothing(self):
        counter = self.Offer.create(
            {
                "negotiation_id": self.case.id,
                "origin": "debtor",
                "offer_type": "settlement",
                "amount": 500.0,
                "first_due_date": self.today + timedelta(days=5),
            }
        )
        counter.action_propose()
        expired = self._propose(amount=900.0)
        offer = self._propose(amount=850.0)
        expired.sudo().write({"expiry_date": self.today - timedelta(days=1)})
        letters = self.case.letter_ids
        cases = {
            "another debtor": ("other_portal", offer, SIGNATURE),
            "expired": ("debtor_portal", expired, SIGNATURE),
            "own counter-offer": ("debtor_portal", counter, SIGNATURE),
            "no signature": ("debtor_portal", offer, ""),
            "not an image": ("debtor_portal", offer, "bm90IGFuIGltYWdl"),
        }
        for label, (login, target, signature) in cases.items():
            with self.subTest(label):
                self.authenticate(login, login)
                result = self._accept(target, signature=signature)
                self.assertTrue(result.get("error"), result)
                self.assertFalse(self.case.agreement_ids)
                self.assertEqual(self.case.state, "open")
                self.assertEqual(self.case.letter_ids, letters)
                self.assertFalse(self._portal_interactions("agreement"))
        self.assertEqual(offer.state, "proposed")

    def test_anonymous_without_token_is_refused(self):
        offer = self._propose(amount=800.0)
        result = self._accept(offer)
        self.assertTrue(result.get("error"), result)
        self.assertFalse(self.case.agreement_ids)


class TestPortalESignature(PortalNegotiationCommon):
    def _send_for_signature(self, offer):
        action = offer.action_accept()
        with Form(
            self.env[action["res_model"]]
            .with_user(self.negotiation_user)
            .with_context(**action["context"])
        ) as wizard_form:
            wizard_form.signature_mode = "esign"
            wizard_form.creditor_signature = SIGNATURE
        return wizard_form.record.action_confirm()

    def test_sent_for_signature_then_signed_in_the_portal(self):
        offer = self._plan(self.case, amount=1000.0, count=3)
        self._send_for_signature(offer)
        agreement = self.case.agreement_ids
        self.assertEqual(agreement.state, "pending_signature")
        self.assertEqual(self.case.state, "open", "not under agreement yet")
        self.assertEqual(offer.state, "proposed")
        self.assertFalse(self.case.installment_ids, "no schedule in force yet")
        self.assertEqual(len(agreement._all_installments()), 3)
        # the debtor got the signing link, with the case's token
        mail = (
            self.env["mail.mail"]
            .search([("model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)])
            .filtered(
                lambda m: (
                    "Read and sign" in (m.body_html or "")
                    and self.case.letter_recipient_id in m.recipient_ids
                )
            )
        )
        self.assertEqual(
            len(mail), 1, [(m.recipient_ids.mapped("name"), m.email_to) for m in mail]
        )
        self.assertIn(self.case.access_token, mail.body_html)
        # the page shows it awaiting the signature
        page = self.url_open(self._url(token=True))
        self.assertIn("awaiting your signature", page.text)

        result = self._accept(offer, name="Jane Accounts", token=True)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertRecordValues(
            agreement,
            [
                {
                    "state": "active",
                    "signature_mode": "esign",
                    "signed_by": "Jane Accounts",
                    "signed_on": self.today,
                    "creditor_signed_by": self.negotiation_user.name,
                }
            ],
        )
        self.assertEqual(self.case.state, "agreement")
        self.assertEqual(len(self.case.installment_ids), 3)
        self.assertEqual(offer.state, "accepted")
        letter = agreement.letter_id
        self.assertTrue(letter.signature)
        self.assertTrue(letter.creditor_signature)

    def test_below_minimum_plan_sent_by_a_manager_is_signed_online(self):
        offer = self._create_offer(
            self.case,
            offer_type="payment_plan",
            amount=700.0,
            installment_count=2,
            interval="month",
            first_due_date=self.today + timedelta(days=10),
        )
        offer.with_user(self.negotiation_manager).action_propose()
        action = offer.action_accept()
        with Form(
            self.env[action["res_model"]]
            .with_user(self.negotiation_manager)
            .with_context(**action["context"])
        ) as wizard_form:
            wizard_form.signature_mode = "esign"
        wizard_form.record.action_confirm()
        self.assertEqual(self.case.agreement_ids.state, "pending_signature")
        result = self._accept(offer, name="Jane Accounts", token=True)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self.case.agreement_id.state, "active")
        self.assertEqual(offer.state, "accepted")

    def test_withdrawn_offer_cancels_the_unsigned_agreement(self):
        offer = self._plan(self.case, amount=1000.0, count=3)
        self._send_for_signature(offer)
        agreement = self.case.agreement_ids
        offer.action_withdraw()
        self.assertEqual(agreement.state, "cancelled")
        result = self._accept(offer, token=True)
        self.assertTrue(result.get("error"), result)
        self.assertEqual(self.case.state, "open")

    def test_pending_signature_shown_resent_and_cancelled(self):
        """Issue 24: the request awaiting the debtor's signature shows on the
        case, can be sent again and withdrawn; withdrawn, the debtor's page
        no longer offers to sign it."""
        offer = self._plan(self.case, amount=1000.0, count=3)
        self._send_for_signature(offer)
        agreement = self.case.agreement_ids
        self.assertEqual(self.case.agreement_state, "pending_signature")
        self.assertEqual(self.case.signature_requested_on, self.today)
        case = self.case.with_user(self.negotiation_user)
        sent = len(self.case.message_ids)
        case.action_resend_signature_request()
        self.assertEqual(len(self.case.message_ids), sent + 1)
        self.assertIn(
            "sent again for e-signature",
            " ".join(self.case.interaction_ids.mapped("summary")),
        )
        case.action_cancel_signature_request()
        self.assertEqual(agreement.state, "cancelled")
        self.assertFalse(self.case.agreement_id)
        self.assertEqual(offer.state, "proposed", "the offer stays open")
        page = self.url_open(self._url(token=True))
        self.assertNotIn("awaiting your signature", page.text)
        with self.assertRaises(UserError):
            agreement.action_resend_signature_request()

    def test_confirming_otherwise_cancels_the_pending_request(self):
        """Issue 24 (review F7): the debtor phones to agree after an
        e-signature request: confirming in writing cancels the request, no
        orphan "Awaiting Signature" agreement, and the portal no longer
        offers "Accept and sign" (which failed with an English error)."""
        offer = self._plan(self.case, amount=1000.0, count=3)
        self._send_for_signature(offer)
        pending = self.case.agreement_ids
        self._confirm_agreement(offer)
        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(
            self.case.agreement_ids.filtered(lambda a: a.state == "pending_signature"),
            self.env["debt.negotiation.agreement"],
        )
        self.assertEqual(self.case.agreement_id.state, "active")
        self.assertEqual(self.case.state, "agreement")
        self.assertFalse(self.case._portal_unsigned_agreement())
        page = self.url_open(self._url(token=True))
        self.assertNotIn("awaiting your signature", page.text)
        self.assertNotIn("dn_accept", page.text)

    def test_back_office_modes(self):
        offer = self._propose(amount=1000.0)
        action = offer.action_accept()
        wizard_model = self.env[action["res_model"]].with_context(**action["context"])
        self.assertNotIn("signature", wizard_model._fields)
        with Form(wizard_model) as wizard_form:
            wizard_form.signature_mode = "countersigned"
            wizard_form.signed_by = "Jane Accounts"
            wizard_form.signed_copy = "UERGIHNjYW4="
        wizard = wizard_form.record
        wizard.signed_copy = False
        with self.assertRaisesRegex(UserError, "Attach the copy"):
            wizard.action_confirm()
        self.assertFalse(self.case.agreement_ids)
        wizard.signed_copy = "UERGIHNjYW4="
        wizard.action_confirm()
        self.assertRecordValues(
            self.case.agreement_id,
            [{"state": "active", "signature_mode": "countersigned"}],
        )
        self.assertFalse(self.case.agreement_id.signature)


class TestPortalAnswers(PortalNegotiationCommon):
    def test_decline(self):
        offer = self._propose(amount=800.0)
        self.authenticate("debtor_portal", "debtor_portal")
        response = self._post(
            f"/offer/{offer.id}/decline", {"message": "We cannot pay that much."}
        )
        self._assert_done(response, "declined")
        self.assertEqual(offer.state, "rejected")
        logged = self._portal_interactions("refusal")
        self.assertEqual(len(logged), 1)
        self.assertIn("We cannot pay that much.", logged.summary)
        self.assertTrue(
            self.case.activity_ids.filtered(
                lambda a: (
                    a.user_id == self.negotiation_user
                    and "declined" in (a.summary or "")
                )
            )
        )

    def test_counter_offer_every_two_weeks(self):
        """The debtor's form offers every interval of an offer: a plan paid
        every two weeks is accepted as a counter-offer, its payments two
        weeks apart."""
        self._propose(amount=900.0)
        page = self.url_open(self._url(token=True))
        self.assertIn('value="biweek"', page.text)
        self.assertIn('value="quarter"', page.text)
        first = self.today + timedelta(days=7)
        response = self._post(
            "/counter",
            {
                "offer_type": "payment_plan",
                "amount": "900",
                "down_payment": "0",
                "installment_count": "3",
                "interval": "biweek",
                "first_due_date": first.isoformat(),
                "message": "Every other payday.",
            },
            token=True,
        )
        self._assert_done(response, "countered")
        counter = self.case.offer_ids.filtered(lambda o: o.origin == "debtor")
        self.assertRecordValues(counter, [{"state": "proposed", "interval": "biweek"}])
        self.assertEqual(
            [due for due, _amount in counter._get_schedule()],
            [first, first + timedelta(weeks=2), first + timedelta(weeks=4)],
        )

    def test_counter_offer(self):
        offer = self._propose(amount=900.0)
        first = self.today + timedelta(days=7)
        response = self._post(
            "/counter",
            {
                "offer_type": "payment_plan",
                "amount": "600",
                "down_payment": "100",
                "installment_count": "5",
                "interval": "month",
                "first_due_date": first.isoformat(),
                "message": "Five months, please.",
            },
            token=True,
        )
        self._assert_done(response, "countered")
        counter = self.case.offer_ids.filtered(lambda o: o.origin == "debtor")
        self.assertRecordValues(
            counter,
            [
                {
                    "state": "proposed",
                    "offer_type": "payment_plan",
                    "amount": 600.0,
                    "down_payment": 100.0,
                    "installment_count": 5,
                    "interval": "month",
                    "first_due_date": first,
                    "conditions": "Five months, please.",
                }
            ],
        )
        self.assertEqual(offer.state, "countered")
        self.assertEqual(len(self._portal_interactions("counter_offer")), 1)
        activity = self.case.activity_ids.filtered(
            lambda a: (
                a.activity_type_id
                == self.env.ref("debt_negotiation.mail_activity_type_counter_offer")
            )
        )
        self.assertEqual(activity.user_id, self.negotiation_user)
        self.assertEqual(activity.date_deadline, counter.expiry_date)
        # below the minimum, and nothing tells the debtor so
        page = self.url_open(self._url("?message=countered", token=True))
        self.assertNotIn("750.00", page.text)
        self.assertNotIn("minimum", page.text.lower())

    def test_invalid_counter_offer_is_explained_and_not_recorded(self):
        response = self._post(
            "/counter",
            {
                "offer_type": "settlement",
                "amount": "5000",
                "first_due_date": self.today.isoformat(),
            },
            token=True,
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("cannot exceed what the debtor owes", response.text)
        bad_date = self._post(
            "/counter",
            {"offer_type": "settlement", "amount": "10", "first_due_date": "31/31"},
            token=True,
        )
        self.assertIn("not valid", bad_date.text)
        self.assertFalse(self.case.offer_ids)
        self.assertFalse(
            self.case.interaction_ids.filtered(lambda i: i.channel == "portal")
        )

    def test_dispute_whole_claim_with_document(self):
        self.authenticate("debtor_portal", "debtor_portal")
        page = self.url_open(self._url(token=True))
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = self.url_open(
            self._url("/dispute"),
            data={
                "csrf_token": token,
                "reason_code": "quality",
                "reason": "The goods arrived broken.",
            },
            files={
                "attachment": ("photo.png", base64.b64decode(SIGNATURE), "image/png")
            },
        )
        self._assert_done(response, "disputed")
        self.assertEqual(self.case.state, "disputed")
        self.assertEqual(self.case.dispute_reason_code, "quality")
        logged = self._portal_interactions("dispute")
        self.assertEqual(len(logged), 1)
        self.assertEqual(logged.summary, "The goods arrived broken.")
        self.assertEqual(logged.contact_name, "Paula Portal")
        document = self.env["ir.attachment"].search(
            [("res_model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)]
        )
        self.assertIn("photo.png", document.mapped("name"))
        ack = (
            self.env["mail.mail"]
            .search([("model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)])
            .filtered(
                lambda m: (
                    "received your dispute" in (m.body_html or "")
                    and self.case.letter_recipient_id in m.recipient_ids
                )
            )
        )
        self.assertEqual(
            len(ack), 1, [(m.recipient_ids.mapped("name"), m.email_to) for m in ack]
        )
        self.assertIn("we send no reminders", ack.body_html)

    def test_dispute_chosen_invoices(self):
        first, second = self.invoices
        response = self._post(
            "/dispute",
            {
                "reason_code": "wrong_amount",
                "reason": "Invoiced twice.",
                "invoice_ids": str(first.id),
            },
            token=True,
        )
        self._assert_done(response, "disputed")
        self.assertEqual(self.case.state, "open")
        self.assertTrue(first.negotiation_disputed)
        self.assertFalse(second.negotiation_disputed)
        self.assertEqual(self.case.amount_disputed, 600.0)

    def test_dispute_of_another_debtors_invoice_is_refused(self):
        foreign = self._create_overdue_invoices(partner=self.debtor_2)
        response = self._post(
            "/dispute",
            {
                "reason_code": "other",
                "reason": "Not ours.",
                "invoice_ids": f"{self.invoices[0].id},{foreign.id}",
            },
            token=True,
        )
        self.assertIn("among those of the case", response.text)
        self.assertFalse(self.invoices[0].negotiation_disputed)
        self.assertFalse(foreign.negotiation_disputed)
        self.assertFalse(self._portal_interactions("dispute"))

    def test_promise_to_pay(self):
        promised = self.today + timedelta(days=5)
        response = self._post(
            "/promise", {"date": promised.isoformat(), "amount": "400"}, token=True
        )
        self._assert_done(response, "promised")
        logged = self._portal_interactions("promise")
        self.assertRecordValues(
            logged, [{"promise_date": promised, "promise_amount": 400.0}]
        )
        self.assertRecordValues(
            self.case.promise_ids,
            [
                {
                    "date": promised,
                    "amount": 400.0,
                    "state": "pending",
                    "interaction_id": logged.id,
                }
            ],
        )
        confirmation = (
            self.env["mail.mail"]
            .search([("model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)])
            .filtered(lambda m: "we confirm your promise" in (m.body_html or ""))
        )
        self.assertTrue(confirmation)
        past = self._post(
            "/promise",
            {"date": (self.today - timedelta(days=1)).isoformat(), "amount": "400"},
            token=True,
        )
        self.assertIn("cannot be in the past", past.text)
        too_much = self._post(
            "/promise", {"date": promised.isoformat(), "amount": "5000"}, token=True
        )
        self.assertIn("cannot exceed what is due", too_much.text)
        self.assertEqual(len(self._portal_interactions("promise")), 1)

    def test_outsider_cannot_act(self):
        offer = self._propose(amount=800.0)
        self.authenticate("other_portal", "other_portal")
        token = self._csrf_token_of_home()
        for suffix, data in (
            (f"/offer/{offer.id}/decline", {"message": "no"}),
            ("/counter", {"offer_type": "settlement", "amount": "1"}),
            ("/dispute", {"reason": "no", "reason_code": "other"}),
            ("/promise", {"date": self.today.isoformat(), "amount": "1"}),
        ):
            with self.subTest(suffix):
                response = self.url_open(
                    self._url(suffix), data={"csrf_token": token, **data}
                )
                self.assertTrue(response.url.endswith("/my"), response.url)
        self.assertEqual(offer.state, "proposed")
        self.assertEqual(self.case.state, "open")
        self.assertEqual(len(self.case.offer_ids), 1)
        self.assertFalse(
            self.case.interaction_ids.filtered(lambda i: i.channel == "portal")
        )

    def _csrf_token_of_home(self):
        page = self.url_open("/my")
        return page.text.split('csrf_token: "')[1].split('"')[0]

    def test_forms_need_the_csrf_token(self):
        with mute_logger(HTTP_LOGGER):
            response = self.url_open(
                self._url("/promise"),
                data={
                    "date": self.today.isoformat(),
                    "amount": "10",
                    "access_token": self.case.access_token,
                },
            )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._portal_interactions("promise"))


class TestPortalPage(PortalNegotiationCommon):
    def test_closure_letter_on_the_page(self):
        """Paid, the case is settled: the debtor finds the closure letter
        among the letters of its page, and downloads it."""
        self._register_payment(self.case.invoice_ids)
        self.env["debt.negotiation"]._settle_paid_cases()
        self.assertEqual(self.case.state, "settled")
        letter = self.case.letter_ids.filtered(lambda lt: lt.letter_type == "closure")
        self.assertRecordValues(letter, [{"state": "sent", "channel": "email"}])
        page = self.url_open(self._url(token=True))
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"/letter/{letter.id}?access_token=", page.text)
        self.assertIn("Account Settled", page.text)
        download = self.url_open(self._url(f"/letter/{letter.id}", token=True))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, letter.attachment_id.raw)

    def test_page_in_the_debtors_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.debtor.lang = "fr_FR"
        page = self.url_open(self._url(token=True))
        # amounts formatted the French way, French selected
        self.assertIn("1\xa0000,00", page.text)
        self.assertIn('js_change_lang active" role="menuitem" href="/fr/', page.text)

    def test_what_happens_next(self):
        self.case._schedule_next_action()
        self.assertTrue(self.case.next_step_id)
        # a planned date already passed is no future step: not shown
        self.case.next_action_date = self.today - timedelta(days=3)
        page = self.url_open(self._url(token=True))
        self.assertNotIn("What happens next", page.text)
        self.case.next_action_date = self.today + timedelta(days=3)
        page = self.url_open(self._url(token=True))
        self.assertIn("What happens next", page.text)
        self.assertIn(self.case.next_step_id.name, page.text)

    def test_page_query_count_does_not_grow(self):
        offer = self._plan(self.case, amount=1000.0, count=12)
        self._confirm_agreement(offer)
        for letter in self.case.letter_ids:
            letter.action_mark_sent()
        self.authenticate("debtor_portal", "debtor_portal")
        self.url_open(self._url())  # warm the caches
        with self.assertQueryCount(30):
            page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        self.assertEqual(page.text.count("o_dn_installment_row"), 12)


class TestPortalLinks(PortalNegotiationCommon):
    def test_every_case_has_its_link_from_the_start(self):
        self.assertTrue(self.case.access_token)
        link = self.case._portal_link()
        self.assertTrue(link.startswith(self.case.get_base_url()))
        self.assertIn(f"access_token={self.case.access_token}", link)

    def test_letters_carry_the_link_and_its_qr_code(self):
        letter = without_pdf(self.case)._generate_letter("reminder", channel="email")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "debt_negotiation.action_report_debt_negotiation_letter", letter.ids
            )[0]
            .decode()
        )
        self.assertIn(self.case._portal_link().replace("&", "&amp;"), html)
        self.assertIn('alt="QR code"', html)
        letter._send_email()
        mail = self.env["mail.mail"].search(
            [("model", "=", "debt.negotiation"), ("res_id", "=", self.case.id)],
            limit=1,
        )
        self.assertIn(self.case.access_token, mail.body_html)


@contextmanager
def _dummy_account_payment_method(env):
    """Odoo's test dummy provider (code ``none``) as a payment method of
    the bank journals, as ``account_payment``'s own tests declare it."""
    Method = env.registry["account.payment.method"]
    original = Method._get_payment_method_information

    def _get_payment_method_information(self):
        res = original(self)
        res["none"] = {"mode": "multi", "type": ("bank",)}
        return res

    with patch.object(
        Method, "_get_payment_method_information", _get_payment_method_information
    ):
        yield


class TestPortalPayment(PortalNegotiationCommon):
    """Pay now, end to end through Odoo's payment machinery: the dummy
    provider of ``payment``'s tests, a transaction linked to the case's
    invoices, and ``account_payment``'s post-processing that reconciles."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        method_unknown = cls.env.ref("payment.payment_method_unknown")
        with _dummy_account_payment_method(cls.env):
            cls.env["account.payment.method"].sudo().create(
                {"name": "Dummy method", "code": "none", "payment_type": "inbound"}
            )
            cls.provider = cls.env["payment.provider"].create(
                {
                    "name": "Dummy Provider",
                    "code": "none",
                    "state": "test",
                    "is_published": True,
                    "company_id": cls.company.id,
                    "payment_method_ids": [Command.set(method_unknown.ids)],
                    "journal_id": cls.company_data["default_journal_bank"].id,
                }
            )
        method_unknown.write({"active": True})

    def _pay_now(self):
        page = self.url_open(self._url("/pay", token=True))
        self.assertEqual(page.status_code, 200)
        return self.make_jsonrpc_request(
            f"/my/negotiations/{self.case.id}/transaction",
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.provider.payment_method_ids[:1].id,
                "token_id": None,
                "amount": 1.0,  # whatever the browser says
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": self.case.get_portal_url(),
                "access_token": self.case.access_token,
            },
        )

    def test_pay_the_next_installment_online(self):
        offer = self._plan(self.case, amount=1000.0, count=4, down_payment=100.0)
        self._confirm_agreement(offer)
        installments = self.case.installment_ids.sorted("sequence")
        down = installments[0]
        self.assertEqual(down.amount, 100.0)
        page = self.url_open(self._url(token=True))
        self.assertIn("Pay now", page.text)
        processing = self._pay_now()
        tx = self.env["payment.transaction"].search(
            [("reference", "=", processing["reference"])]
        )
        self.assertEqual(tx.amount, 100.0, "the case's amount, not the browser's")
        self.assertEqual(tx.invoice_ids, self.invoices)
        self.assertTrue(tx.reference.startswith(self.case.name))
        tx._set_done()
        tx._post_process()
        self.assertTrue(tx.payment_id)
        self.assertEqual(self.case.amount_due, 900.0)
        self.assertEqual(down.state, "paid")
        self.assertEqual(installments[1].state, "pending")

    def test_tour_from_the_letters_link_to_a_signed_plan_and_a_payment(self):
        """In Chromium: the debtor opens the link of its letter (no
        account), signs our plan, and pays the down payment online."""
        # the dummy provider "redirects" to Odoo's payment status page
        self.provider.redirect_form_view_id = self.env["ir.ui.view"].create(
            {
                "name": "Dummy Redirect Form",
                "type": "qweb",
                "arch": '<form action="/payment/status" method="get"/>',
            }
        )
        offer = self._plan(self.case, amount=1000.0, count=2, down_payment=300.0)
        without_pdf(self.case)._generate_letter("negotiation", offer=offer)
        self.start_tour(
            self.case.get_portal_url(), "debt_negotiation_portal_sign_and_pay"
        )
        agreement = self.case.agreement_id
        self.assertRecordValues(
            agreement,
            [
                {
                    "state": "active",
                    "signature_mode": "portal",
                    "signed_by": "Joel Willis",
                }
            ],
        )
        self.assertTrue(agreement.signature)
        tx = self.env["payment.transaction"].search(
            [("invoice_ids", "in", self.invoices.ids)]
        )
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.amount, 300.0)
        tx._set_done()
        tx._post_process()
        down = agreement.installment_ids.sorted("sequence")[:1]
        self.assertEqual(down.state, "paid")
        self.assertEqual(self.case.amount_due, 700.0)

    def test_nothing_to_pay_online_while_disputed(self):
        self.case.action_dispute("Never ordered.", reason_code="not_ordered")
        page = self.url_open(self._url(token=True))
        self.assertNotIn("Pay now", page.text)
        with mute_logger(HTTP_LOGGER), self.assertRaises(JsonRpcException):
            self._pay_now()
        self.assertFalse(
            self.env["payment.transaction"].search(
                [("invoice_ids", "in", self.invoices.ids)]
            )
        )
