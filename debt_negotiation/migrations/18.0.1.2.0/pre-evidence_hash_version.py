# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""18.0.1.2.0: each evidence entry records the version of the content it
sealed (``hash_version``). The entries sealed before were sealed under
version 1 (an interaction's seal did not cover who recorded it): they say
so, and keep verifying against that content."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("SELECT to_regclass('debt_negotiation_evidence')")
    if not cr.fetchone()[0]:
        return  # the chain arrives with this upgrade (18.0.1.1.0)
    cr.execute(
        "ALTER TABLE debt_negotiation_evidence "
        "ADD COLUMN IF NOT EXISTS hash_version integer"
    )
    cr.execute(
        "UPDATE debt_negotiation_evidence SET hash_version = 1 "
        "WHERE hash_version IS NULL"
    )
