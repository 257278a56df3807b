/** @odoo-module **/
// Copyright 2026 Debt Negotiation Contributors
// License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import { registry } from "@web/core/registry";

// The debtor, logged in on the portal, on its case page (test_my_day_tours.py
// opens it): the page links to its statement of account and to each
// invoice's PDF (Odoo's own invoice portal link); each link gives a PDF.

/** Follow ``url`` as the browser would; fail unless it answers a PDF file
(Odoo's test mode fills it with the report's HTML: test_my_day_tours.py
checks the real PDF). */
async function assertPdf(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    const type = response.headers.get("Content-Type") || "";
    if (response.status !== 200 || !type.startsWith("application/pdf")) {
        throw new Error(`${url}: ${response.status} ${type}, not a PDF`);
    }
}

registry.category("web_tour.tours").add("debt_negotiation_statement_download", {
    steps: () => [
        {
            content: "The case page lists the case's invoices",
            trigger: "h4:contains('Invoices') ~ table tbody tr:nth-child(2)",
        },
        {
            content: "It offers the statement of account",
            trigger: "p[name='dn_statement_link'] a[href*='/statement']:contains('statement of account')",
            async run() {
                await assertPdf(this.anchor.getAttribute("href"));
            },
        },
        {
            content: "Each invoice links to its PDF (Odoo's invoice portal link)",
            trigger: "h4:contains('Invoices') ~ table tbody tr a[href*='/my/invoices/'][href*='report_type=pdf']",
            async run() {
                const links = [
                    ...document.querySelectorAll(
                        "table tbody tr a[href*='/my/invoices/'][href*='report_type=pdf']"
                    ),
                ];
                if (links.length !== 2) {
                    throw new Error(`${links.length} invoice links, expected 2`);
                }
                for (const link of links) {
                    await assertPdf(link.getAttribute("href"));
                }
            },
        },
        {
            content: "Still on the case page, no error",
            trigger: "p[name='dn_statement_link']",
        },
    ],
});
