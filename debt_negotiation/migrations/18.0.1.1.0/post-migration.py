# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.1.0 brings the evidence chain: the documents recorded before it
(interactions, letters with their PDF, agreements that came into force) are
sealed now, per case, in the order they were created, so that from today
any change to them shows. The summary says when each was sealed."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Evidence = env["debt.negotiation.evidence"]
    for model, domain in (
        ("debt.negotiation.interaction", []),
        ("debt.negotiation.letter", [("attachment_id", "!=", False)]),
        ("debt.negotiation.agreement", [("letter_id", "!=", False)]),
    ):
        documents = (
            env[model].with_context(active_test=False).search(domain, order="id")
        )
        for start in range(0, len(documents), 1000):
            Evidence._append(documents[start : start + 1000])
