"""Inspecting one PDF: open it with PDFium and qpdf, gather facts, turn them into findings.
The bytes and qpdf's opened file are the inspection's, shared with the hidden-content
scan (``pdf_source``).

Order matters for speed: the page job (PDFium, possibly in a helper process) starts
first, the hidden-content scan and the document-level checks (qpdf) run while it works,
then the page facts are collected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from app.inspection.allocator import keep_freed_memory
from app.inspection.findings import FindingSink
from app.inspection.pdf_document import check_document
from app.inspection.pdf_pages import DetectorLike, PageFacts, PageJob
from app.inspection.pdf_places import PlacedText, texts_beside_pages
from app.inspection.pdf_source import PdfSource
from app.inspection.report import PersonalDataHit


@dataclass(frozen=True, slots=True)
class PdfResult:
    pages: int | None
    #: None: the file has no text to look in (a scan, an empty page, unreadable).
    personal_data_found: bool | None
    hits: tuple[PersonalDataHit, ...]
    #: The texts the PDF carries beside its pages (``pdf_places``), for their own check.
    beside_pages: tuple[PlacedText, ...] = ()


_NOTHING = PdfResult(None, None, ())


def _open_pdfium(source: PdfSource, sink: FindingSink) -> Any | None:
    try:
        # A working copy is sealed at rest: PDFium reads its plain bytes from memory.
        return pdfium.PdfDocument(source.data)
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            sink.add("pdf.password_protected")
        else:
            sink.add("pdf.unreadable")
        return None


def _open_qpdf(source: PdfSource, sink: FindingSink) -> pikepdf.Pdf | None:
    try:
        return source.qpdf()  # opened already by the hidden-content scan, as a rule
    except pikepdf.PasswordError:
        sink.add("pdf.password_protected")
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError):
        # PDFium opened it but qpdf cannot even repair it: the structure checks (active
        # content among them) cannot run, so the file cannot be vouched for.
        sink.add("pdf.damaged")
    return None


def _nothing() -> None:
    return None


def inspect_pdf(
    source: PdfSource,
    sink: FindingSink,
    detector: DetectorLike | None,
    meanwhile: Callable[[], None] = _nothing,
) -> PdfResult:
    """The PDF's pages and document-level checks; ``source`` is closed by its owner.
    ``meanwhile``: the file's other checks (hidden content), run whatever PDFium made of
    the file, while the helper process reads the pages."""
    limits = sink.policy.limits
    keep_freed_memory()
    document = _open_pdfium(source, sink)
    job: PageJob | None = None
    try:
        page_count: int | None = None
        if document is not None:
            page_count = len(document)
            if _pages_to_read(page_count, sink):
                job = PageJob(source.data, document.raw, page_count, detector, limits)
        meanwhile()
        if job is None:  # unreadable, no pages or too many (a finding says which)
            return PdfResult(page_count, None, ()) if page_count else _NOTHING
        assert page_count is not None
        beside: list[PlacedText] = []
        qpdf = _open_qpdf(source, sink)
        if qpdf is not None:
            try:
                structure = check_document(qpdf, sink)
                beside = texts_beside_pages(qpdf, structure.alternate_texts)
            except pikepdf.PdfError:
                sink.add("pdf.damaged")
        facts = job.finish()
        result = _page_findings(facts, sink, page_count, detector is not None)
        return PdfResult(result.pages, result.personal_data_found, result.hits, tuple(beside))
    finally:
        if job is not None:
            job.abandon()
        if document is not None:
            with contextlib.suppress(Exception):
                document.close()


def _pages_to_read(page_count: int, sink: FindingSink) -> bool:
    """Whether the pages PDFium found are to be read; when not, a finding says why."""
    if page_count == 0:
        sink.add("pdf.unreadable")
        return False
    limit = sink.policy.limits.max_pages
    if page_count > limit:
        sink.add("pdf.too_many_pages", pages=page_count, limit=limit)
        return False
    return True


def _page_findings(
    facts: list[PageFacts], sink: FindingSink, page_count: int, detected: bool
) -> PdfResult:
    limits = sink.policy.limits
    text_chars = 0
    scanned = 0
    for page in facts:
        if not page.readable:
            sink.add("pdf.unreadable", page.page)
            continue
        if (
            page.image_coverage >= limits.scan_image_coverage
            and 0 <= page.visible_chars < limits.scan_max_visible_chars
        ):
            scanned += 1
            sink.add("pdf.scanned_page", page.page)
        text_chars += max(page.text_chars, 0)
    if detected and text_chars == 0 and scanned == 0:
        sink.add("pdf.no_text")
    hits = tuple(hit for page in facts for hit in page.hits)
    found: bool | None = None
    if detected and text_chars > 0:
        found = bool(hits)
    return PdfResult(page_count, found, hits)
