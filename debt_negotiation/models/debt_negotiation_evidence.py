# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools import evidence
from .debt_negotiation_evidence_mixin import (
    EVIDENCE_VERSION,
    PENDING_SEALS_KEY,
    PendingSeals,
    pending_seals,
)


class DebtNegotiationEvidence(models.Model):
    """One entry of a case's evidence chain: the SHA-256 of a piece of
    evidence (an interaction, a letter's PDF, a signed agreement) as it was
    when it was recorded, linked to the previous entry of the case (see
    ``tools/evidence.py``). Entries are written once, by the addon, and
    never changed or deleted."""

    _name = "debt.negotiation.evidence"
    _description = "Debt Negotiation Evidence Entry"
    _order = "negotiation_id, sequence"
    _rec_name = "description"

    negotiation_id = fields.Many2one(
        "debt.negotiation",
        string="Case",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="negotiation_id.company_id", store=True, index=True, precompute=True
    )
    sequence = fields.Integer(required=True, readonly=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document", model_field="res_model", required=True, readonly=True
    )
    description = fields.Char(readonly=True)
    date = fields.Datetime(
        string="Recorded On",
        required=True,
        readonly=True,
        help="When the document was sealed in the chain.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        readonly=True,
        help="Who created the document (the scheduler for automatic letters).",
    )
    content_hash = fields.Char(
        string="Content SHA-256",
        required=True,
        readonly=True,
        help="SHA-256 of the document's content when it was recorded.",
    )
    hash_version = fields.Integer(
        string="Seal Version",
        required=True,
        readonly=True,
        default=1,
        help="Version of the content the seal covers: the document is "
        "checked against the content of this version, so seals made before "
        "an upgrade keep verifying after it.",
    )
    previous_hash = fields.Char(string="Previous Entry SHA-256", readonly=True)
    entry_hash = fields.Char(
        string="Entry SHA-256",
        required=True,
        readonly=True,
        help="SHA-256 covering this entry and the previous one: changing or "
        "removing an entry breaks every link after it.",
    )

    _sql_constraints = [
        (
            "sequence_unique",
            "UNIQUE(negotiation_id, sequence)",
            "An evidence entry's position in its case's chain is unique.",
        )
    ]

    # ------------------------------------------------------------------
    # CRUD METHODS
    # ------------------------------------------------------------------
    def write(self, vals):
        if self:
            raise UserError(
                self.env._(
                    "The evidence chain of a case is never changed once written."
                )
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(
            self.env._("The evidence chain of a case is never changed once written.")
        )

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _chain_reference(self):
        self.ensure_one()
        return f"{self.res_model},{self.res_id}"

    @api.model
    def _current_hash_version(self):
        """The version of the content new entries seal."""
        return EVIDENCE_VERSION

    @api.model
    def _append(self, documents):
        """Seal ``documents`` (records of one model inheriting
        ``debt.negotiation.evidence.mixin``) at the end of their cases'
        chains, in id order. The cases' rows are locked first, so two
        transactions sealing on the same case chain one after the other."""
        documents = documents.sudo().with_context(bin_size=False)
        by_case = defaultdict(list)
        for document in documents.sorted("id"):
            case = document._evidence_case()
            if case:
                by_case[case.id].append(document)
        if not by_case:
            return self.browse()
        case_ids = sorted(by_case)
        Case = self.env["debt.negotiation"]
        heads, companies = self._lock_heads(case_ids)
        now = fields.Datetime.now()
        version = self._current_hash_version()
        vals_list = []
        for case_id in case_ids:
            sequence, previous = heads.get(case_id, (0, ""))
            records = [
                (
                    document._evidence_reference(),
                    document._evidence_payload(version),
                    now,
                )
                for document in by_case[case_id]
            ]
            entries = evidence.chain(records, previous, sequence, version)
            for document, entry in zip(by_case[case_id], entries, strict=True):
                vals_list.append(
                    {
                        "negotiation_id": case_id,
                        "sequence": entry["sequence"],
                        "res_model": document._name,
                        "res_id": document.id,
                        "description": document._evidence_description(),
                        "date": now,
                        "user_id": document._evidence_user().id,
                        "content_hash": entry["content_hash"],
                        "hash_version": version,
                        "previous_hash": entry["previous_hash"],
                        "entry_hash": entry["entry_hash"],
                    }
                )
        entries = self._insert_entries(vals_list, companies, now)
        last = {entry["negotiation_id"]: entry for entry in vals_list}
        self.env.cr.execute(
            SQL(
                "UPDATE debt_negotiation AS c SET evidence_sequence = v.seq, "
                "evidence_head_hash = v.head FROM (VALUES %s) AS v(id, seq, head) "
                "WHERE c.id = v.id",
                SQL(", ").join(
                    SQL("(%s, %s, %s)", case_id, vals["sequence"], vals["entry_hash"])
                    for case_id, vals in last.items()
                ),
            )
        )
        Case.browse(case_ids).invalidate_recordset(["evidence_ids"])
        Case.invalidate_model(["evidence_sequence", "evidence_head_hash"])
        return entries

    def _lock_heads(self, case_ids):
        """Lock the cases ``case_ids`` and read the heads of their chains:
        ``({case id: (sequence, head hash)}, {case id: company id})``."""
        # The head of each chain is kept on its case: reading it locks the
        # case, and writing it makes a transaction that sealed on the same
        # case meanwhile a serialization failure (retried), never a fork.
        # (the chain's head is written only by _append, in SQL)
        self.env["debt.negotiation"].flush_model(["company_id"])
        self.env.cr.execute(
            SQL(
                "SELECT id, evidence_sequence, evidence_head_hash, company_id "
                "FROM debt_negotiation WHERE id IN %s ORDER BY id "
                "FOR NO KEY UPDATE",
                tuple(case_ids),
            )
        )
        heads, companies = {}, {}
        for case_id, seq, digest, company_id in self.env.cr.fetchall():
            heads[case_id] = (seq or 0, digest or "")
            companies[case_id] = company_id
        return heads, companies

    def _insert_entries(self, vals_list, companies, now):
        """Insert the chain entries ``vals_list`` (of cases of
        ``companies``: ``{case id: company id}``) at ``now``; return them."""
        # one statement for the whole batch (the ORM inserts 100 rows a
        # query); the entries are the addon's own, never a client's
        uid = self.env.uid
        columns = (
            "negotiation_id",
            "company_id",
            "sequence",
            "res_model",
            "res_id",
            "description",
            "date",
            "user_id",
            "content_hash",
            "hash_version",
            "previous_hash",
            "entry_hash",
            "create_uid",
            "create_date",
            "write_uid",
            "write_date",
        )
        self.env.cr.execute(
            SQL(
                "INSERT INTO debt_negotiation_evidence (%s) VALUES %s RETURNING id",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(
                    SQL(
                        "(%s)",
                        SQL(", ").join(
                            (
                                vals["negotiation_id"],
                                companies[vals["negotiation_id"]],
                                vals["sequence"],
                                vals["res_model"],
                                vals["res_id"],
                                vals["description"],
                                now,
                                vals["user_id"] or None,
                                vals["content_hash"],
                                vals["hash_version"],
                                vals["previous_hash"] or None,
                                vals["entry_hash"],
                                uid,
                                now,
                                uid,
                                now,
                            )
                        ),
                    )
                    for vals in vals_list
                ),
            )
        )
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _seal_deferred(self, records):
        """``records`` whose documents are sealed when
        :meth:`_seal_pending` runs (the end of a scheduler's batch, in the
        same transaction): one append for the whole batch."""
        if pending_seals(records.env) is not None:
            return records
        return records.with_context(**{PENDING_SEALS_KEY: PendingSeals()})

    @api.model
    def _seal_pending(self):
        """Seal the documents collected in this environment so far."""
        pending = pending_seals(self.env)
        entries = self.browse()
        if not pending:
            return entries
        collected = list(pending.items())
        pending.clear()
        for model, ids in collected:
            entries |= self._append(self.env[model].browse(ids))
        return entries

    def _as_chain_entries(self):
        return [
            {
                "sequence": entry.sequence,
                "reference": entry._chain_reference(),
                "content_hash": entry.content_hash,
                "previous_hash": entry.previous_hash or "",
                "entry_hash": entry.entry_hash,
                "date": entry.date,
                "version": entry.hash_version or 1,
            }
            for entry in self
        ]

    def _reason_label(self, reason):
        return {
            evidence.INTACT: self.env._("verified"),
            evidence.CONTENT_CHANGED: self.env._(
                "the document was changed after it was recorded"
            ),
            evidence.RECORD_MISSING: self.env._(
                "the document was removed after it was recorded"
            ),
            evidence.ENTRY_ALTERED: self.env._("the entry itself was altered"),
            evidence.LINK_BROKEN: self.env._(
                "the entry does not follow the previous one (an entry was "
                "altered or removed)"
            ),
            evidence.ENTRY_MISSING: self.env._("an entry before it was removed"),
        }[reason]
