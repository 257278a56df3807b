# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import base64
import csv
import datetime
import functools
import io
import json
import re
import zipfile
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_date, format_datetime
from odoo.tools.mimetypes import get_extension, guess_mimetype

from ..const import MANAGER_GROUP
from ..tools import evidence

SUMMARY_REPORT = "debt_negotiation.action_report_evidence_summary"
# Where the letters, agreements and invoices go in the archive.
LETTERS_DIR = "letters"
AGREEMENTS_DIR = "agreements"
INVOICES_DIR = "invoices"


# Report data key: the files and chain check a dossier already computed.
SUMMARY_INPUTS_KEY = "debt_negotiation_evidence"


def _timeline_event(env, events, when, kind, what, who="", date_only=False):
    """Add an event to a case's timeline ``events`` (see
    ``_evidence_timeline``): a date shown as a date, a datetime as one."""
    if not when:
        return
    if not isinstance(when, datetime.datetime):
        when = datetime.datetime.combine(when, datetime.time.min)
        date_only = True
    events.append(
        {
            "date": when,
            "shown": format_date(env, when.date())
            if date_only
            else format_datetime(env, when, dt_format="short"),
            "kind": kind,
            "what": what,
            "who": who or "",
        }
    )


class SummaryInputs(dict):
    """``{case id: {"files": ..., "check": ...}}`` computed by the dossier.
    Only this type is honoured: report data sent by a client is JSON, never
    this type, so it cannot make a summary print other hashes."""


def _slug(text):
    return re.sub(r"[^\w.-]+", "_", text or "").strip("_") or "file"


class DebtNegotiation(models.Model):
    """The evidence of a case, assembled for a collection agency, a lawyer
    or a court: the chain that proves its record unchanged, and the
    dossier (a ZIP of every letter as sent, the signed agreements, the
    logs, a readable summary and a manifest of SHA-256 hashes)."""

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
        """The evidence dossier of the case as the bytes of a ZIP archive:
        every letter's stored PDF byte for byte, the signed agreements (the
        agreement letter with the signatures, the drawn signatures, the
        countersigned copy), the invoices' PDFs, the interaction log, the
        offers and the payments as CSV, the summary PDF and
        ``manifest.json`` with the SHA-256 of every other file."""
        self.ensure_one()
        self._check_evidence_access()
        files = self._evidence_files()
        check = self._evidence_check()
        summary, summary_type = self._evidence_summary_document(files, check)
        files.append(
            {
                "file": f"summary.{'pdf' if summary_type == 'pdf' else 'html'}",
                "content": summary,
                "description": self.env._("Summary of the case and its evidence"),
            }
        )
        manifest = self._evidence_manifest(files, check)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in files:
                archive.writestr(item["file"], item["content"])
            archive.writestr(
                "manifest.json",
                json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
            )
        return buffer.getvalue()

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
                        _slug(self.env._("Evidence dossier %(case)s", case=self.name)),
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

    def _evidence_files(self):
        """The files of the dossier but the summary and the manifest, in
        archive order: ``[{"file", "content", "description"}]``. The same
        record always gives the same files (the summary lists their
        hashes)."""
        self.ensure_one()
        case = self.sudo().with_context(bin_size=False, active_test=False)
        files = []
        for letter in case.letter_ids.filtered("attachment_id").sorted(
            lambda lt: (lt.date, lt.id)
        ):
            attachment = letter.attachment_id
            extension = get_extension(attachment.name or "") or ".pdf"
            files.append(
                {
                    "file": f"{LETTERS_DIR}/{letter.date}_{letter.id}_"
                    f"{_slug(letter.letter_type)}{extension}",
                    "content": attachment.raw,
                    "description": self._evidence_letter_description(letter),
                }
            )
        files += self._evidence_agreement_files()
        for invoice in case.invoice_ids.sorted(lambda m: (m.invoice_date, m.id)):
            pdf = invoice.invoice_pdf_report_id
            if pdf and pdf.raw:
                files.append(
                    {
                        "file": f"{INVOICES_DIR}/{_slug(invoice.name)}.pdf",
                        "content": pdf.raw,
                        "description": self.env._(
                            "Invoice %(invoice)s as sent", invoice=invoice.name
                        ),
                    }
                )
        files += [
            {
                "file": "interactions.csv",
                "content": self._evidence_csv(*self._evidence_interaction_rows()),
                "description": self.env._("The log of every interaction"),
            },
            {
                "file": "offers.csv",
                "content": self._evidence_csv(*self._evidence_offer_rows()),
                "description": self.env._("Every offer and counter-offer"),
            },
            {
                "file": "payments.csv",
                "content": self._evidence_csv(*self._evidence_payment_rows()),
                "description": self.env._(
                    "The payments and credit notes applied to the invoices"
                ),
            },
        ]
        for item in files:
            item["sha256"] = evidence.sha256(item["content"])
            item["size"] = len(item["content"])
        return files

    def _evidence_agreement_files(self):
        """The dossier's files of the case's agreements: the drawn
        signatures and the countersigned copy (see :meth:`_evidence_files`)."""
        files = []
        for agreement in self._evidence_documents()[2].sorted("id"):
            kind = _slug(agreement.offer_id.offer_type)
            prefix = f"{AGREEMENTS_DIR}/{agreement.id}_{kind}"
            for field_name, label in (
                ("signature", self.env._("The debtor's drawn signature")),
                (
                    "creditor_signature",
                    self.env._("The creditor's drawn signature"),
                ),
            ):
                if agreement[field_name]:
                    image = base64.b64decode(agreement[field_name])
                    extension = _image_extension(image)
                    files.append(
                        {
                            "file": f"{prefix}_{field_name}{extension}",
                            "content": image,
                            "description": f"{label} ({agreement.display_name})",
                        }
                    )
            if agreement.signed_copy_id:
                copy = agreement.signed_copy_id
                files.append(
                    {
                        "file": "{}_signed_copy{}".format(
                            prefix, get_extension(copy.name or "") or ".pdf"
                        ),
                        "content": copy.raw,
                        "description": self.env._(
                            "The countersigned copy received (%(agreement)s)",
                            agreement=agreement.display_name,
                        ),
                    }
                )
        return files

    def _evidence_letter_description(self, letter):
        channel = self._selection_label(letter, "channel")
        if letter.sent_date:
            return self.env._(
                "%(letter)s of %(date)s, sent by %(channel)s on %(sent)s",
                letter=letter.name,
                date=format_date(self.env, letter.date),
                channel=channel,
                sent=format_date(self.env, letter.sent_date.date()),
            )
        return self.env._(
            "%(letter)s of %(date)s, to send by %(channel)s",
            letter=letter.name,
            date=format_date(self.env, letter.date),
            channel=channel,
        )

    def _evidence_manifest(self, files, check):
        self.ensure_one()
        return {
            "case": self.name,
            "case_id": self.id,
            "company": self.company_id.name,
            "debtor": self.partner_id.commercial_partner_id.display_name,
            "created": fields.Datetime.now().isoformat(sep=" ") + " UTC",
            "created_by": self.env.user.name,
            "limitation_date": fields.Date.to_string(self.limitation_date) or None,
            "chain": {
                "entries": len(check["entries"]),
                "verified": check["verified"],
                "status": check["status"],
                "head_sha256": check["head"],
            },
            "files": [
                {
                    "file": item["file"],
                    "sha256": item.get("sha256") or evidence.sha256(item["content"]),
                    "size": len(item["content"]),
                    "description": item["description"],
                }
                for item in files
            ],
        }

    def _evidence_summary_document(self, files, check):
        """``(content, report type)`` of the summary report of the case,
        printing the dossier's ``files`` and chain ``check`` (not computed
        again)."""
        self.ensure_one()
        computed = SummaryInputs({self.id: {"files": files, "check": check}})
        return (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                SUMMARY_REPORT, res_ids=self.ids, data={SUMMARY_INPUTS_KEY: computed}
            )
        )

    # ------------------------------------------------------------------
    # BUSINESS METHODS: the logs as CSV
    # ------------------------------------------------------------------
    @staticmethod
    def _evidence_csv(header, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        # with a BOM, spreadsheets open the UTF-8 text as such
        return ("\ufeff" + buffer.getvalue()).encode()

    def _selection_label(self, record, field_name):
        value = record[field_name]
        if not value:
            return ""
        return dict(record._fields[field_name]._description_selection(self.env)).get(
            value, value
        )

    def _evidence_interaction_rows(self):
        self.ensure_one()
        Interaction = self.env["debt.negotiation.interaction"]
        header = (
            [
                Interaction._fields[name]._description_string(self.env)
                for name in ("date",)
            ]
            + [self.env._("Logged On")]
            + [
                Interaction._fields[name]._description_string(self.env)
                for name in (
                    "channel",
                    "direction",
                    "contact_name",
                    "summary",
                    "outcome",
                    "user_id",
                    "promise_date",
                    "promise_amount",
                )
            ]
            + [self.env._("Evidence SHA-256")]
        )
        interactions = self.sudo().interaction_ids.sorted(lambda i: (i.date, i.id))
        rows = [
            [
                fields.Datetime.to_string(i.date) + " UTC",
                fields.Datetime.to_string(i.create_date) + " UTC",
                self._selection_label(i, "channel"),
                self._selection_label(i, "direction"),
                i.contact_name or "",
                i.summary or "",
                self._selection_label(i, "outcome"),
                i.user_id.name or "",
                fields.Date.to_string(i.promise_date) if i.promise_date else "",
                self._csv_amount(i.promise_amount) if i.promise_date else "",
                i.evidence_hash or "",
            ]
            for i in interactions
        ]
        return header, rows

    def _evidence_offer_rows(self):
        self.ensure_one()
        Offer = self.env["debt.negotiation.offer"]
        names = (
            "create_date",
            "origin",
            "offer_type",
            "amount",
            "down_payment",
            "installment_count",
            "interval",
            "first_due_date",
            "expiry_date",
            "state",
            "create_uid",
        )
        header = [Offer._fields[name]._description_string(self.env) for name in names]
        rows = []
        for offer in self.sudo().offer_ids.sorted(lambda o: (o.create_date, o.id)):
            plan = offer.offer_type == "payment_plan"
            rows.append(
                [
                    fields.Datetime.to_string(offer.create_date) + " UTC",
                    self._selection_label(offer, "origin"),
                    self._selection_label(offer, "offer_type"),
                    self._csv_amount(offer.amount),
                    self._csv_amount(offer.down_payment),
                    offer.installment_count if plan else "",
                    self._selection_label(offer, "interval") if plan else "",
                    fields.Date.to_string(offer.first_due_date)
                    if offer.first_due_date
                    else "",
                    fields.Date.to_string(offer.expiry_date)
                    if offer.expiry_date
                    else "",
                    self._selection_label(offer, "state"),
                    offer.create_uid.name or "",
                ]
            )
        return header, rows

    def _evidence_payments(self):
        """What settled the case's invoices, oldest first: ``[{date,
        invoice, document, kind, amount}]`` (amount in the invoice's
        currency)."""
        self.ensure_one()
        partials = self._settlement_partials(
            self.sudo().invoice_ids, order="max_date, id"
        )
        payments = []
        for partial in partials:
            source = partial.credit_move_id.move_id
            if source.move_type == "out_refund":
                kind = self.env._("Credit note")
            elif source.origin_payment_id or source.statement_line_id:
                kind = self.env._("Payment")
            else:
                kind = self.env._("Other entry")
            payments.append(
                {
                    "date": partial.max_date,
                    "invoice": partial.debit_move_id.move_id,
                    "document": source,
                    "kind": kind,
                    "amount": partial.debit_amount_currency,
                    "currency": partial.debit_currency_id,
                }
            )
        return payments

    def _evidence_payment_rows(self):
        header = [
            self.env._("Date"),
            self.env._("Invoice"),
            self.env._("Paid with"),
            self.env._("Kind"),
            self.env._("Amount"),
            self.env._("Currency"),
        ]
        rows = [
            [
                fields.Date.to_string(p["date"]),
                p["invoice"].name,
                p["document"].name,
                p["kind"],
                self._csv_amount(p["amount"], p["currency"]),
                p["currency"].name,
            ]
            for p in self._evidence_payments()
        ]
        return header, rows

    def _csv_amount(self, amount, currency=None):
        # amounts are written as they are sealed: text at the currency's
        # precision
        return self.env["debt.negotiation.evidence.mixin"]._evidence_amount(
            amount, currency or self.currency_id
        )

    # ------------------------------------------------------------------
    # BUSINESS METHODS: the summary report
    # ------------------------------------------------------------------
    def _evidence_summary_values(self, files=None, check=None):
        """What the summary report prints: the invoices, the timeline, the
        chain check and the files of the dossier with their SHA-256
        (``files`` and ``check``: already computed by the dossier)."""
        self.ensure_one()
        case = self.sudo().with_context(active_test=False)
        return {
            "invoices": case.invoice_ids.sorted(lambda m: (m.invoice_date_due, m.id)),
            "timeline": self._evidence_timeline(),
            "check": check or self._evidence_check(),
            "files": files if files is not None else self._evidence_files(),
            "agreements": self._evidence_documents()[2],
        }

    def _evidence_timeline(self):
        """Every event of the case, oldest first: ``[{"date": datetime,
        "shown": text, "kind", "what", "who"}]``: opening, interactions,
        letters (generated and sent), offers, agreements, installments
        due, payments, promises, state changes (disputes, escalation) and
        the hand-over."""
        self.ensure_one()
        env = self.env
        case = self.sudo().with_context(active_test=False)
        events = []
        add = functools.partial(_timeline_event, env, events)
        add(
            case.create_date,
            env._("Case"),
            env._("Case %(case)s opened", case=case.name),
            case.create_uid.name,
        )
        self._timeline_documents(case, add)
        self._timeline_agreements(case, add)
        self._timeline_money(case, add)
        return sorted(events, key=lambda event: event["date"])

    def _timeline_documents(self, case, add):
        """Add the interactions, letters and offers of ``case`` to the
        timeline (see :meth:`_evidence_timeline`)."""
        env = self.env
        for interaction in case.interaction_ids:
            what = interaction._timeline_text()
            add(
                interaction.date,
                "{}: {} / {}".format(
                    env._("Interaction"),
                    self._selection_label(interaction, "channel"),
                    self._selection_label(interaction, "direction"),
                ),
                "{} [{}]".format(what, self._selection_label(interaction, "outcome")),
                interaction.user_id.name,
            )
        for letter in case.letter_ids:
            add(
                letter.create_date,
                env._("Letter"),
                env._(
                    "%(letter)s generated (%(channel)s)",
                    letter=letter.name,
                    channel=self._selection_label(letter, "channel"),
                ),
                letter.create_uid.name,
            )
            if letter.sent_date:
                add(
                    letter.sent_date,
                    env._("Letter"),
                    env._("%(letter)s sent", letter=letter.name),
                    letter.write_uid.name,
                )
        for offer in case.offer_ids:
            add(
                offer.create_date,
                env._("Offer"),
                env._(
                    "%(offer)s (%(origin)s), now %(state)s",
                    offer=offer.display_name,
                    origin=self._selection_label(offer, "origin"),
                    state=self._selection_label(offer, "state"),
                ),
                offer.create_uid.name,
            )

    def _timeline_agreements(self, case, add):
        """Add the agreements of ``case`` and their installments to the
        timeline (see :meth:`_evidence_timeline`)."""
        env = self.env
        for agreement in case.env["debt.negotiation.agreement"].search(
            [("negotiation_id", "=", case.id)]
        ):
            if agreement.signature_requested_on:
                add(
                    agreement.signature_requested_on,
                    env._("Agreement"),
                    env._(
                        "%(agreement)s sent for the debtor's signature",
                        agreement=agreement.display_name,
                    ),
                    agreement.create_uid.name,
                )
            if agreement.signed_on:
                add(
                    agreement.signed_on,
                    env._("Agreement"),
                    env._(
                        "%(agreement)s signed by %(who)s (%(mode)s), now %(state)s",
                        agreement=agreement.display_name,
                        who=agreement.signed_by or "",
                        mode=self._selection_label(agreement, "signature_mode"),
                        state=self._selection_label(agreement, "state"),
                    ),
                    agreement.creditor_signed_by or agreement.create_uid.name,
                )
            for installment in agreement._all_installments().sorted("sequence"):
                add(
                    installment.due_date,
                    env._("Installment"),
                    env._(
                        "%(name)s of %(amount)s due, %(state)s",
                        name=installment.name or "",
                        amount=case.currency_id.format(installment.amount),
                        state=self._selection_label(installment, "state"),
                    ),
                )

    def _timeline_money(self, case, add):
        """Add the payments, promises and status changes of ``case`` to the
        timeline (see :meth:`_evidence_timeline`)."""
        env = self.env
        for payment in self._evidence_payments():
            add(
                payment["date"],
                env._("Payment"),
                env._(
                    "%(kind)s %(document)s: %(amount)s on %(invoice)s",
                    kind=payment["kind"],
                    document=payment["document"].name,
                    amount=payment["currency"].format(payment["amount"]),
                    invoice=payment["invoice"].name,
                ),
            )
        for promise in case.promise_ids:
            add(
                promise.promised_on or promise.create_date,
                env._("Promise"),
                env._(
                    "Promise to pay %(amount)s by %(date)s, %(state)s",
                    amount=case.currency_id.format(promise.amount),
                    date=format_date(env, promise.date),
                    state=self._selection_label(promise, "state"),
                ),
                promise.create_uid.name,
            )
        for change in self._evidence_state_changes():
            add(change["date"], env._("Status"), change["what"], change["who"])

    def _evidence_state_changes(self):
        """The tracked changes of the case's status and stage (disputes,
        escalation, cancellation...) with who made them."""
        self.ensure_one()
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", self._name),
                    ("mail_message_id.res_id", "=", self.id),
                    ("field_id.name", "in", ("state", "stage_id")),
                ],
                order="id",
            )
        )
        changes = []
        for value in tracked:
            message = value.mail_message_id
            changes.append(
                {
                    "date": message.date,
                    "what": "{}: {} \u2192 {}".format(
                        value.field_id.field_description,
                        value.old_value_char or "",
                        value.new_value_char or "",
                    ),
                    "who": message.author_id.name or "",
                }
            )
        return changes


def _image_extension(image):
    mimetype = guess_mimetype(image, default="image/png")
    return {"image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}.get(
        mimetype, ".png"
    )
