# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import functools
import io
import logging
import re
import subprocess

from odoo import api, models
from odoo.exceptions import UserError

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

from .debt_negotiation_letter import LETTER_REPORT

_logger = logging.getLogger(__name__)


@functools.cache
def _wkhtmltopdf_renders_batches():
    """Whether the installed wkhtmltopdf renders several documents in one
    run (only builds on patched Qt do)."""
    try:
        version = subprocess.run(
            [_get_wkhtmltopdf_bin(), "--version"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        version = ""
    return "patched qt" in version.lower()


class DebtNegotiationLetter(models.Model):
    """The PDF of a letter: rendered once, stored, never regenerated."""

    _inherit = "debt.negotiation.letter"

    # ------------------------------------------------------------------
    # BUSINESS METHODS
    # ------------------------------------------------------------------
    def _attachment_filename(self, extension="pdf"):
        self.ensure_one()
        base = re.sub(r"[^\w\s-]+", "_", self.name or "letter").strip()
        return f"{base} {self.date}.{extension}".replace(" ", "_")

    def _ensure_pdf(self):
        """Render the PDF of the letters that have none yet, store each as
        an attachment of its letter and link it. Letters that have a PDF
        are left alone: a letter is rendered once, never again.

        With a wkhtmltopdf built on patched Qt, the letters are rendered
        in batches (one run per batch) and the result split per letter
        (like Odoo does for reports saved as attachments); an unpatched
        build accepts a single document per run, so the letters are then
        rendered one by one."""
        todo = self.filtered(lambda letter: not letter.attachment_id)
        if not todo:
            return
        Report = self.env["ir.actions.report"]
        if len(todo) > 1 and _wkhtmltopdf_renders_batches():
            # Large runs make wkhtmltopdf crash: render in batches.
            size = self._pdf_batch_size()
            groups = [todo[start : start + size] for start in range(0, len(todo), size)]
        else:
            groups = [letter for letter in todo]
        rendered = {}
        for group in groups:
            rendered.update(group._render_documents(Report))
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": letter._attachment_filename(rendered[letter.id][1]),
                    "raw": rendered[letter.id][0],
                    "mimetype": rendered[letter.id][2],
                    "res_model": self._name,
                    "res_id": letter.id,
                    "type": "binary",
                }
                for letter in todo
            ]
        )
        for letter, attachment in zip(todo, attachments, strict=True):
            letter._store_pdf(attachment)
        # the letter as generated is evidence: sealed in its case's chain
        todo._evidence_seal()

    @api.model
    def _pdf_batch_size(self):
        """Letters rendered per wkhtmltopdf run (system parameter
        ``debt_negotiation.letter_pdf_batch_size``, default 100)."""
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("debt_negotiation.letter_pdf_batch_size", "100")
        )
        try:
            return max(int(value), 1)
        except ValueError:
            return 100

    def _render_documents(self, Report):
        """Render the letters in one report run: ``{letter id: (content,
        extension, mimetype)}``."""
        rendered = {}
        content, report_type = Report._pre_render_qweb_pdf(
            LETTER_REPORT, res_ids=self.ids
        )
        if report_type != "pdf":
            # Test mode without ``force_report_rendering``: Odoo renders
            # HTML instead of calling wkhtmltopdf. Keep it the same way.
            for letter in self:
                html = (
                    content
                    if len(self) == 1
                    else Report._render_qweb_html(LETTER_REPORT, letter.ids)[0]
                )
                rendered[letter.id] = (html, "html", "text/html")
            return rendered
        streams = content
        if len(self) > 1 and (
            False in streams
            or any(not (streams.get(letter.id) or {}).get("stream") for letter in self)
        ):
            # The batch could not be split per letter: render one by one.
            _logger.info("Rendering %s letters one by one.", len(self))
            for stream_data in streams.values():
                if stream_data.get("stream"):
                    stream_data["stream"].close()
            for letter in self:
                rendered.update(letter._render_documents(Report))
            return rendered
        for letter in self:
            stream = (streams.get(letter.id) or streams.get(False) or {}).get("stream")
            content = stream.getvalue() if stream else b""
            if not content.startswith(b"%PDF"):
                raise UserError(
                    self.env._(
                        "The PDF of %(letter)s could not be generated; check the "
                        "wkhtmltopdf installation.",
                        letter=letter.name,
                    )
                )
            rendered[letter.id] = (content, "pdf", "application/pdf")
            stream.close()
        return rendered

    def _get_stored_documents(self):
        """Return ``(content, report_type)``: the stored PDFs of the letters,
        in order, merged into one document (rendered first if missing)."""
        self._ensure_pdf()
        attachments = [letter.attachment_id.sudo() for letter in self]
        if not attachments:
            raise UserError(self.env._("There is no letter to print."))
        if all(att.mimetype == "application/pdf" for att in attachments):
            if len(attachments) == 1:
                return attachments[0].raw, "pdf"
            Report = self.env["ir.actions.report"]
            streams = [io.BytesIO(att.raw) for att in attachments]
            with Report._merge_pdfs(streams) as merged:
                content = merged.getvalue()
            for stream in streams:
                stream.close()
            return content, "pdf"
        return b"".join(att.raw for att in attachments), "html"
