# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
from odoo import api, fields, models

from ..tools import evidence
from .workflow import ContextCollector

# Context key: the documents to seal at the end of a batch (see
# debt.negotiation.evidence._seal_deferred).
PENDING_SEALS_KEY = "debt_negotiation_pending_seals"

# The version of what the seals cover, recorded on each chain entry
# (``hash_version``, as account records the version of its move hashes): a
# document is always checked against the content of its own entry's
# version, so a seal that covers more from one version on never turns the
# chains sealed before into "changed".
#   1: the first seals (18.0.1.1.0);
#   2: an interaction's seal also covers who recorded it (its creator), a
#      signed agreement's the signer's IP address and browser.
EVIDENCE_VERSION = 2


class PendingSeals(ContextCollector, dict):
    """``{model: [ids]}`` to seal later. Only this type is honoured: a client
    can send a plain dict in its context, never this type, so an RPC call
    cannot keep a document out of the chain."""


def pending_seals(env):
    """The documents waiting to be sealed in ``env``, or None."""
    value = env.context.get(PENDING_SEALS_KEY)
    return value if isinstance(value, PendingSeals) else None


class DebtNegotiationEvidenceMixin(models.AbstractModel):
    """A document that is evidence of a negotiation (like ``mail.thread.cc``
    adds a technique to the models that want it): sealed in its case's
    chain when it is recorded, and checked against it in the dossier.
    Models say what their content is (:meth:`_evidence_payload`) and when
    they are recorded (they call :meth:`_evidence_seal`)."""

    _name = "debt.negotiation.evidence.mixin"
    _description = "Debt Negotiation Evidence Document"

    evidence_hash = fields.Char(
        string="Evidence SHA-256",
        compute="_compute_evidence_hash",
        help="SHA-256 of the content as it was recorded in the case's "
        "evidence chain (empty while not recorded yet).",
    )

    def _compute_evidence_hash(self):
        entries = self.env["debt.negotiation.evidence"].sudo()
        if self.ids:
            entries = entries.search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids)],
                order="sequence",
            )
        hashes = {entry.res_id: entry.content_hash for entry in entries}
        for document in self:
            document.evidence_hash = hashes.get(document.id, False)

    def _evidence_case(self):
        self.ensure_one()
        return self.negotiation_id

    def _evidence_reference(self):
        self.ensure_one()
        return f"{self._name},{self.id}"

    def _evidence_description(self):
        self.ensure_one()
        return self.display_name

    def _evidence_user(self):
        self.ensure_one()
        return self.create_uid

    def _evidence_payload(self, version=EVIDENCE_VERSION):
        """The content the seal covers: a dict of JSON values, dates and
        bytes (sealed as their SHA-256). Only what the document says, never
        what may legitimately change later (sending state, payments).

        :param version: the version of the content (see
            :data:`EVIDENCE_VERSION`): that of the entry being sealed or
            checked; what a version covers never changes."""
        raise NotImplementedError()

    def _evidence_current_hash(self, version):
        """The content hash of the document as it is now, for its seal of
        ``version``. A document anonymised by the retention job and left as
        the job left it verifies against its original seal: the record of
        the anonymisation, itself sealed in the chain, holds both hashes."""
        self.ensure_one()
        digest = evidence.content_hash(self._evidence_payload(version))
        if not self._evidence_case().sudo().anonymised_date:
            return digest
        redaction = self.env["debt.negotiation.anonymisation"]._redaction_of(self)
        if (
            redaction
            and redaction.get("original_hash")
            and redaction.get("redacted_hash") == digest
        ):
            return redaction["original_hash"]
        return digest

    def _evidence_seal(self):
        """Record the documents of ``self`` in their cases' chains (in a
        batch of the scheduler, when it ends: see
        ``debt.negotiation.evidence._seal_deferred``)."""
        pending = pending_seals(self.env)
        if pending is not None:
            pending.setdefault(self._name, []).extend(self.ids)
            return self.env["debt.negotiation.evidence"]
        return self.env["debt.negotiation.evidence"]._append(self)

    def _evidence_signatures(self):
        """The signature part of a signed document's content (agreements
        and their letters): who signed on both sides, when, and the drawn
        signatures (sealed as their SHA-256)."""
        self.ensure_one()
        return {
            "signed_by": self.signed_by or "",
            "signed_on": self.signed_on or False,
            "signature": self.signature or b"",
            "creditor_signed_by": self.creditor_signed_by or "",
            "creditor_signature": self.creditor_signature or b"",
        }

    @api.model
    def _evidence_amount(self, amount, currency):
        """An amount as sealed: text at the currency's precision (a float
        read back from the database is the same number)."""
        return format(currency.round(amount or 0.0), f".{currency.decimal_places}f")
