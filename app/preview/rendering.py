"""Drawing pages for the preview. Runs inside the isolated worker process only.

PDF pages are drawn by PDFium straight into a bitmap whose bytes, width, height and
stride go to the window as they are; images are decoded by Pillow, restricted to the
formats Bifoga accepts, one frame per "page" (a GIF's frames are its pages).

How the pixels travel: the window may name a shared-memory block it owns (``target``).
PDFium then draws straight into it, in BGRA over opaque white, which is Qt's native
RGB32 on a little-endian machine: no copy in the worker, no pickling of megabytes
through the pipe, no format conversion in the window. Without a block (or when a page
does not fit in it) the pixels come back in the answer, as before.

The first page of a PDF just chosen is drawn ahead (``render_ahead``), from the chosen
file itself before it is staged, in horizontal bands by two workers at once (PDFium
reads only what page 1 needs). The window uses the drawing only once ``confirm_ahead``
has drawn the same from the staged copy and found the same page count, page size and
pixels, so what counts as previewed is always the staged copy (see docs/preview.md).
"""

from __future__ import annotations

import ctypes
import io
import math
import os
import stat
import sys
from collections import OrderedDict
from multiprocessing import shared_memory
from typing import Any

# This module is imported in the worker only (app.runtime.worker_ops), so PDFium is loaded when
# the worker starts, not when the clinician attaches the first file.
import pypdfium2
import pypdfium2.raw as pdfium_c

from app.preview.render_client import AheadRequest
from app.preview.rendered_page import RenderedPage
from app.protocol import filetypes
from app.storage.sealed import read_plain

__all__ = [
    "MAX_FRAMES",
    "MAX_RENDER_PIXELS",
    "RenderedPage",
    "confirm_ahead",
    "page_count",
    "render_ahead",
    "render_page",
]

#: Never draw more than this many pixels for one page, whatever zoom was asked for.
MAX_RENDER_PIXELS = 40_000_000
#: Frames beyond this are not offered for preview (the inspector flags such files).
MAX_FRAMES = 500
_OPEN_DOCUMENTS = 4

IMAGE_FORMATS = ["PNG", "JPEG", "GIF"]
_ROTATIONS = {0: 0, 90: 1, 180: 2, 270: 3}  # degrees clockwise -> PDFium's constant

_LITTLE_ENDIAN = sys.byteorder == "little"
# The page is drawn in BGRA onto opaque white, so every pixel stays opaque: B, G, R, 0xff
# in memory, which is 0xffRRGGBB as a little-endian word (Qt's RGB32). PDFium draws BGRA
# about 15 % faster than BGRx, whose padding byte it keeps apart. On a big-endian
# machine PDFium's reversed order (RGBA, opaque) is the format Qt knows instead.
_NATIVE_FORMAT = "RGB32" if _LITTLE_ENDIAN else "RGBX8888"
_RENDER_FLAGS = pdfium_c.FPDF_ANNOT | (0 if _LITTLE_ENDIAN else pdfium_c.FPDF_REVERSE_BYTE_ORDER)


class _Documents:
    """The last few opened files, so turning a page does not re-open the document."""

    def __init__(self) -> None:
        self._open: OrderedDict[tuple[str, float, int], Any] = OrderedDict()

    def get(self, path: str) -> Any:
        status = os.stat(path)
        key = (path, status.st_mtime, status.st_size)
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        document = _open(path)
        self._open[key] = document
        while len(self._open) > _OPEN_DOCUMENTS:
            _, old = self._open.popitem(last=False)
            old.close()
        return document


class _AheadDocument:
    """The one PDF this worker is drawing ahead, opened by PDFium from the chosen file
    itself (it reads only what page 1 needs), with what was drawn from it, so that
    ``confirm_ahead`` can draw the same from the staged copy and compare."""

    def __init__(self, token: str, path: str, max_bytes: int) -> None:
        self.token = token
        #: (page index, scale, rotation, target block, band) once drawn
        self.drawn: tuple[int, float, int, tuple[str, int], tuple[int, int]] | None = None
        # Not blocking on open: a named pipe called "x.pdf" must be refused, not waited on.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
                raise ValueError("not a regular file within the size limit")
            if filetypes.sniff(os.pread(descriptor, filetypes.SNIFF_BYTES, 0)) != filetypes.PDF:
                raise ValueError("not a PDF")
            # PDFium opens the very file checked here: on Linux through this descriptor,
            # so a name swapped for something else meanwhile changes nothing.
            through = f"/proc/self/fd/{descriptor}" if os.path.isdir("/proc/self/fd") else path
            raw = pdfium_c.FPDF_LoadDocument((through + "\x00").encode(), None)
            if not raw:
                raise ValueError("PDFium could not open the file")
            self.pdf = pypdfium2.PdfDocument(raw)
        finally:
            os.close(descriptor)  # PDFium keeps a descriptor of its own

    def __len__(self) -> int:
        return len(self.pdf)

    def __getitem__(self, index: int) -> Any:
        return self.pdf[index]

    def close(self) -> None:
        self.pdf.close()


_ahead: _AheadDocument | None = None


def _open(path: str) -> Any:
    # A working copy is sealed at rest: opened to plain bytes in memory, never on disk.
    data = read_plain(path)
    if filetypes.sniff(data[: filetypes.SNIFF_BYTES]) == filetypes.PDF:
        return pypdfium2.PdfDocument(data)
    return _ImageDocument(io.BytesIO(data))


class _Target:
    """The window's shared-memory blocks, attached once and kept while they are in use
    (a pane has one for its pages and one for the first page of a file drawn ahead)."""

    def __init__(self, keep: int = 4) -> None:
        self._keep = keep
        self._attached: OrderedDict[str, shared_memory.SharedMemory] = OrderedDict()

    def attach(self, name: str, size: int) -> shared_memory.SharedMemory | None:
        """The block (at least ``size`` bytes long), or None."""
        memory = self._attached.get(name)
        if memory is None:
            # Attaching registers the name with the resource tracker again; a spawned
            # worker shares the window's tracker, so that is a no-op and the block
            # stays the window's to delete.
            memory = shared_memory.SharedMemory(name=name)
            self._attached[name] = memory
            while len(self._attached) > self._keep:
                _, old = self._attached.popitem(last=False)
                old.close()
        self._attached.move_to_end(name)
        return memory if memory.size >= size else None


def _bytes_of(memory: shared_memory.SharedMemory, size: int, offset: int = 0) -> Any:
    """A ctypes view of ``size`` bytes of the block from ``offset``. Callers drop it right
    after use: a live view keeps the mapping from being closed."""
    return (ctypes.c_ubyte * size).from_buffer(memory.buf, offset)  # type: ignore[arg-type]


class _ImageDocument:
    def __init__(self, source: io.BytesIO) -> None:
        from PIL import Image

        self._image = Image.open(source, formats=IMAGE_FORMATS)
        self.frames = min(getattr(self._image, "n_frames", 1), MAX_FRAMES)

    def __len__(self) -> int:
        return self.frames

    def close(self) -> None:
        self._image.close()

    def render(self, index: int, scale: float, rotation: int) -> RenderedPage:
        from PIL import Image

        image = self._image
        image.seek(index)
        frame = image.convert("RGBA" if _has_alpha(image) else "RGB")
        width, height = frame.size
        scale = _capped_scale(width, height, scale)
        if scale != 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            frame = frame.resize(size, Image.Resampling.LANCZOS)
        if rotation:
            # PIL turns counter-clockwise; the preview's rotation is clockwise.
            frame = frame.rotate(-rotation, expand=True)
        mode = "RGBA8888" if frame.mode == "RGBA" else "RGB888"
        channels = 4 if frame.mode == "RGBA" else 3
        return RenderedPage(
            page_index=index,
            page_count=self.frames,
            width=frame.width,
            height=frame.height,
            stride=frame.width * channels,
            pixel_format=mode,
            pixels=frame.tobytes(),
            page_width=float(width),
            page_height=float(height),
            scale=scale,
            rotation=rotation,
        )


def _has_alpha(image: Any) -> bool:
    return bool(image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info)


def _capped_scale(width: float, height: float, scale: float) -> float:
    if width * height * scale * scale > MAX_RENDER_PIXELS:
        return float((MAX_RENDER_PIXELS / (width * height)) ** 0.5)
    return scale


_documents = _Documents()
_target = _Target()


def page_count(path: str) -> int:
    return len(_documents.get(path))


def render_page(
    path: str,
    page_index: int,
    scale: float,
    rotation: int = 0,
    target: tuple[str, int] | None = None,
    band: tuple[int, int] = (0, 1),
) -> RenderedPage:
    """Draw one page at ``scale`` (1.0 = 72 dpi), turned ``rotation`` degrees clockwise.

    ``target``: (name, size) of a shared-memory block to draw into, in Qt's native RGB32;
    when the page fits, the answer carries no pixels and says ``shared=True``; when it
    does not, the RGB32 pixels come back in the answer. Without a block, they come back
    as RGB888 (or RGBA8888).

    ``band``: (i, n) draws only the i-th of n horizontal bands of the page, into its own
    rows of the block, so that n workers can draw one page together. Banding needs a
    block the whole page fits in; when it does not, nothing is drawn and the answer
    says ``shared=False`` with no pixels (the caller draws the page whole instead)."""
    return _render(_documents.get(path), page_index, scale, rotation, target, band)


def render_ahead(request: AheadRequest, band: tuple[int, int] = (0, 1)) -> RenderedPage:
    """Like ``render_page`` for page 1, unturned, of a PDF the clinician has just chosen,
    before its staged copy exists (``request.source``, no larger than
    ``request.max_bytes``), into ``request.target``. What was drawn is kept under
    ``request.token`` until ``confirm_ahead`` draws the same from the staged copy. One
    file at a time: drawing another lets go of the last one."""
    global _ahead
    token, target, scale = request.token, request.target, request.scale
    page_index, rotation = 0, 0  # the first page, as the file has it
    document = _ahead
    if document is None or document.token != token:
        _forget_ahead()
        document = _ahead = _AheadDocument(token, str(request.source), request.max_bytes)
    page = _render(document, page_index, scale, rotation, target, band)
    if target is not None and page.shared:
        document.drawn = (page_index, scale, rotation, target, band)
    return page


def confirm_ahead(token: str, staged_path: str) -> bool:
    """Whether what was drawn ahead under ``token`` is exactly what the staged copy
    gives: the same number of pages, the same page size, and, drawn the same way, the
    same pixels, compared with what is still in the window's block. Either way the file
    drawn ahead under ``token`` is let go of. (Another token confirms nothing and
    changes nothing.)"""
    document = _ahead
    if document is None or document.token != token:
        return False
    try:
        return document.drawn is not None and _draws_the_same(document, staged_path)
    except Exception:  # the staged copy cannot be drawn: not confirmed, drawn again
        return False
    finally:
        _forget_ahead()


def _draws_the_same(document: _AheadDocument, staged_path: str) -> bool:
    assert document.drawn is not None
    page_index, scale, rotation, target, band = document.drawn
    memory = _target.attach(*target)
    staged = pypdfium2.PdfDocument(read_plain(staged_path))
    try:
        if len(staged) != len(document):
            return False
        shown, again = document[page_index], staged[page_index]
        try:
            geometry = _band_geometry(shown, scale, rotation, band)
            if _band_geometry(again, scale, rotation, band) != geometry:
                return False
            columns, rows, stride, top, bottom = geometry[:5]
            if memory is None or memory.size < stride * rows:
                return False
            buffer = (ctypes.c_ubyte * (stride * (bottom - top)))()
            _draw(again, buffer, columns, rows, stride, rotation, top, bottom - top)
            view = memory.buf[stride * top : stride * bottom]  # type: ignore[index]
            try:
                return view == memoryview(buffer).cast("B")
            finally:
                view.release()
        finally:
            shown.close()
            again.close()
    finally:
        staged.close()


def _band_geometry(
    page: Any, scale: float, rotation: int, band: tuple[int, int]
) -> tuple[int, int, int, int, int, float, float, float]:
    """(columns, rows, stride, top row, bottom row, scale, page width, page height) of a
    band of ``page`` drawn at ``scale`` (capped) and turned ``rotation`` degrees."""
    width, height = page.get_size()
    scale = _capped_scale(width, height, scale)
    columns, rows = math.ceil(width * scale), math.ceil(height * scale)
    if rotation in (90, 270):
        columns, rows = rows, columns
    band_index, bands = band
    top, bottom = rows * band_index // bands, rows * (band_index + 1) // bands
    return columns, rows, columns * 4, top, bottom, scale, width, height


def _forget_ahead() -> None:
    global _ahead
    document, _ahead = _ahead, None
    if document is not None:
        document.close()


def _render(
    document: Any,
    page_index: int,
    scale: float,
    rotation: int,
    target: tuple[str, int] | None,
    band: tuple[int, int],
) -> RenderedPage:
    rotation %= 360
    if rotation not in _ROTATIONS:
        raise ValueError(rotation)
    if not 0 < scale <= 64:
        raise ValueError(scale)
    band_index, bands = band
    if not 0 <= band_index < bands:
        raise ValueError(band)
    count = len(document)
    if not 0 <= page_index < count:
        raise IndexError(page_index)
    if isinstance(document, _ImageDocument):
        if bands != 1:
            raise ValueError("images are drawn whole")
        return _deliver(document.render(page_index, scale, rotation), target)
    page = document[page_index]
    if target is None and bands == 1:
        # No block named: the plain answer, RGB(A) bytes in a format Qt knows directly.
        try:
            return _render_plain(page, page_index, count, scale, rotation)
        finally:
            page.close()
    try:
        columns, rows, stride, top, bottom, scale, width, height = _band_geometry(
            page, scale, rotation, band
        )
        memory = _target.attach(*target) if target is not None else None
        shared = memory is not None and memory.size >= stride * rows
        pixels = b""
        if memory is not None and shared:
            array = _bytes_of(memory, stride * (bottom - top), stride * top)
            try:
                _draw(page, array, columns, rows, stride, rotation, top, bottom - top)
            finally:
                del array
        elif bands == 1:
            buffer = (ctypes.c_ubyte * (stride * rows))()
            _draw(page, buffer, columns, rows, stride, rotation)
            pixels = bytes(buffer)
        return RenderedPage(
            page_index=page_index,
            page_count=count,
            width=columns,
            height=rows,
            stride=stride,
            pixel_format=_NATIVE_FORMAT,
            pixels=pixels,
            page_width=width,
            page_height=height,
            scale=scale,
            rotation=rotation,
            shared=shared,
        )
    finally:
        page.close()


def _render_plain(page: Any, index: int, count: int, scale: float, rotation: int) -> RenderedPage:
    width, height = page.get_size()
    scale = _capped_scale(width, height, scale)
    # rev_byteorder gives RGB(A) order, which maps onto a QImage format directly.
    bitmap = page.render(scale=scale, rotation=rotation, rev_byteorder=True)
    try:
        return RenderedPage(
            page_index=index,
            page_count=count,
            width=bitmap.width,
            height=bitmap.height,
            stride=bitmap.stride,
            pixel_format=_PDFIUM_MODES[bitmap.mode],
            pixels=bytes(bitmap.buffer),
            page_width=width,
            page_height=height,
            scale=scale,
            rotation=rotation,
        )
    finally:
        bitmap.close()


_PDFIUM_MODES = {"RGB": "RGB888", "RGBA": "RGBA8888", "RGBX": "RGBX8888", "L": "Grayscale8"}


def _draw(
    page: Any,
    buffer: Any,
    columns: int,
    rows: int,
    stride: int,
    rotation: int,
    top: int = 0,
    band_rows: int | None = None,
) -> None:
    """PDFium draws the page (``columns`` x ``rows`` pixels) into ``buffer`` (ours: a
    shared block or a fresh array); with ``top`` and ``band_rows``, only those rows of
    it, ``buffer`` holding just them."""
    height = rows if band_rows is None else band_rows
    bitmap = pdfium_c.FPDFBitmap_CreateEx(
        columns, height, pdfium_c.FPDFBitmap_BGRA, ctypes.c_void_p(ctypes.addressof(buffer)), stride
    )
    if not bitmap:
        raise MemoryError("bitmap")
    try:
        pdfium_c.FPDFBitmap_FillRect(bitmap, 0, 0, columns, height, 0xFFFFFFFF)
        # The page is laid out whole and shifted up by ``top``: PDFium clips to the bitmap.
        pdfium_c.FPDF_RenderPageBitmap(
            bitmap, page.raw, 0, -top, columns, rows, _ROTATIONS[rotation], _RENDER_FLAGS
        )
    finally:
        pdfium_c.FPDFBitmap_Destroy(bitmap)


def _deliver(page: RenderedPage, target: tuple[str, int] | None) -> RenderedPage:
    """An image's pixels into the shared block when they fit (one copy, no pickling)."""
    size = len(page.pixels)
    memory = _target.attach(*target) if target is not None else None
    if memory is None or memory.size < size:
        return page
    memory.buf[:size] = page.pixels  # type: ignore[index]
    return RenderedPage(
        page.page_index,
        page.page_count,
        page.width,
        page.height,
        page.stride,
        page.pixel_format,
        b"",
        page.page_width,
        page.page_height,
        page.scale,
        page.rotation,
        shared=True,
    )


def _warm_up() -> None:
    """Draw a one-line page once, so that PDFium's first-use costs (font set-up, about
    10-15 ms) are paid while the worker starts, not on the clinician's first page."""
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 50]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
        b"4 0 obj<</Length 36>>stream\nBT /F1 12 Tf 10 20 Td (Bifoga) Tj ET\nendstream endobj\n"
        b"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    try:
        document = pypdfium2.PdfDocument(io.BytesIO(pdf))
        page = document[0]
        buffer = (ctypes.c_ubyte * (200 * 50 * 4))()
        _draw(page, buffer, 200, 50, 800, 0)
        page.close()
        document.close()
    except Exception:  # only an optimisation; the real page will say what went wrong
        pass


_warm_up()
