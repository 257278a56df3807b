# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import binascii
import logging

from odoo import fields, http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.fields import Command
from odoo.http import content_disposition, request

from odoo.addons.account_payment.controllers.portal import PortalAccount
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..tools import portal_input

_logger = logging.getLogger(__name__)

# what the page says after an action (never text taken from the URL)
DONE_MESSAGES = ("signed", "declined", "countered", "disputed", "promised")


class DebtNegotiationPortal(PortalAccount):
    """The debtor's side of the negotiation, logged in or through the link
    (with its access token) printed on every letter: the case, our offers
    to accept and sign or decline, a counter-offer, a dispute, a promise to
    pay, and paying online through the company's payment providers.

    Every route checks access first (``_document_check_access``: the
    debtor's own case, or the case's token), then hands the case in
    superuser mode to its ``_portal_*`` business methods, which check the
    rest; any refusal comes back as a clear message and nothing is written
    (each action runs in a savepoint)."""

    def _negotiation_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "=", partner.id)]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "negotiation_count" in counters:
            Negotiation = request.env["debt.negotiation"]
            values["negotiation_count"] = (
                Negotiation.search_count(self._negotiation_domain())
                if Negotiation.has_access("read")
                else 0
            )
        return values

    def _negotiation_check(self, negotiation_id, access_token):
        """The case in superuser mode if the visitor may see it (its debtor,
        or the case's token); else ``None``."""
        try:
            return self._document_check_access(
                "debt.negotiation", negotiation_id, access_token
            )
        except (AccessError, MissingError):
            return None

    @staticmethod
    def _negotiation_visitor(case_sudo):
        """Who answers: the logged-in contact of the debtor, else (the
        link's token) the debtor. The case comes as superuser from the
        access check: the visitor is the request's user."""
        partner = request.env.user.partner_id
        if not request.env.user._is_public() and (
            partner.commercial_partner_id == case_sudo.partner_id
        ):
            return partner.name
        return case_sudo.partner_id.name

    @staticmethod
    def _negotiation_client():
        """Who is answering, as the business methods record it: the
        visitor's address (IP) and browser, and its user (the public user
        with the link's token)."""
        http_request = request.httprequest
        return {
            "address": http_request.remote_addr or "",
            "user_agent": (http_request.user_agent.string or "")[:512],
            "user_id": request.env.uid,
        }

    @staticmethod
    def _negotiation_run(method, *args, **kwargs):
        """Run the business ``method`` in a savepoint: ``(result, None)``,
        or ``(None, message)`` when it refuses (nothing written)."""
        try:
            with request.env.cr.savepoint():
                return method(*args, **kwargs), None
        except (UserError, ValidationError) as error:
            return None, error.args[0]
        except (binascii.Error, ValueError, OverflowError) as error:
            # a signature that is not base64, a number out of range: the
            # visitor's input, never an HTTP 500
            _logger.info("Refused portal input: %s", error)
            return None, request.env._("The data sent is not valid.")

    # ------------------------------------------------------------------
    # Pages
    # ------------------------------------------------------------------
    @http.route(
        ["/my/negotiations", "/my/negotiations/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_negotiations(self, page=1, **kw):
        Negotiation = request.env["debt.negotiation"]
        if not Negotiation.has_access("read"):
            return request.redirect("/my")
        domain = self._negotiation_domain()
        pager = portal_pager(
            url="/my/negotiations",
            total=Negotiation.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        cases = Negotiation.search(
            domain, order="id desc", limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_negotiations_history"] = cases.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "negotiations": cases.sudo(),
                "page_name": "negotiation",
                "pager": pager,
                "default_url": "/my/negotiations",
            }
        )
        return request.render("debt_negotiation.portal_my_negotiations", values)

    @http.route(
        ["/my/negotiations/<int:negotiation_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_negotiation(self, negotiation_id, access_token=None, **kw):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        message = kw.get("message")
        return self._negotiation_page(
            case_sudo,
            access_token,
            message=message if message in DONE_MESSAGES else None,
        )

    def _negotiation_page(
        self, case_sudo, access_token, error=None, message=None, form=None
    ):
        """Render the case page (``error``: why the last action was refused,
        with the ``form`` the visitor sent, kept as it was: ``{"name": the
        form, field: value}``; ``message``: which action was just done)."""
        lang = case_sudo.partner_id.lang
        if request.env.user._is_public() and lang:
            # the link's visitor reads the page in the debtor's language
            request.update_context(lang=lang)
            case_sudo = case_sudo.with_context(lang=lang)
        amount_to_pay, _invoices = case_sudo._portal_payment()
        values = {
            "negotiation": case_sudo,
            "page_name": "negotiation",
            "open_offers": case_sudo._portal_open_offers(),
            "own_offers": case_sudo._portal_own_offers(),
            "form": form or {},
            "unsigned_agreement": case_sudo._portal_unsigned_agreement(),
            "letters": self._sent_letters(case_sudo),
            "amount_to_pay": amount_to_pay,
            "error": error,
            "message": message,
            "today": fields.Date.context_today(case_sudo),
            "dispute_reasons": case_sudo._fields[
                "dispute_reason_code"
            ]._description_selection(case_sudo.env),
            "offer_types": [
                (key, label)
                for key, label in case_sudo.offer_ids._fields[
                    "offer_type"
                ]._description_selection(case_sudo.env)
                if key in ("settlement", "payment_plan")
            ],
            "intervals": case_sudo.offer_ids._fields["interval"]._description_selection(
                case_sudo.env
            ),
        }
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            values,
            "my_negotiations_history",
            False,
        )
        return request.render("debt_negotiation.portal_my_negotiation", values)

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/letter/<int:letter_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_negotiation_letter(
        self, negotiation_id, letter_id, access_token=None, **kw
    ):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        letter = self._sent_letters(case_sudo).filtered(lambda lt: lt.id == letter_id)
        if not letter:
            raise request.not_found()
        return (
            request.env["ir.binary"]
            ._get_stream_from(letter.attachment_id)
            .get_response(as_attachment=True)
        )

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/statement"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_negotiation_statement(self, negotiation_id, access_token=None, **kw):
        """The debtor's statement of account with the case's company, as PDF
        (in the debtor's language)."""
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        pdf, filename = case_sudo._statement_pdf()
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", content_disposition(filename)),
            ],
        )

    # ------------------------------------------------------------------
    # The debtor's answers
    # ------------------------------------------------------------------
    @http.route(
        ["/my/negotiations/<int:negotiation_id>/offer/<int:offer_id>/accept"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_negotiation_accept(
        self, negotiation_id, offer_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return {"error": request.env._("This case is not available.")}
        _agreement, error = self._negotiation_run(
            case_sudo._portal_accept,
            offer_id,
            name,
            signature,
            client=self._negotiation_client(),
        )
        if error:
            return {"error": error}
        return {
            "force_refresh": True,
            "redirect_url": case_sudo.get_portal_url(query_string="&message=signed"),
        }

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/offer/<int:offer_id>/decline"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_negotiation_decline(
        self, negotiation_id, offer_id, access_token=None, message=None, **kw
    ):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        return self._negotiation_answer(
            case_sudo,
            access_token,
            "declined",
            case_sudo._portal_decline,
            offer_id,
            message,
        )

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/counter"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_negotiation_counter(self, negotiation_id, access_token=None, **kw):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        form = dict(kw, name="counter")
        values, error = self._negotiation_run(self._counter_values, kw)
        if error:
            return self._negotiation_page(
                case_sudo, access_token, error=error, form=form
            )
        return self._negotiation_answer(
            case_sudo,
            access_token,
            "countered",
            case_sudo._portal_counter,
            values,
            kw.get("message"),
            form=form,
        )

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/dispute"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_negotiation_dispute(
        self,
        negotiation_id,
        access_token=None,
        reason_code="other",
        reason=None,
        invoice_ids=None,
        **kw,
    ):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        form = {"name": "dispute", "reason_code": reason_code, "reason": reason}
        # the form's checkboxes send the ids as a list; RPC-like clients
        # send them comma-separated
        ids = request.httprequest.form.getlist("invoice_ids") or [invoice_ids or ""]
        try:
            invoice_list = [
                int(part) for value in ids for part in value.split(",") if part.strip()
            ]
        except ValueError:
            return self._negotiation_page(
                case_sudo,
                access_token,
                error=request.env._("The data sent is not valid."),
                form=form,
            )
        upload = request.httprequest.files.get("attachment")
        attachment = None
        if upload and upload.filename:
            # one byte over the company's limit is enough to refuse it
            limit = case_sudo.company_id.negotiation_portal_upload_max_mb
            attachment = (upload.filename, upload.read(limit * 1024 * 1024 + 1))
        return self._negotiation_answer(
            case_sudo,
            access_token,
            "disputed",
            case_sudo._portal_dispute,
            reason_code,
            reason,
            invoice_list,
            attachment,
            form=form,
        )

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/promise"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_negotiation_promise(
        self, negotiation_id, access_token=None, date=None, amount=None, **kw
    ):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        form = {"name": "promise", "date": date, "amount": amount}
        try:
            promise_date = fields.Date.to_date(date or None)
            promise_amount = portal_input.parse_amount(amount)
        except ValueError:
            return self._negotiation_page(
                case_sudo,
                access_token,
                error=request.env._("Please give a valid date and amount."),
                form=form,
            )
        return self._negotiation_answer(
            case_sudo,
            access_token,
            "promised",
            case_sudo._portal_promise,
            promise_date,
            promise_amount,
            form=form,
        )

    def _negotiation_answer(
        self, case_sudo, access_token, done, method, *args, form=None
    ):
        """Run the debtor's answer ``method`` (told by the visitor, from its
        address): back to the case page saying it is ``done``, or showing why
        it was refused, with the visitor's ``form`` kept."""
        _result, error = self._negotiation_run(
            method,
            *args,
            contact_name=self._negotiation_visitor(case_sudo),
            client=self._negotiation_client(),
        )
        if error:
            return self._negotiation_page(
                case_sudo, access_token, error=error, form=form
            )
        return request.redirect(
            case_sudo.get_portal_url(query_string=f"&message={done}")
        )

    @staticmethod
    def _counter_values(form):
        """The terms of a counter-offer from the posted ``form``."""
        offer_type = form.get("offer_type")
        if offer_type not in ("settlement", "payment_plan"):
            raise UserError(request.env._("Choose a settlement or a payment plan."))
        try:
            values = {
                "offer_type": offer_type,
                "amount": portal_input.parse_amount(form.get("amount")),
                "first_due_date": fields.Date.to_date(
                    form.get("first_due_date") or None
                ),
            }
            if offer_type == "payment_plan":
                values.update(
                    down_payment=portal_input.parse_amount(form.get("down_payment")),
                    installment_count=portal_input.parse_count(
                        form.get("installment_count")
                    ),
                    interval=portal_input.parse_interval(form.get("interval")),
                )
        except (ValueError, OverflowError) as error:
            raise UserError(request.env._("The data sent is not valid.")) from error
        if not values["first_due_date"]:
            raise UserError(request.env._("Set the date of the first payment."))
        return values

    # ------------------------------------------------------------------
    # Paying online
    # ------------------------------------------------------------------
    @http.route(
        ["/my/negotiations/<int:negotiation_id>/pay"],
        type="http",
        auth="public",
        website=True,
        sitemap=False,
    )
    def portal_negotiation_pay(self, negotiation_id, access_token=None, **kw):
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            return request.redirect("/my")
        amount, invoices = case_sudo._portal_payment()
        if not invoices:
            return request.redirect(case_sudo.get_portal_url())
        values = self._get_common_page_view_values(
            invoices_data={
                "partner": case_sudo.partner_id,
                "company": case_sudo.company_id,
                "total_amount": amount,
                "currency": case_sudo.currency_id,
                "amount_residual": amount,
                "payment_reference": case_sudo.name,
                "landing_route": case_sudo.get_portal_url(),
                "transaction_route": f"/my/negotiations/{case_sudo.id}/transaction",
            },
            access_token=case_sudo.access_token,
        )
        values.update(
            {
                "negotiation": case_sudo,
                "page_name": "negotiation",
                "amount": amount,
                "pay_invoices": invoices,
            }
        )
        return request.render("debt_negotiation.portal_negotiation_pay", values)

    @http.route(
        ["/my/negotiations/<int:negotiation_id>/transaction"],
        type="json",
        auth="public",
    )
    def portal_negotiation_transaction(
        self, negotiation_id, access_token, payment_reference=None, **kwargs
    ):
        """Create the payment transaction of what "Pay now" pays, linked to
        the invoices it is reconciled with; the amount and the reference
        (after the case's) are the case's, never the browser's."""
        case_sudo = self._negotiation_check(negotiation_id, access_token)
        if case_sudo is None:
            raise ValidationError(request.env._("The access token is invalid."))
        amount, invoices = case_sudo._portal_payment()
        if not invoices:
            raise ValidationError(request.env._("There is nothing to pay online."))
        self._validate_transaction_kwargs(kwargs)
        logged_in = not request.env.user._is_public()
        partner = request.env.user.partner_id if logged_in else case_sudo.partner_id
        kwargs.update(
            amount=amount,
            currency_id=case_sudo.currency_id.id,
            partner_id=partner.id,
            reference_prefix=case_sudo.name,
        )
        tx_sudo = self._create_transaction(
            custom_create_values={"invoice_ids": [Command.set(invoices.ids)]},
            **kwargs,
        )
        return tx_sudo._get_processing_values()

    # ------------------------------------------------------------------
    # What the debtor is shown
    # ------------------------------------------------------------------
    @staticmethod
    def _sent_letters(case_sudo):
        """The letters the debtor was sent, each with the PDF stored for that
        very letter (never a draft, nor a file attached to something else)."""
        return case_sudo.letter_ids.filtered(
            lambda lt: (
                lt.state == "sent"
                and lt.attachment_id.res_model == lt._name
                and lt.attachment_id.res_id == lt.id
            )
        )
