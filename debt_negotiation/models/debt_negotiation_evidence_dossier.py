# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The evidence of a case: its chain (checked against its documents as
they are now), who may assemble its evidence, and the entry points of its
dossier, which the service ``debt.negotiation.dossier``
(debt_negotiation_dossier.py) assembles."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_datetime

from ..const import MANAGER_GROUP
from ..tools import evidence
from .debt_negotiation_dossier import slug


class DebtNegotiation(models.Model):
    """The evidence of a case, assembled for a collection agency, a lawyer
    or a court: the chain that proves its record unchanged, and the entry
    points of the dossier (a ZIP of every letter as sent, the signed
    agreements, the logs, a readable summary and a manifest of SHA-256
    hashes, assembled by ``debt.negotiation.dossier``)."""

    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    evidence_ids = fields.One2many(
        "debt.negotiation.evidence",
        "negotiation_id",
        string="Evidence Chain",
        readonly=True,
    )
    evidence_sequence = fields.Integer(
        string="Evidence Entries",
        readonly=True,
        copy=False,
        help="How many entries the case's evidence chain has.",
    )
    evidence_head_hash = fields.Char(
        string="Evidence Chain Head",
        readonly=True,
        copy=False,
        help="SHA-256 of the last entry of the case's evidence chain.",
    )
    evidence_allowed = fields.Boolean(
        compute="_compute_evidence_allowed",
        help="Whether the current user may assemble the case's evidence: "
        "managers and the case's negotiator.",
    )

    @api.depends_context("uid")
    @api.depends("user_id")
    def _compute_evidence_allowed(self):
        manager = self.env.user.has_group(MANAGER_GROUP)
        for case in self:
            case.evidence_allowed = manager or case.user_id == self.env.user

    # ------------------------------------------------------------------
    # ACTION METHODS
    # ------------------------------------------------------------------
    def action_evidence_dossier(self):
        """Assemble the evidence dossier, keep it on the case (noted in the
        chatter with its SHA-256) and download it."""
        self.ensure_one()
        attachment = self._evidence_dossier_attachment()
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }

    def action_verify_evidence(self):
        """Check the case's evidence chain now and say what was found."""
        self.ensure_one()
        self._check_evidence_access()
        check = self._evidence_check()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Evidence chain of %(case)s", case=self.name),
                "message": check["status"],
                "type": "success" if check["verified"] else "danger",
                "sticky": not check["verified"],
            },
        }

    # ------------------------------------------------------------------
    # BUSINESS METHODS: access
    # ------------------------------------------------------------------
    def _check_evidence_access(self):
        """The dossier holds the whole record of the case: only managers
        and the case's negotiator (and the scheduler) assemble it."""
        if self.env.is_superuser():
            return
        self.check_access("read")
        for case in self:
            if not case.evidence_allowed:
                raise AccessError(
                    self.env._(
                        "Only a negotiation manager or the negotiator of case "
                        "%(case)s can assemble its evidence.",
                        case=case.name,
                    )
                )

    # ------------------------------------------------------------------
    # BUSINESS METHODS: the chain
    # ------------------------------------------------------------------
    def _evidence_check(self):
        """Verify the case's chain against its documents as they are now.

        Returns a dict: ``entries`` (``[(entry, label)]`` in order, ``label``
        "verified" or why the entry fails), ``verified``, ``break`` (the
        first failing entry or an empty recordset), ``status`` (one
        sentence), ``unsealed`` (evidence documents of the case that are
        not in the chain) and ``head`` (hash of the last entry)."""
        self.ensure_one()
        Evidence = self.env["debt.negotiation.evidence"].sudo()
        entries = Evidence.search([("negotiation_id", "=", self.id)], order="sequence")
        current = self._evidence_current_hashes(entries)
        results = evidence.verify(entries._as_chain_entries(), current)
        labelled = [
            (entry, Evidence._reason_label(reason))
            for entry, (_vals, reason) in zip(entries, results, strict=True)
        ]
        broken = evidence.first_break(results)
        if not broken and (
            self.evidence_sequence != len(entries)
            or (entries[-1:].entry_hash or "") != (self.evidence_head_hash or "")
        ):
            # the chain was cut: its last entries are gone
            broken = (
                {"sequence": len(entries) + 1},
                evidence.ENTRY_MISSING,
            )
        unsealed = self._evidence_unsealed(entries)
        broken_entry, status = self._evidence_status(entries, broken)
        if unsealed:
            status = "{} {}".format(
                status,
                self.env._(
                    "%(count)s document(s) of the case are not in the chain "
                    "(recorded before the chain existed, or outside the "
                    "application).",
                    count=len(unsealed),
                ),
            )
        return {
            "entries": labelled,
            "verified": not broken,
            "break": broken_entry,
            "status": status,
            "unsealed": unsealed,
            "head": entries[-1:].entry_hash or "",
        }

    def _evidence_current_hashes(self, entries):
        """``{reference: hash}`` of the documents of the chain ``entries`` as
        they are now, each hashed as the version its entry sealed."""
        ids_by_model = defaultdict(list)
        versions = {}
        for entry in entries:
            ids_by_model[entry.res_model].append(entry.res_id)
            versions[entry._chain_reference()] = entry.hash_version or 1
        current = {}
        for model, ids in ids_by_model.items():
            documents = (
                self.env[model]
                .sudo()
                .with_context(bin_size=False, active_test=False)
                .browse(ids)
                .exists()
            )
            for document in documents:
                # the content of the version its entry sealed
                reference = document._evidence_reference()
                current[reference] = document._evidence_current_hash(
                    versions.get(reference, 1)
                )
        return current

    def _evidence_status(self, entries, broken):
        """``(first failing entry, sentence)`` of the chain ``entries``
        whose verification found ``broken`` (see :meth:`_evidence_check`)."""
        Evidence = self.env["debt.negotiation.evidence"].sudo()
        if broken and broken[0]["sequence"] > len(entries):
            broken_entry = Evidence
            status = self.env._(
                "Chain broken after entry %(sequence)s: the case recorded "
                "%(count)s entries; the last ones were removed.",
                sequence=len(entries),
                count=self.evidence_sequence,
            )
        elif broken:
            sequence = broken[0]["sequence"]
            broken_entry = entries.filtered(lambda e: e.sequence == sequence)[:1]
            status = self.env._(
                "Chain broken at entry %(sequence)s (%(document)s, recorded on "
                "%(date)s): %(reason)s.",
                sequence=sequence,
                document=broken_entry.description,
                date=format_datetime(self.env, broken_entry.date),
                reason=Evidence._reason_label(broken[1]),
            )
        elif entries:
            broken_entry = Evidence
            status = self.env._(
                "Verified: the %(count)s entries of the chain match the record "
                "as it is today.",
                count=len(entries),
            )
        else:
            broken_entry = Evidence
            status = self.env._("Nothing has been recorded in the chain yet.")
        return broken_entry, status

    def _evidence_documents(self):
        """The case's documents that are evidence, whatever their state:
        its interactions, its letters with their PDF, and its agreements
        that came into force."""
        self.ensure_one()
        case = self.sudo().with_context(active_test=False)
        agreements = (
            self.env["debt.negotiation.agreement"]
            .sudo()
            .search([("negotiation_id", "=", self.id), ("letter_id", "!=", False)])
        )
        return (
            case.interaction_ids,
            case.letter_ids.filtered("attachment_id"),
            agreements,
        )

    def _evidence_unsealed(self, entries):
        sealed = {(entry.res_model, entry.res_id) for entry in entries}
        unsealed = []
        for documents in self._evidence_documents():
            unsealed += [d for d in documents if (d._name, d.id) not in sealed]
        return unsealed

    # ------------------------------------------------------------------
    # BUSINESS METHODS: the dossier
    # ------------------------------------------------------------------
    def _get_evidence_dossier(self):
        """The evidence dossier of the case as the bytes of a ZIP archive
        (see ``debt.negotiation.dossier._content``), for the managers and
        the case's negotiator."""
        self.ensure_one()
        self._check_evidence_access()
        return self.env["debt.negotiation.dossier"]._content(self)

    def _evidence_dossier_attachment(self):
        """Assemble the dossier and keep it as an attachment of the case,
        noted in its chatter with its SHA-256 (what was handed over)."""
        self.ensure_one()
        content = self._get_evidence_dossier()
        today = fields.Date.context_today(self)
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": "{}_{}.zip".format(
                        slug(self.env._("Evidence dossier %(case)s", case=self.name)),
                        today,
                    ),
                    "raw": content,
                    "mimetype": "application/zip",
                    "res_model": self._name,
                    "res_id": self.id,
                }
            )
        )
        self.sudo().message_post(
            body=self.env._(
                "Evidence dossier assembled (SHA-256 %(sha)s).",
                sha=evidence.sha256(content),
            ),
            attachment_ids=attachment.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
            author_id=self.env.user.partner_id.id,
        )
        return attachment.with_env(self.env)
