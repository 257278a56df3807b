/** @odoo-module **/
// Copyright 2026 Debt Negotiation Contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// A salesperson opens a quotation of a customer on credit hold
// (test_sale_credit_hold_tour.py prepares it): the banner names the case and
// its negotiator, and only a negotiation manager sees the override button
// (the refusal of the Confirm button is tested server-side: Odoo logs a
// refused click as a warning).
registry.category("web_tour.tours").add("debt_negotiation_sale_hold_banner", {
    steps: () => [
        {
            content: "The quotation warns of the credit hold",
            trigger:
                ".o_form_view div[name='negotiation_credit_hold_banner']:contains('Customer on credit hold'):contains('NEG/'):contains('Ned Negotiator')",
        },
        {
            content: "The salesperson has no override button",
            trigger:
                ".o_form_view:not(:has(button[name='action_negotiation_override_credit_hold']))",
        },
        {
            content: "Still a quotation",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Quotation')",
        },
    ],
});

// A negotiation manager confirms the same quotation despite the hold, with
// a reason: the order is confirmed.
registry.category("web_tour.tours").add("debt_negotiation_sale_hold_override", {
    steps: () => [
        {
            content: "The quotation warns of the credit hold",
            trigger:
                ".o_form_view div[name='negotiation_credit_hold_banner']:contains('Customer on credit hold')",
        },
        {
            content: "Confirm despite the credit hold",
            trigger: ".o_form_view button[name='action_negotiation_override_credit_hold']",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal div[name='reason'] input",
            run: "edit Paid in advance by bank transfer",
        },
        {
            content: "Confirm the order",
            trigger: ".modal .modal-footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The order is confirmed",
            trigger:
                ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Sales Order')",
        },
    ],
});
