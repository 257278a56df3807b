# Copyright 2026 Debt Negotiation Contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
import functools
import io
import logging
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor, wait

from odoo import api, models, tools
from odoo.exceptions import UserError
from odoo.tools.pdf import PdfFileReader, PdfFileWriter

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin

from .debt_negotiation_letter import LETTER_REPORT

_logger = logging.getLogger(__name__)
# Odoo's report logger: wkhtmltopdf's messages are logged where Odoo's own
# run logs them.
_report_logger = logging.getLogger(_get_wkhtmltopdf_bin.__module__)

# Fewer letters per wkhtmltopdf run cost more in start-up than they gain in
# spreading the runs over the processes.
PDF_MIN_CHUNK = 20


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


def _run_wkhtmltopdf(command, bodies, header, footer):
    """Run wkhtmltopdf (``command``: the program and its options) on the
    HTML ``bodies`` with the ``header`` and ``footer``, as Odoo's report
    run does; return ``(exit code, stderr, PDF content)``.

    Runs in a worker thread: no ORM, no database here."""
    # Odoo's header and footer pick the header of each body from its file
    # name ("report.body.tmp.<index>."), the fourth part of the path split
    # on dots: the folder's name has none.
    with tempfile.TemporaryDirectory(prefix="debt_negotiation_pdf_") as folder:

        def write(name, html):
            path = os.path.join(folder, name)
            with open(path, "wb") as handle:
                handle.write(html.encode())
            return path

        options = []
        if header:
            options += ["--header-html", write("header.html", header)]
        if footer:
            options += ["--footer-html", write("footer.html", footer)]
        paths = [
            write("report.body.tmp.%d.html" % index, body)
            for index, body in enumerate(bodies)
        ]
        target = os.path.join(folder, "letters.pdf")
        try:
            process = subprocess.run(
                [*command, *options, *paths, target],
                capture_output=True,
                encoding="utf-8",
                errors="replace",
                check=False,
            )
        except OSError as error:
            # no such program: Odoo's own run says so
            return None, str(error), b""
        content = b""
        if os.path.exists(target):
            with open(target, "rb") as handle:
                content = handle.read()
    return process.returncode, process.stderr, content


def _split_pages(content, count, returncode):
    """The ``count`` pages of the PDF ``content``, each as a PDF of its
    own; ``None`` if the run failed or the PDF has not ``count`` pages."""
    if returncode not in (0, 1) or not content.startswith(b"%PDF"):
        return None
    reader = PdfFileReader(io.BytesIO(content), strict=False)
    if reader.getNumPages() != count:
        return None
    pages = []
    for index in range(count):
        writer = PdfFileWriter()
        writer.addPage(reader.getPage(index))
        stream = io.BytesIO()
        writer.write(stream)
        pages.append(stream.getvalue())
    return pages


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
        in chunks (one run per chunk, several runs at once, see
        :meth:`_render_documents_parallel`) and the result split per letter
        (like Odoo does for reports saved as attachments); an unpatched
        build accepts a single document per run, so the letters are then
        rendered one by one."""
        todo = self.filtered(lambda letter: not letter.attachment_id)
        if not todo:
            return
        Report = self.env["ir.actions.report"]
        if len(todo) > 1 and _wkhtmltopdf_renders_batches():
            if todo._renders_html_only(Report):
                # Large runs make wkhtmltopdf crash: render in batches.
                size = self._pdf_batch_size()
                rendered = {}
                for start in range(0, len(todo), size):
                    rendered.update(
                        todo[start : start + size]._render_documents(Report)
                    )
            else:
                rendered = todo._render_documents_parallel(Report)
        else:
            rendered = {}
            for letter in todo:
                rendered.update(letter._render_documents(Report))
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
        """Letters rendered per wkhtmltopdf run at most (system parameter
        ``debt_negotiation.letter_pdf_batch_size``, default 100)."""
        return max(
            self._pdf_int_param("debt_negotiation.letter_pdf_batch_size", 100), 1
        )

    @api.model
    def _pdf_workers(self):
        """wkhtmltopdf runs at once (system parameter
        ``debt_negotiation.letter_pdf_workers``; default, or 0: one per CPU
        of the server)."""
        workers = self._pdf_int_param("debt_negotiation.letter_pdf_workers", 0)
        return workers if workers > 0 else os.cpu_count() or 1

    @api.model
    def _pdf_overlaps_orm(self):
        """Whether the next chunk's HTML may be rendered while wkhtmltopdf
        converts the previous ones. Not when the registry is in test mode
        (an ``HttpCase``): the HTTP server that wkhtmltopdf loads the
        report's assets from then serves its requests on this very cursor,
        and a query of this thread would interleave with theirs."""
        return not self.env.registry.in_test_mode()

    @api.model
    def _pdf_int_param(self, key, default):
        """The integer of the system parameter ``key`` (``default`` if it is
        not one)."""
        value = self.env["ir.config_parameter"].sudo().get_param(key, str(default))
        try:
            return int(value)
        except ValueError:
            return default

    @api.model
    def _renders_html_only(self, Report):
        """Whether ``_pre_render_qweb_pdf`` gives HTML instead of calling
        wkhtmltopdf (Odoo tests without ``force_report_rendering``)."""
        return bool(
            (tools.config["test_enable"] or tools.config["test_file"])
            and not Report.env.context.get("force_report_rendering")
        )

    @api.model
    def _pdf_chunk_size(self, count):
        """Documents per wkhtmltopdf run for ``count`` documents: at most the
        batch size, and small enough to keep every run busy until the end
        (three chunks per run at least)."""
        size = self._pdf_batch_size()
        workers = self._pdf_workers()
        if workers > 1:
            size = min(size, max(-(-count // (workers * 3)), PDF_MIN_CHUNK))
        return size

    @api.model
    def _pdf_submit(self, pool, command, bodies, header, footer):
        """Convert ``bodies`` with wkhtmltopdf in ``pool``: the future of
        ``(returncode, errors, content)``. Done before returning when the
        ORM must not overlap the conversion (:meth:`_pdf_overlaps_orm`)."""
        future = pool.submit(_run_wkhtmltopdf, command, bodies, header, footer)
        if not self._pdf_overlaps_orm():
            wait([future])
        return future

    def _pdf_chunks(self):
        """The letters split in chunks of one wkhtmltopdf run each
        (:meth:`_pdf_chunk_size`)."""
        size = self._pdf_chunk_size(len(self))
        return [self[start : start + size] for start in range(0, len(self), size)]

    def _render_documents_parallel(self, Report):
        """Render the letters as PDF with several wkhtmltopdf runs at once:
        ``{letter id: (content, extension, mimetype)}``.

        The ORM is not thread-safe: the HTML of each chunk, the command
        line, the split per letter and everything else touching the
        database run here, in the calling thread; only the wkhtmltopdf
        processes run in worker threads (at most :meth:`_pdf_workers`), so
        the HTML of the next chunks is rendered while the previous ones
        are converted. A chunk the run could not convert page per letter
        (e.g. a letter of two pages) is rendered again through Odoo's own
        report run (:meth:`_render_documents`), which splits it or renders
        its letters one by one, and reports the errors as Odoo does."""
        report = Report._get_report(LETTER_REPORT)
        Report = Report.with_context(webp_as_jpg=True, debug=False)
        if Report.get_wkhtmltopdf_state() == "install":
            return self._render_documents(Report)
        binary = _get_wkhtmltopdf_bin()
        rendered = {}
        with ThreadPoolExecutor(
            max_workers=self._pdf_workers(), thread_name_prefix="debt_negotiation_pdf"
        ) as pool:
            jobs = []
            for chunk in self._pdf_chunks():
                job = chunk._pdf_job(Report, report)
                if job is None:
                    rendered.update(chunk._render_documents(Report))
                    continue
                command, bodies, header, footer, html_ids = job
                future = self._pdf_submit(
                    pool, [binary, *command], bodies, header, footer
                )
                jobs.append((chunk, html_ids, future))
            for chunk, html_ids, future in jobs:
                returncode, errors, content = future.result()
                pages = _split_pages(content, len(html_ids), returncode)
                if pages is None:
                    _logger.info(
                        "wkhtmltopdf could not render %s letters page per letter "
                        "(exit code %s): rendered again by Odoo's report.",
                        len(chunk),
                        returncode,
                    )
                    rendered.update(chunk._render_documents(Report))
                    continue
                if errors:
                    # the warning Odoo's own run logs, on its logger
                    _report_logger.warning("wkhtmltopdf: %s", errors)
                for letter_id, page in zip(html_ids, pages, strict=True):
                    rendered[letter_id] = (page, "pdf", "application/pdf")
        return rendered

    def _pdf_job(self, Report, report):
        """The wkhtmltopdf run of these letters, prepared as Odoo's report
        run does (HTML rendered for PDF, split in bodies with the common
        header and footer, command line from the paper format):
        ``(command, bodies, header, footer, letter ids of the bodies)``, or
        ``None`` if the HTML does not hold one body per letter."""
        html = Report._render_qweb_html(
            LETTER_REPORT, self.ids, data={"report_type": "pdf"}
        )[0]
        bodies, html_ids, header, footer, specific_args = report.with_context(
            debug=False
        )._prepare_html(html, report_model=report.model)
        if len(bodies) != len(self) or set(html_ids) != set(self.ids):
            return None
        command = Report._build_wkhtmltopdf_args(
            report.get_paperformat(),
            Report.env.context.get("landscape"),
            specific_paperformat_args=specific_args,
            set_viewport_size=Report.env.context.get("set_viewport_size"),
        )
        return command, bodies, header, footer, html_ids

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

    def _statement_copy(self):
        """The debtor's statement of account in the letter's company, as it
        stands now, to attach to the letter's email (owned by the message)."""
        self.ensure_one()
        case = self.negotiation_id.with_company(self.company_id)
        report = self.env.ref("debt_negotiation.action_report_case_statement")
        pdf, _type = (
            self.env["ir.actions.report"]
            .with_company(self.company_id)
            .sudo()
            ._render_qweb_pdf(report, case.ids)
        )
        name = self.env._("Statement of account %(case)s.pdf", case=case.name)
        return (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": name.replace("/", "_"),
                    "raw": pdf,
                    "mimetype": "application/pdf",
                    "res_model": "mail.compose.message",
                    "res_id": 0,
                }
            )
            .with_env(self.env)
        )
