"""Per-page facts from PDFium: how much of a page is image, its visible text, and
where personal data sits on it.

Speed matters here (the ``inspection`` benchmark: a 500-page letter against
``pdftotext``). Almost all the time goes into PDFium's text layout
(``FPDFText_LoadPage``), which cannot be made cheaper from outside, so:

- pages are read by two processes where the OS can ``fork`` (the machines have two
  cores and PDFium is not thread-safe, so threads would not help). Both take chunks
  of pages from one pipe of tokens, so the process that also does the document-level
  checks simply takes fewer chunks. Only small results travel back, never text.
- the raw C API is called directly, the page text is fetched once into one buffer,
  and the page objects are walked (for images) only on pages without visible text.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from app.inspection.policy import Limits
from app.inspection.report import PersonalDataHit

_CHUNK_PAGES = 8
_MAX_OBJECTS_PER_PAGE = 50_000  # a hostile page with millions of objects is cut short
_MAX_FORM_DEPTH = 6
#: Characters looked at to find visible ones (an OCR layer can be long and all invisible).
_MAX_CHARS_FOR_VISIBILITY = 20_000
_INVISIBLE_MODES = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)


class DetectorLike(Protocol):
    def find(self, text: str) -> Sequence[Any]: ...


@dataclass(frozen=True, slots=True)
class PageFacts:
    page: int  # 1-based
    readable: bool
    image_coverage: float  # share of the page covered by images (0..1, summed, capped)
    visible_chars: int  # non-blank characters drawn visibly; -1 when not counted
    text_chars: int  # characters in the text layer (visible or not)
    hits: tuple[PersonalDataHit, ...] = ()


class _Matrix:
    """An affine transform, for objects nested in form XObjects."""

    __slots__ = ("a", "b", "c", "d", "e", "f")

    def __init__(self, a: float, b: float, c: float, d: float, e: float, f: float) -> None:
        self.a, self.b, self.c, self.d, self.e, self.f = a, b, c, d, e, f

    def then(self, outer: _Matrix) -> _Matrix:
        return _Matrix(
            self.a * outer.a + self.b * outer.c,
            self.a * outer.b + self.b * outer.d,
            self.c * outer.a + self.d * outer.c,
            self.c * outer.b + self.d * outer.d,
            self.e * outer.a + self.f * outer.c + outer.e,
            self.e * outer.b + self.f * outer.d + outer.f,
        )

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, ...]:
        xs, ys = [], []
        for x, y in ((left, bottom), (left, top), (right, bottom), (right, top)):
            xs.append(self.a * x + self.c * y + self.e)
            ys.append(self.b * x + self.d * y + self.f)
        return min(xs), min(ys), max(xs), max(ys)


_IDENTITY = _Matrix(1, 0, 0, 1, 0, 0)


class _PageReader:
    """Reads pages of one open document. One per process."""

    def __init__(self, document: Any, detector: DetectorLike | None, limits: Limits) -> None:
        self._doc = document
        self._detector = detector
        self._limits = limits
        self._l = ctypes.c_float()
        self._b = ctypes.c_float()
        self._r = ctypes.c_float()
        self._t = ctypes.c_float()

    def read(self, index: int) -> PageFacts:
        page = pdfium_c.FPDF_LoadPage(self._doc, index)
        if not page:
            return PageFacts(index + 1, False, 0.0, -1, 0)
        try:
            return self._read_page(page, index)
        finally:
            pdfium_c.FPDF_ClosePage(page)

    def _read_page(self, page: Any, index: int) -> PageFacts:
        box = pdfium_c.FS_RECTF()
        pdfium_c.FPDF_GetPageBoundingBox(page, box)
        page_box = (box.left, box.bottom, box.right, box.top)
        area = max(box.right - box.left, 0.0) * max(box.top - box.bottom, 0.0)
        enough = self._limits.scan_max_visible_chars
        coverage = -1.0  # not measured
        if self._detector is None:
            # Without the detector, text is needed only to tell a scan from text on an image.
            coverage = self._image_coverage(page, page_box, area)
            if coverage < self._limits.scan_image_coverage:
                return PageFacts(index + 1, True, coverage, -1, -1)
        textpage = pdfium_c.FPDFText_LoadPage(page)
        if not textpage:
            if coverage < 0:
                coverage = self._image_coverage(page, page_box, area)
            return PageFacts(index + 1, True, coverage, 0, 0)
        try:
            count = pdfium_c.FPDFText_CountChars(textpage)
            visible = _visible_chars(textpage, count, enough)
            # A page with enough visible text is no scan whatever its images, so the
            # walk over its page objects is needed only for the others.
            if visible < enough and coverage < 0:
                coverage = self._image_coverage(page, page_box, area)
            hits: tuple[PersonalDataHit, ...] = ()
            if self._detector is not None and count > 0:
                hits = self._personal_data(page, textpage, count, index + 1, page_box)
            return PageFacts(index + 1, True, coverage, visible, count, hits)
        finally:
            pdfium_c.FPDFText_ClosePage(textpage)

    def _personal_data(
        self, page: Any, textpage: Any, count: int, number: int, page_box: tuple[float, ...]
    ) -> tuple[PersonalDataHit, ...]:
        assert self._detector is not None
        found = self._detector.find(_page_text(textpage, count))
        if not found:
            return ()
        rotation = pdfium_c.FPDFPage_GetRotation(page)
        return tuple(
            PersonalDataHit(
                kind=str(hit.kind),
                page=number,
                masked=str(hit.masked),
                rect=_hit_rect(textpage, hit.start, hit.end, page_box, rotation),
                identifier=getattr(hit, "identifier", None),
            )
            for hit in found
        )

    # -- images ---------------------------------------------------------------------

    def _image_coverage(self, page: Any, page_box: tuple[float, ...], area: float) -> float:
        if area <= 0:
            return 0.0
        covered = 0.0
        budget = [_MAX_OBJECTS_PER_PAGE]
        for obj, matrix in self._objects(page, budget):
            if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_IMAGE:
                continue
            if not pdfium_c.FPDFPageObj_GetBounds(obj, self._l, self._b, self._r, self._t):
                continue
            left, bottom, right, top = matrix.box(
                self._l.value, self._b.value, self._r.value, self._t.value
            )
            width = min(right, page_box[2]) - max(left, page_box[0])
            height = min(top, page_box[3]) - max(bottom, page_box[1])
            if width > 0 and height > 0:
                covered += width * height
        # Summed, not unioned: a scan cut into strips must still count as covering the page.
        return min(covered / area, 1.0)

    def _objects(self, page: Any, budget: list[int]) -> Iterable[tuple[Any, _Matrix]]:
        """Page objects, descending into form XObjects with their transforms."""
        count = pdfium_c.FPDFPage_CountObjects(page)
        for i in range(count):
            if budget[0] <= 0:
                return
            budget[0] -= 1
            obj = pdfium_c.FPDFPage_GetObject(page, i)
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
                yield from self._form_objects(obj, _IDENTITY, budget, 1)
            else:
                yield obj, _IDENTITY

    def _form_objects(
        self, form: Any, outer: _Matrix, budget: list[int], depth: int
    ) -> Iterable[tuple[Any, _Matrix]]:
        if depth > _MAX_FORM_DEPTH:
            return
        raw_matrix = pdfium_c.FS_MATRIX()
        if not pdfium_c.FPDFPageObj_GetMatrix(form, raw_matrix):
            return
        m = raw_matrix
        matrix = _Matrix(m.a, m.b, m.c, m.d, m.e, m.f).then(outer)
        for i in range(pdfium_c.FPDFFormObj_CountObjects(form)):
            if budget[0] <= 0:
                return
            budget[0] -= 1
            obj = pdfium_c.FPDFFormObj_GetObject(form, i)
            if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
                yield from self._form_objects(obj, matrix, budget, depth + 1)
            else:
                yield obj, matrix

    # -- text -----------------------------------------------------------------------


def _visible_chars(textpage: Any, count: int, enough: int) -> int:
    """Non-blank characters drawn visibly, counted up to ``enough``.

    Invisible text (render modes 3 and 7: the OCR layer a scanner adds) does not count;
    characters PDFium generates (spaces, line ends) have no text object and do not either.
    """
    get_object = pdfium_c.FPDFText_GetTextObject
    get_unicode = pdfium_c.FPDFText_GetUnicode
    render_mode = pdfium_c.FPDFTextObj_GetTextRenderMode
    visible = 0
    for index in range(min(count, _MAX_CHARS_FOR_VISIBILITY)):
        obj = get_object(textpage, index)
        if not obj or render_mode(obj) in _INVISIBLE_MODES:
            continue
        code = get_unicode(textpage, index)
        if code <= 32 or code > 0x10FFFF or chr(code).isspace():
            continue
        visible += 1
        if visible >= enough:
            break
    return visible


def _page_text(textpage: Any, count: int) -> str:
    # Room for surrogate pairs: PDFium counts characters, the buffer holds UTF-16 units.
    buffer = ctypes.create_string_buffer(4 * count + 2)
    written = pdfium_c.FPDFText_GetText(
        textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
    )
    if written <= 0:
        return ""
    return buffer.raw[: 2 * (written - 1)].decode("utf-16-le", "replace")


def _hit_rect(
    textpage: Any, start: int, end: int, page_box: tuple[float, ...], rotation: int
) -> tuple[float, float, float, float] | None:
    """The union of the hit's character boxes, in points from the shown page's top-left."""
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    xs: list[float] = []
    ys: list[float] = []
    for index in range(max(start, 0), end):
        if not pdfium_c.FPDFText_GetCharBox(textpage, index, left, right, bottom, top):
            continue
        if left.value == right.value and bottom.value == top.value:
            continue  # generated characters (spaces, line ends) have no box
        xs += (left.value, right.value)
        ys += (bottom.value, top.value)
    if not xs:
        return None
    corners = [
        _to_top_left(x, y, page_box, rotation) for x, y in ((min(xs), min(ys)), (max(xs), max(ys)))
    ]
    (x0, y0), (x1, y1) = corners
    return (
        round(min(x0, x1), 2),
        round(min(y0, y1), 2),
        round(max(x0, x1), 2),
        round(max(y0, y1), 2),
    )


def _to_top_left(
    x: float, y: float, page_box: tuple[float, ...], rotation: int
) -> tuple[float, float]:
    """PDF user space to the page as shown (``/Rotate`` applied), origin top-left."""
    x0, y0, x1, y1 = page_box
    if rotation == 1:  # 90 degrees clockwise
        return y - y0, x - x0
    if rotation == 2:
        return x1 - x, y - y0
    if rotation == 3:
        return y1 - y, x1 - x
    return x - x0, y1 - y


# -- orchestration ------------------------------------------------------------------


def _claim(tokens: int) -> int | None:
    """The next chunk from the shared pipe, or ``None`` when all are taken."""
    try:
        data = os.read(tokens, 2)
    except BlockingIOError:
        return None
    if len(data) < 2:
        return None
    return int.from_bytes(data, "little")


def _read_claimed(page_count: int, tokens: int, reader: _PageReader) -> list[PageFacts]:
    out = []
    while (chunk := _claim(tokens)) is not None:
        first = chunk * _CHUNK_PAGES
        for index in range(first, min(first + _CHUNK_PAGES, page_count)):
            out.append(reader.read(index))
    return out


def _can_fork() -> bool:
    # fork() in a process with other threads can deadlock the child on a held lock.
    return hasattr(os, "fork") and threading.active_count() == 1


class PageJob:
    """Reads every page of a PDF, in two processes when that pays off.

    Start it (the helper process begins at once), do other work, then ``finish()``.
    """

    def __init__(
        self,
        data: bytes,
        document: Any,
        page_count: int,
        detector: DetectorLike | None,
        limits: Limits,
    ) -> None:
        self._data = data  # the plain bytes: the helper opens its own PDFium document
        self._document = document
        self._page_count = page_count
        self._detector = detector
        self._limits = limits
        self._tokens: int | None = None
        self._results: int | None = None
        self._child: int | None = None
        parallel = page_count >= max(limits.parallel_min_pages, 2) and _can_fork()
        if parallel:
            self._start_helper()

    def _start_helper(self) -> None:
        chunks = -(-self._page_count // _CHUNK_PAGES)
        read_end, write_end = os.pipe()
        try:
            # Every token must fit in the pipe's buffer so that writing never blocks.
            os.write(write_end, b"".join(i.to_bytes(2, "little") for i in range(chunks)))
        finally:
            os.close(write_end)
        os.set_blocking(read_end, False)
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper: read pages, send facts back, never return into Python
            status = 1
            try:
                os.close(result_read)
                signal.alarm(max(int(self._limits.page_worker_timeout_s), 1))
                document = pdfium.PdfDocument(self._data)
                reader = _PageReader(document.raw, self._detector, self._limits)
                facts = _read_claimed(self._page_count, read_end, reader)
                payload = pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(result_write, "wb") as stream:
                    stream.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(result_write)
        self._tokens, self._results, self._child = read_end, result_read, pid

    def finish(self) -> list[PageFacts]:
        reader = _PageReader(self._document, self._detector, self._limits)
        if self._tokens is None:
            return [reader.read(index) for index in range(self._page_count)]
        assert self._results is not None and self._child is not None
        try:
            mine = _read_claimed(self._page_count, self._tokens, reader)
            theirs = self._collect_helper()
        finally:
            os.close(self._tokens)
            self._tokens = None
        by_page = {facts.page: facts for facts in theirs}
        by_page.update((facts.page, facts) for facts in mine)
        # Pages the helper claimed but did not deliver (it died) are read here.
        for index in range(self._page_count):
            if index + 1 not in by_page:
                by_page[index + 1] = reader.read(index)
        return [by_page[page] for page in sorted(by_page)]

    def _collect_helper(self) -> list[PageFacts]:
        assert self._results is not None and self._child is not None
        with os.fdopen(self._results, "rb") as stream:
            payload = stream.read()
        self._results = None
        _pid, status = os.waitpid(self._child, 0)
        self._child = None
        if status != 0 or not payload:
            return []
        with contextlib.suppress(Exception):
            facts = pickle.loads(payload)  # our own child's output, over our own pipe
            if isinstance(facts, list):
                return [f for f in facts if isinstance(f, PageFacts)]
        return []

    def abandon(self) -> None:
        """Stop the helper (an error elsewhere ended the inspection)."""
        if self._child is not None:
            with contextlib.suppress(OSError):
                os.kill(self._child, signal.SIGKILL)
                os.waitpid(self._child, 0)
            self._child = None
        for fd in (self._tokens, self._results):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._tokens = self._results = None


def read_all_pages(
    data: bytes, document: Any, page_count: int, detector: DetectorLike | None, limits: Limits
) -> list[PageFacts]:
    """All pages at once (no overlap with other work)."""
    return PageJob(data, document, page_count, detector, limits).finish()
