# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""The evidence dossier as a service (as ``account.move.send`` is for
invoices): ``debt.negotiation.dossier`` assembles a case's dossier from the
case it is given, and holds no state. The case keeps its chain, the access
rule and its entry points (``_get_evidence_dossier``, the *Evidence
Dossier* button, in debt_negotiation_evidence_dossier.py)."""

import base64
import csv
import datetime
import functools
import io
import json
import re
import zipfile

from odoo import api, fields, models
from odoo.tools import format_date, format_datetime
from odoo.tools.mimetypes import get_extension, guess_mimetype

from ..tools import evidence

SUMMARY_REPORT = "debt_negotiation.action_report_evidence_summary"
# Where the letters, agreements and invoices go in the archive.
LETTERS_DIR = "letters"
AGREEMENTS_DIR = "agreements"
INVOICES_DIR = "invoices"

# Report data key: the files and chain check a dossier already computed.
SUMMARY_INPUTS_KEY = "debt_negotiation_evidence"


class SummaryInputs(dict):
    """``{case id: {"files": ..., "check": ...}}`` computed by the dossier.
    Only this type is honoured: report data sent by a client is JSON, never
    this type, so it cannot make a summary print other hashes."""


def slug(text):
    """``text`` as a file name."""
    return re.sub(r"[^\w.-]+", "_", text or "").strip("_") or "file"


def _timeline_event(env, events, when, kind, what, who="", date_only=False):
    """Add an event to a case's timeline ``events`` (see
    ``DebtNegotiationDossier._timeline``): a date shown as a date, a
    datetime as one."""
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


def _image_extension(image):
    mimetype = guess_mimetype(image, default="image/png")
    return {"image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp"}.get(
        mimetype, ".png"
    )


class DebtNegotiationDossier(models.AbstractModel):
    """The evidence dossier of a case, for a collection agency, a lawyer or
    a court: a ZIP of every letter as sent, the signed agreements, the
    invoices, the logs as CSV, a readable summary and a manifest of
    SHA-256 hashes. Every method takes the case it works on; who may
    assemble it is the case's rule (``_check_evidence_access``), checked by
    the case's entry points."""

    _name = "debt.negotiation.dossier"
    _description = "Evidence Dossier of a Negotiation Case"

    # ------------------------------------------------------------------
    # The archive
    # ------------------------------------------------------------------
    @api.model
    def _content(self, case):
        """The dossier of ``case`` as the bytes of a ZIP archive: every
        letter's stored PDF byte for byte, the signed agreements (the
        agreement letter with the signatures, the drawn signatures, the
        countersigned copy), the invoices' PDFs, the interaction log, the
        offers and the payments as CSV, the summary PDF and
        ``manifest.json`` with the SHA-256 of every other file."""
        case.ensure_one()
        files = self._files(case)
        check = case._evidence_check()
        summary, summary_type = self._summary_document(case, files, check)
        files.append(
            {
                "file": f"summary.{'pdf' if summary_type == 'pdf' else 'html'}",
                "content": summary,
                "description": self.env._("Summary of the case and its evidence"),
            }
        )
        manifest = self._manifest(case, files, check)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for item in files:
                archive.writestr(item["file"], item["content"])
            archive.writestr(
                "manifest.json",
                json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
            )
        return buffer.getvalue()

    @api.model
    def _files(self, case):
        """The files of the dossier but the summary and the manifest, in
        archive order: ``[{"file", "content", "description"}]``. The same
        record always gives the same files (the summary lists their
        hashes)."""
        case.ensure_one()
        case = case.sudo().with_context(bin_size=False, active_test=False)
        files = []
        for letter in case.letter_ids.filtered("attachment_id").sorted(
            lambda lt: (lt.date, lt.id)
        ):
            attachment = letter.attachment_id
            extension = get_extension(attachment.name or "") or ".pdf"
            files.append(
                {
                    "file": f"{LETTERS_DIR}/{letter.date}_{letter.id}_"
                    f"{slug(letter.letter_type)}{extension}",
                    "content": attachment.raw,
                    "description": self._letter_description(letter),
                }
            )
        files += self._agreement_files(case)
        for invoice in case.invoice_ids.sorted(lambda m: (m.invoice_date, m.id)):
            pdf = invoice.invoice_pdf_report_id
            if pdf and pdf.raw:
                files.append(
                    {
                        "file": f"{INVOICES_DIR}/{slug(invoice.name)}.pdf",
                        "content": pdf.raw,
                        "description": self.env._(
                            "Invoice %(invoice)s as sent", invoice=invoice.name
                        ),
                    }
                )
        files += [
            {
                "file": "interactions.csv",
                "content": self._csv(*self._interaction_rows(case)),
                "description": self.env._("The log of every interaction"),
            },
            {
                "file": "offers.csv",
                "content": self._csv(*self._offer_rows(case)),
                "description": self.env._("Every offer and counter-offer"),
            },
            {
                "file": "payments.csv",
                "content": self._csv(*self._payment_rows(case)),
                "description": self.env._(
                    "The payments and credit notes applied to the invoices"
                ),
            },
        ]
        for item in files:
            item["sha256"] = evidence.sha256(item["content"])
            item["size"] = len(item["content"])
        return files

    @api.model
    def _agreement_files(self, case):
        """The dossier's files of the agreements of ``case``: the drawn
        signatures and the countersigned copy (see :meth:`_files`)."""
        files = []
        for agreement in case._evidence_documents()[2].sorted("id"):
            kind = slug(agreement.offer_id.offer_type)
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

    @api.model
    def _letter_description(self, letter):
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

    @api.model
    def _manifest(self, case, files, check):
        case.ensure_one()
        return {
            "case": case.name,
            "case_id": case.id,
            "company": case.company_id.name,
            "debtor": case.partner_id.commercial_partner_id.display_name,
            "created": fields.Datetime.now().isoformat(sep=" ") + " UTC",
            "created_by": self.env.user.name,
            "limitation_date": fields.Date.to_string(case.limitation_date) or None,
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

    @api.model
    def _summary_document(self, case, files, check):
        """``(content, report type)`` of the summary report of ``case``,
        printing the dossier's ``files`` and chain ``check`` (not computed
        again)."""
        case.ensure_one()
        computed = SummaryInputs({case.id: {"files": files, "check": check}})
        return (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                SUMMARY_REPORT, res_ids=case.ids, data={SUMMARY_INPUTS_KEY: computed}
            )
        )

    # ------------------------------------------------------------------
    # The logs as CSV
    # ------------------------------------------------------------------
    @api.model
    def _csv(self, header, rows):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
        # with a BOM, spreadsheets open the UTF-8 text as such
        return ("\ufeff" + buffer.getvalue()).encode()

    @api.model
    def _selection_label(self, record, field_name):
        value = record[field_name]
        if not value:
            return ""
        return dict(record._fields[field_name]._description_selection(self.env)).get(
            value, value
        )

    @api.model
    def _interaction_rows(self, case):
        case.ensure_one()
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
        interactions = case.sudo().interaction_ids.sorted(lambda i: (i.date, i.id))
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
                self._csv_amount(case, i.promise_amount) if i.promise_date else "",
                i.evidence_hash or "",
            ]
            for i in interactions
        ]
        return header, rows

    @api.model
    def _offer_rows(self, case):
        case.ensure_one()
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
        for offer in case.sudo().offer_ids.sorted(lambda o: (o.create_date, o.id)):
            plan = offer.offer_type == "payment_plan"
            rows.append(
                [
                    fields.Datetime.to_string(offer.create_date) + " UTC",
                    self._selection_label(offer, "origin"),
                    self._selection_label(offer, "offer_type"),
                    self._csv_amount(case, offer.amount),
                    self._csv_amount(case, offer.down_payment),
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

    @api.model
    def _payments(self, case):
        """What settled the invoices of ``case``, oldest first: ``[{date,
        invoice, document, kind, amount}]`` (amount in the invoice's
        currency)."""
        case.ensure_one()
        partials = case._settlement_partials(
            case.sudo().invoice_ids, order="max_date, id"
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

    @api.model
    def _payment_rows(self, case):
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
                self._csv_amount(case, p["amount"], p["currency"]),
                p["currency"].name,
            ]
            for p in self._payments(case)
        ]
        return header, rows

    @api.model
    def _csv_amount(self, case, amount, currency=None):
        # amounts are written as they are sealed: text at the currency's
        # precision
        return self.env["debt.negotiation.evidence.mixin"]._evidence_amount(
            amount, currency or case.currency_id
        )

    # ------------------------------------------------------------------
    # The summary report
    # ------------------------------------------------------------------
    @api.model
    def _summary_values(self, case, files=None, check=None):
        """What the summary report prints of ``case``: the invoices, the
        timeline, the chain check and the files of the dossier with their
        SHA-256 (``files`` and ``check``: already computed by the
        dossier)."""
        case.ensure_one()
        sudo_case = case.sudo().with_context(active_test=False)
        return {
            "invoices": sudo_case.invoice_ids.sorted(
                lambda m: (m.invoice_date_due, m.id)
            ),
            "timeline": self._timeline(case),
            "check": check or case._evidence_check(),
            "files": files if files is not None else self._files(case),
            "agreements": case._evidence_documents()[2],
        }

    @api.model
    def _timeline(self, case):
        """Every event of ``case``, oldest first: ``[{"date": datetime,
        "shown": text, "kind", "what", "who"}]``: opening, interactions,
        letters (generated and sent), offers, agreements, installments
        due, payments, promises, state changes (disputes, escalation) and
        the hand-over."""
        case.ensure_one()
        env = self.env
        sudo_case = case.sudo().with_context(active_test=False)
        events = []
        add = functools.partial(_timeline_event, env, events)
        add(
            sudo_case.create_date,
            env._("Case"),
            env._("Case %(case)s opened", case=sudo_case.name),
            sudo_case.create_uid.name,
        )
        self._timeline_documents(sudo_case, add)
        self._timeline_agreements(sudo_case, add)
        self._timeline_money(sudo_case, add)
        return sorted(events, key=lambda event: event["date"])

    @api.model
    def _timeline_documents(self, case, add):
        """Add the interactions, letters and offers of ``case`` to the
        timeline (see :meth:`_timeline`)."""
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

    @api.model
    def _timeline_agreements(self, case, add):
        """Add the agreements of ``case`` and their installments to the
        timeline (see :meth:`_timeline`)."""
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

    @api.model
    def _timeline_money(self, case, add):
        """Add the payments, promises and status changes of ``case`` to the
        timeline (see :meth:`_timeline`)."""
        env = self.env
        for payment in self._payments(case):
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
        for change in self._state_changes(case):
            add(change["date"], env._("Status"), change["what"], change["who"])

    @api.model
    def _state_changes(self, case):
        """The tracked changes of the status and stage of ``case``
        (disputes, escalation, cancellation...) with who made them."""
        case.ensure_one()
        tracked = (
            self.env["mail.tracking.value"]
            .sudo()
            .search(
                [
                    ("mail_message_id.model", "=", case._name),
                    ("mail_message_id.res_id", "=", case.id),
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
