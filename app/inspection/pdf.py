"""Inspecting one PDF: open it with PDFium and qpdf, gather facts, turn them into findings.

Order matters for speed: the page job (PDFium, possibly in a helper process) starts
first, the document-level checks (qpdf) run while it works, then the page facts are
collected.
"""

from __future__ import annotations

import contextlib
import io
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
from app.inspection.report import PersonalDataHit
from app.storage.sealed import read_plain


@dataclass(frozen=True, slots=True)
class PdfResult:
    pages: int | None
    #: None: the file has no text to look in (a scan, an empty page, unreadable).
    personal_data_found: bool | None
    hits: tuple[PersonalDataHit, ...]
    #: The texts the PDF carries beside its pages (``pdf_places``), for their own check.
    beside_pages: tuple[PlacedText, ...] = ()


_NOTHING = PdfResult(None, None, ())


def _open_pdfium(path: str, sink: FindingSink) -> Any | None:
    try:
        # A working copy is sealed at rest: PDFium reads its plain bytes from memory.
        return pdfium.PdfDocument(read_plain(path))
    except pdfium.PdfiumError as error:
        if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            sink.add("pdf.password_protected")
        else:
            sink.add("pdf.unreadable")
        return None


def _open_qpdf(path: str, sink: FindingSink) -> pikepdf.Pdf | None:
    try:
        return pikepdf.open(io.BytesIO(read_plain(path)))
    except pikepdf.PasswordError:
        sink.add("pdf.password_protected")
    except (pikepdf.PdfError, OSError, ValueError, RuntimeError):
        # PDFium opened it but qpdf cannot even repair it: the structure checks (active
        # content among them) cannot run, so the file cannot be vouched for.
        sink.add("pdf.damaged")
    return None


def inspect_pdf(path: str, sink: FindingSink, detector: DetectorLike | None) -> PdfResult:
    limits = sink.policy.limits
    keep_freed_memory()
    document = _open_pdfium(path, sink)
    if document is None:
        return _NOTHING
    try:
        page_count = len(document)
        if page_count == 0:
            sink.add("pdf.unreadable")
            return _NOTHING
        if page_count > limits.max_pages:
            sink.add("pdf.too_many_pages", pages=page_count, limit=limits.max_pages)
            return PdfResult(page_count, None, ())
        job = PageJob(path, document.raw, page_count, detector, limits)
        beside: list[PlacedText] = []
        try:
            qpdf = _open_qpdf(path, sink)
            if qpdf is not None:
                with qpdf:
                    try:
                        structure = check_document(qpdf, sink)
                        beside = texts_beside_pages(qpdf, structure.alternate_texts)
                    except pikepdf.PdfError:
                        sink.add("pdf.damaged")
            facts = job.finish()
        finally:
            job.abandon()
        result = _page_findings(facts, sink, page_count, detector is not None)
        return PdfResult(result.pages, result.personal_data_found, result.hits, tuple(beside))
    finally:
        with contextlib.suppress(Exception):
            document.close()


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
