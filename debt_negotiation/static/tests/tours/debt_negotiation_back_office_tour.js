/** @odoo-module **/
// Copyright 2026 Debt Negotiation Contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// The back office as a credit controller uses it, clicking every action
// button on the way: a button that raises ("Oops", a traceback) fails the
// tour. Each tour starts where test_back_office_tours.py opens it, on the
// records it prepared.

const { DateTime } = luxon;

function inDays(days) {
    return DateTime.now().plus({ days }).toFormat("MM/dd/yyyy");
}

/** Steps opening the case form's action menu (gear) and choosing ``label``. */
function gear(label) {
    return [
        {
            content: "Open the form's action menu",
            trigger: ".o_control_panel .o_cp_action_menus button.dropdown-toggle",
            run: "click",
        },
        {
            content: `Choose "${label}"`,
            trigger: `.o-dropdown--menu .o-dropdown-item:contains('${label}')`,
            run: "click",
        },
    ];
}

/** The form dialog's primary footer button. */
function confirmDialog(content, name = "action_confirm") {
    return {
        content,
        trigger: `.modal:not(.o_inactive_modal) .modal-footer button[name='${name}']`,
        run: "click",
    };
}

/** Steps opening the Negotiations app from the app switcher. */
function openApp() {
    return [
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
            content: "The Negotiations app is open",
            trigger: ".o_main_navbar [data-menu-xmlid='debt_negotiation.menu_debt_negotiation_followups']",
        },
    ];
}

/** A step clicking the menu entry ``xmlid`` of the navbar. */
function menu(xmlid) {
    return [
        {
            content: `Menu ${xmlid}`,
            trigger: `.o_main_navbar [data-menu-xmlid='${xmlid}']`,
            run: "click",
        },
    ];
}

const noError = {
    content: "No error dialog",
    trigger: "body:not(:has(.o_error_dialog))",
};

// Due Today: the list's "Run Follow-ups Now", then the menu item.
registry.category("web_tour.tours").add("debt_negotiation_due_today", {
    steps: () => [
        {
            content: "Due Today lists what the run will do",
            trigger: ".o_list_view .o_list_button_add, .o_list_view .o_control_panel_main_buttons",
        },
        {
            content: "Run the follow-ups from the list",
            trigger: ".o_control_panel_main_buttons button:contains('Run Follow-ups Now')",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "Back on Due Today, no error",
            trigger: ".o_list_view:not(:has(.o_error_dialog))",
        },
        noError,
        ...openApp(),
        ...menu("debt_negotiation.menu_debt_negotiation_followups"),
        {
            content: "Run Follow-ups Now (menu item)",
            trigger: ".dropdown-item[data-menu-xmlid='debt_negotiation.menu_debt_negotiation_run_followups']",
            run: "click",
        },
        {
            content: "The run says what it did",
            trigger: ".o_notification:contains('follow-up')",
        },
        noError,
    ],
});

// From an invoice to an agreement: Start Negotiation (the debtor's other
// overdue invoice added), Log a Call with a promise, New Offer, Propose,
// Accept, Confirm Agreement in writing, Print Letter.
registry.category("web_tour.tours").add("debt_negotiation_invoice_to_agreement", {
    steps: () => [
        {
            content: "Start a negotiation from the invoice",
            trigger: ".o_form_view button[name='action_open_start_negotiation']",
            run: "click",
        },
        {
            content: "The other overdue invoice is offered, added by default",
            trigger: ".modal div[name='include_others'] input:checked",
        },
        confirmDialog("Start the negotiation"),
        {
            content: "The case is open",
            trigger: ".o_form_view .oe_title h1:contains('NEG/')",
        },
        {
            content: "It shows when the follow-ups act next",
            trigger: ".o_form_view div[name='next_action_date'] input",
        },
        {
            content: "Log a call",
            trigger: ".o_form_view .o_form_statusbar button[name='action_log_call']",
            run: "click",
        },
        {
            content: "Outcome: promise to pay",
            trigger: ".modal div[name='outcome'] select",
            run: "select \"promise\"",
        },
        {
            content: "Promised date",
            trigger: ".modal div[name='promise_date'] input",
            run: `edit ${inDays(10)}`,
        },
        {
            content: "Promised amount",
            trigger: ".modal div[name='promise_amount'] input",
            run: "edit 300",
        },
        {
            content: "What was said",
            trigger: ".modal div[name='summary'] textarea",
            run: "edit Will pay 300 next week.",
        },
        {
            content: "Save the call",
            trigger: ".modal .modal-footer .o_form_button_save",
            run: "click",
        },
        {
            content: "The promise holds the follow-ups",
            trigger: ".o_form_view div[name='promise_hold_until']:not(:empty)",
        },
        {
            content: "New offer",
            trigger: ".o_form_view .o_form_statusbar button[name='action_new_offer']",
            run: "click",
        },
        {
            content: "A settlement",
            trigger: ".modal div[name='amount'] input",
            run: "edit 1500",
        },
        {
            content: "Propose it",
            trigger: ".modal button[name='action_propose']",
            run: "click",
        },
        {
            content: "Confirm the agreement: now the highlighted next step",
            trigger: ".o_form_view .o_form_statusbar button.btn-primary[name='action_open_agreement_wizard']",
            run: "click",
        },
        {
            content: "Confirmed in writing, agreed by phone",
            trigger: ".modal div[name='agreed_channel'] select",
        },
        confirmDialog("Confirm the agreement"),
        {
            content: "The case is under agreement",
            trigger: ".o_form_view div[name='state'] .badge:contains('Agreement')",
        },
        {
            content: "Print the agreement letter",
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_letter_wizard']",
            run: "click",
        },
        {
            content: "The letter wizard proposes the agreement confirmation",
            trigger: ".modal div[name='letter_type'] select",
        },
        {
            content: "Print",
            trigger: ".modal .modal-footer button[name='action_confirm']:contains('Print')",
            run: "click",
        },
        {
            content: "Back on the case",
            trigger: ".o_form_view:not(:has(.modal)) .oe_title h1:contains('NEG/')",
        },
        noError,
    ],
});

// A case with two invoices and an agency: dispute one invoice and resolve
// it, claim interest, escalate (the dispute warned about), the dossier;
// then Results and the Cash Forecast.
registry.category("web_tour.tours").add("debt_negotiation_dispute_to_escalation", {
    steps: () => [
        {
            content: "The case",
            trigger: ".o_form_view .oe_title h1:contains('NEG/')",
        },
        ...gear("Dispute"),
        {
            content: "The reason",
            trigger: ".modal div[name='reason'] textarea",
            run: "edit The fridge door was cracked.",
        },
        {
            content: "One invoice only",
            trigger: ".modal div[name='invoice_ids'] input",
            run: "click",
        },
        {
            content: "Pick the first invoice",
            trigger: ".o-autocomplete--dropdown-menu .o-autocomplete--dropdown-item:first a",
            run: "click",
        },
        confirmDialog("Put it in dispute"),
        {
            content: "The disputed invoice is left out of what is claimed",
            trigger: ".o_form_view .alert-warning:contains('Disputed invoices')",
        },
        ...gear("Escalate"),
        {
            content: "Escalate warns of the disputed invoice",
            trigger: ".modal .alert-warning:contains('not handed over')",
        },
        {
            content: "Cancel: resolve the dispute first",
            trigger: ".modal .modal-footer button.btn-secondary",
            run: "click",
        },
        ...gear("Resolve Invoice Disputes"),
        {
            content: "Claimed again: no more disputed invoices",
            trigger: ".o_form_view:not(:has(.alert-warning:contains('Disputed invoices')))",
        },
        noError,
        ...gear("Claim Interest"),
        {
            content: "The interest invoice opens",
            trigger: ".o_form_view div[name='invoice_line_ids'] .o_data_row",
        },
        {
            content: "Back to the case",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains('NEG/')",
            run: "click",
        },
        {
            content: "The case form is back (its action menu, not the invoice's)",
            trigger: ".o_form_view .oe_title h1:contains('NEG/')",
        },
        ...gear("Escalate"),
        {
            content: "The hand-over: who gets what",
            trigger: ".modal div[name='summary']:contains('Tour Collections')",
        },
        confirmDialog("Escalate"),
        {
            content: "Escalated",
            trigger: ".o_form_view div[name='state'] .badge:contains('Escalated')",
        },
        {
            content: "An escalated case shows no next follow-up",
            trigger: ".o_form_view:not(:has(div[name='next_step_id']:visible))",
        },
        {
            content: "Log the agency's report",
            trigger: ".o_form_view .o_form_statusbar button[name='action_log_agency_report']",
            run: "click",
        },
        {
            content: "What the agency reported",
            trigger: ".modal div[name='summary'] textarea",
            run: "edit The agency called the debtor.",
        },
        {
            content: "Save",
            trigger: ".modal .modal-footer .o_form_button_save",
            run: "click",
        },
        noError,
        ...gear("Evidence Dossier"),
        noError,
        ...openApp(),
        ...menu("debt_negotiation.menu_debt_negotiation_forecast"),
        {
            content: "The forecast is a time series (grouped by week)",
            trigger: ".o_searchview .o_facet_value:contains('Week')",
        },
        ...menu("debt_negotiation.menu_debt_negotiation_result"),
        {
            content: "Results show what was credited apart from what was recovered",
            trigger: ".o_pivot_view, .o_graph_view, .o_list_view",
        },
        noError,
    ],
});

// Send for e-signature: the case shows it awaits the signature; the
// request is sent again, then withdrawn.
registry.category("web_tour.tours").add("debt_negotiation_esign_request", {
    steps: () => [
        {
            content: "Confirm the proposed offer",
            trigger: ".o_form_view .o_form_statusbar button[name='action_open_agreement_wizard']",
            run: "click",
        },
        {
            content: "Send for e-signature",
            trigger: ".modal div[name='signature_mode'] input[data-value='esign']",
            run: "click",
        },
        confirmDialog("Send it"),
        {
            content: "The case awaits the debtor's signature",
            trigger: ".o_form_view .alert-info:contains('Awaiting the debtor')",
        },
        {
            content: "Send the request again",
            trigger: ".o_form_view button[name='action_resend_signature_request']",
            run: "click",
        },
        noError,
        {
            content: "Withdraw the request",
            trigger: ".o_form_view button[name='action_cancel_signature_request']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button.btn-primary",
            run: "click",
        },
        {
            content: "No longer awaiting a signature",
            trigger: ".o_form_view:not(:has(.alert-info:contains('Awaiting the debtor')))",
        },
        noError,
    ],
});
