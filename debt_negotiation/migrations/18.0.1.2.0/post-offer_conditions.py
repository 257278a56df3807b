# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.2.0 splits an offer's note: the conditions shown to the debtor
(``conditions``) and an internal note never shown (``note``).

A counter-offer made online kept the debtor's message as its note: it is
the debtor's own text, moved to the conditions (the debtor sees it as
theirs). Every other note stays internal: before, the debtor's page printed
it, and a negotiator's remark must not be shown any more."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE debt_negotiation_offer AS o
           SET conditions = o.note, note = NULL
         WHERE o.origin = 'debtor'
           AND o.note IS NOT NULL
           AND o.conditions IS NULL
           AND (o.create_uid = 1
                OR EXISTS (SELECT 1 FROM res_users u
                            WHERE u.id = o.create_uid AND u.share))
        """
    )
