# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Retention of personal data: the personal details of a consumer's closed
case are anonymised after the company's retention period, and the evidence
chain records it (what was removed, and when) instead of breaking."""

import json
import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import split_every

from ..tools import evidence
from ..tools import legal as legal_rules
from .debt_negotiation_evidence_mixin import EVIDENCE_VERSION
from .workflow import internal, is_privileged

_logger = logging.getLogger(__name__)

# Cases anonymised per transaction by the scheduled action.
RETENTION_BATCH_SIZE = 100


class DebtNegotiationAnonymisation(models.Model):
    """The record of one anonymisation, sealed in the case's chain: which
    documents lost which personal details, on which day, and the content
    hash of each document before and after. A document anonymised this way
    verifies against its original seal (see ``_evidence_current_hash``)."""

    _name = "debt.negotiation.anonymisation"
    _inherit = ["debt.negotiation.evidence.mixin"]
    _description = "Debt Negotiation Anonymisation"
    _order = "id"

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
    date = fields.Date(required=True, readonly=True)
    removed = fields.Text(
        string="What Was Removed",
        required=True,
        readonly=True,
        help="JSON: for each document, the fields emptied and its content "
        "hash before and after.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_privileged(self):
            raise UserError(
                self.env._("An anonymisation is recorded only by the retention job.")
            )
        return super().create(vals_list)

    def write(self, vals):
        if self:
            raise UserError(
                self.env._("The record of an anonymisation is never changed.")
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        raise UserError(self.env._("The record of an anonymisation is never changed."))

    def _evidence_description(self):
        self.ensure_one()
        return self.env._("Personal details anonymised (retention period)")

    def _evidence_user(self):
        self.ensure_one()
        return self.create_uid

    def _evidence_payload(self, version=EVIDENCE_VERSION):
        self.ensure_one()
        return {
            "case": self.negotiation_id.id,
            "date": self.date,
            "removed": self.removed,
        }

    @api.model
    def _redaction_of(self, document):
        """What the anonymisation of ``document`` recorded
        (``{"reference", "fields", "original_hash", "redacted_hash"}``), or
        None when it was never anonymised."""
        case = document._evidence_case()
        if not case:
            return None
        reference = document._evidence_reference()
        for record in self.sudo().search([("negotiation_id", "=", case.id)]):
            for item in json.loads(record.removed or "[]"):
                if item.get("reference") == reference:
                    return item
        return None


class DebtNegotiation(models.Model):
    _inherit = "debt.negotiation"  # pylint: disable=consider-merging-classes-inherited

    closed_date = fields.Date(
        compute="_compute_closed_date",
        store=True,
        help="When the case was settled or cancelled (its retention period "
        "runs from then).",
    )
    anonymised_date = fields.Date(
        string="Anonymised On",
        readonly=True,
        copy=False,
        help="When the personal details of its interactions and letters were "
        "removed, at the end of the retention period.",
    )

    @api.depends("state")
    def _compute_closed_date(self):
        today = fields.Date.context_today(self)
        for case in self:
            if case.state not in ("settled", "cancelled"):
                case.closed_date = False
            elif not case.closed_date:
                case.closed_date = today

    @api.model
    def _cron_anonymise_closed_cases(self):
        """The scheduled retention job: the consumers' cases settled or
        cancelled more than their company's retention period ago get their
        personal details anonymised, by batches (Odoo's cron commits the
        call), each case on its own (a failure is noted on it, the others
        are done);
        the same result whoever runs it, and nothing done twice."""
        today = fields.Date.context_today(self)
        Case = self.sudo()
        due = self.env["debt.negotiation"]
        for company in self.env["res.company"].sudo().search([]):
            years = company.negotiation_retention_years
            if not years:
                continue
            due |= Case.search(
                [
                    ("company_id", "=", company.id),
                    ("state", "in", ("settled", "cancelled")),
                    ("anonymised_date", "=", False),
                    ("closed_date", "!=", False),
                    ("closed_date", "<=", today - relativedelta(years=years)),
                    ("partner_id.negotiation_debtor_type", "=", "consumer"),
                ]
            )

        def note_failure(case, error):
            _logger.info("Anonymisation of %s failed: %s", case.name, error)
            case.message_post(
                body=self.env._(
                    "The personal details could not be anonymised: %(error)s",
                    error=str(error),
                )
            )

        Run = self.env["debt.negotiation.run"]
        for batch in split_every(RETENTION_BATCH_SIZE, due.ids, Case.browse):
            # the scheduled runs' isolation: the batch in a savepoint, else
            # case by case, a failing case noted on it
            Run._isolated(
                batch,
                lambda cases: [case._anonymise(today) for case in cases],
                note_failure,
                label="Anonymisation",
            )
            self.env.invalidate_all()
        return True

    def _anonymise(self, today):
        """Remove the personal details of the case's interactions (who, what
        was said) and letters (the PDF, replaced by a page saying so), then
        seal the record of it in the chain."""
        self.ensure_one()
        entries = {
            entry._chain_reference(): entry
            for entry in self.env["debt.negotiation.evidence"]
            .sudo()
            .search([("negotiation_id", "=", self.id)])
        }
        note = self.env._("Anonymised on %(date)s (retention period).", date=today)
        case = self.sudo().with_context(active_test=False)
        changes = []
        for interaction in case.interaction_ids:
            changes.append(
                (
                    interaction,
                    ["contact_name", "summary"],
                    # no tracking: the old values would stay in the chatter
                    lambda doc: internal(doc.with_context(mail_notrack=True)).write(
                        {"contact_name": False, "summary": note}
                    ),
                )
            )
        for letter in case.letter_ids.filtered("attachment_id"):
            changes.append(
                (
                    letter,
                    ["document"],
                    lambda doc: doc.attachment_id.sudo().write(
                        {"raw": legal_rules.placeholder_pdf(note)}
                    ),
                )
            )
        removed = []
        for document, names, redact in changes:
            document = document.sudo().with_context(bin_size=False)
            entry = entries.get(document._evidence_reference())
            version = entry.hash_version if entry else EVIDENCE_VERSION
            redact(document)
            document.invalidate_recordset()
            removed.append(
                {
                    "reference": document._evidence_reference(),
                    "fields": names,
                    "original_hash": entry.content_hash if entry else None,
                    "redacted_hash": evidence.content_hash(
                        document._evidence_payload(version)
                    ),
                }
            )
        record = internal(self.env["debt.negotiation.anonymisation"]).create(
            {
                "negotiation_id": self.id,
                "date": today,
                "removed": json.dumps(removed, sort_keys=True),
            }
        )
        record._evidence_seal()
        internal(self).write({"anonymised_date": today})
        self.message_post(
            body=self.env._(
                "Personal details anonymised at the end of the retention "
                "period: %(count)s documents; the evidence chain records it.",
                count=len(removed),
            )
        )
        return record
