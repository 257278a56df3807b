/** @odoo-module **/
// Copyright 2026 Debt Negotiation Contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// The debtor opens the link printed on its letter (the test starts the tour
// there), signs our payment plan, then pays the down payment online. Relies
// on the data of test_portal_tour.py.
registry.category("web_tour.tours").add("debt_negotiation_portal_sign_and_pay", {
    steps: () => [
        {
            content: "Our proposal is on the debtor's page",
            trigger: ".o_dn_portal_offer:contains('Payment Plan')",
        },
        {
            content: "Accept and sign it",
            trigger: ".o_dn_portal_offer a[name='dn_accept']",
            run: "click",
        },
        {
            content: "Give the signer's name",
            trigger: ".modal.show .o_web_sign_name_input",
            run: "edit Joel Willis",
        },
        {
            content: "Sign",
            trigger: ".modal.show .o_portal_sign_submit:enabled",
            run: "click",
        },
        {
            content: "The agreement is signed",
            trigger: "div[name='dn_done']:contains('the agreement is signed')",
        },
        {
            content: "The payment plan is shown",
            trigger: "tr.o_dn_installment_row:contains('Down payment')",
        },
        {
            content: "Pay the down payment now",
            trigger: "a[name='dn_pay_now']:contains('300.00')",
            run: "click",
        },
        {
            content: "The amount to pay is the down payment",
            trigger: ".o_portal_debt_negotiation_pay:contains('300.00')",
        },
        {
            content: "Choose the payment provider",
            trigger: "input[name='o_payment_radio']",
            run: "click",
        },
        {
            content: "Pay",
            trigger: "button[name='o_payment_submit_button']:enabled",
            run: "click",
        },
        {
            content: "The payment is being processed (Odoo's payment status page)",
            trigger: "div[name='o_payment_status']",
        },
    ],
});
