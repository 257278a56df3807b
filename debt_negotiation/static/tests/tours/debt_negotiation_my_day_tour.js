/** @odoo-module **/
// Copyright 2026 Debt Negotiation Contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// My Day as a negotiator starts it (test_my_day_tours.py prepares the
// cases): Negotiations > My Day lists the negotiator's cases with something
// due, the highest priority first; the first one waits for an answer to the
// debtor's counter-offer: the negotiator opens it, answers (rejects the
// offer), comes back, and the case has left today's list.

const noError = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

/** The ``index``-th row (from 1) of the My Day list. */
function row(index) {
    return `.o_list_view tbody tr.o_data_row:nth-child(${index})`;
}

registry.category("web_tour.tours").add("debt_negotiation_my_day", {
    steps: () => [
        {
            content: "Open the app switcher",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "Open Negotiations",
            trigger: ".o_app[data-menu-xmlid='debt_negotiation.menu_debt_negotiation_root']",
            run: "click",
        },
        {
            content: "Negotiations > My Day",
            trigger: ".o_main_navbar [data-menu-xmlid='debt_negotiation.menu_debt_negotiation_my_day']",
            run: "click",
        },
        {
            content: "My Day lists my three cases due today",
            trigger: `${row(3)}:last-child`,
        },
        {
            content: "Not my colleague's",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Colleague Debtor')))",
        },
        {
            content: "The highest priority first: the counter-offer to answer",
            trigger: `${row(1)}:contains('Largest Debtor'):contains('Counter-offer to answer')`,
        },
        {
            content: "Then the next one",
            trigger: `${row(2)}:contains('Middle Debtor'):contains('Follow-up due')`,
        },
        {
            content: "The smallest last",
            trigger: `${row(3)}:contains('Smallest Debtor')`,
        },
        {
            content: "Open the first case",
            trigger: `${row(1)} td[name='partner_id']`,
            run: "click",
        },
        {
            content: "The case opens",
            trigger: ".o_form_view .oe_title h1:contains('NEG/')",
        },
        {
            content: "Its offers",
            trigger: ".o_form_view .o_notebook a.nav-link[name='offers']",
            run: "click",
        },
        {
            content: "Answer the debtor's counter-offer: reject it",
            trigger:
                ".o_form_view div[name='offer_ids'] .o_data_row:contains('Proposed') button[name='action_reject']",
            run: "click",
        },
        {
            content: "The counter-offer is answered",
            trigger: ".o_form_view div[name='offer_ids'] .o_data_row:contains('Rejected')",
        },
        noError,
        {
            content: "Back to My Day",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('My Day')",
            run: "click",
        },
        {
            content: "The case is gone from today's list",
            trigger: ".o_list_view:not(:has(.o_data_row:contains('Largest Debtor')))",
        },
        {
            content: "The others remain, in order",
            trigger: `${row(1)}:contains('Middle Debtor')`,
        },
        {
            content: "The last one",
            trigger: `${row(2)}:contains('Smallest Debtor'):last-child`,
        },
        noError,
    ],
});
