# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager


class DebtNegotiationPortal(CustomerPortal):
    """The debtor's view of its negotiation cases: amounts, invoices, the
    open offer, the agreed schedule and every letter as sent."""

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
        try:
            case_sudo = self._document_check_access(
                "debt.negotiation", negotiation_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        values = {
            "negotiation": case_sudo,
            "page_name": "negotiation",
            "current_offer": self._current_creditor_offer(case_sudo),
            "letters": self._sent_letters(case_sudo),
        }
        values = self._get_page_view_values(
            case_sudo,
            access_token,
            values,
            "my_negotiations_history",
            False,
            **kw,
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
        try:
            case_sudo = self._document_check_access(
                "debt.negotiation", negotiation_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        letter = self._sent_letters(case_sudo).filtered(lambda lt: lt.id == letter_id)
        if not letter:
            raise request.not_found()
        return (
            request.env["ir.binary"]
            ._get_stream_from(letter.attachment_id)
            .get_response(as_attachment=True)
        )

    # ------------------------------------------------------------------
    # What the debtor is shown
    # ------------------------------------------------------------------
    @staticmethod
    def _current_creditor_offer(case_sudo):
        """Our newest proposal waiting for the debtor's answer (never the
        debtor's own counter-offer)."""
        return case_sudo.offer_ids.filtered(
            lambda o: o.state == "proposed" and o.origin == "creditor"
        ).sorted("id")[-1:]

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
