"""Drawing pages for the preview. Runs inside the isolated worker process only.

PDF pages are drawn by PDFium straight into a bitmap whose bytes, width, height and
stride go to the window as they are (the window builds a QImage over them, one copy);
images are decoded by Pillow, restricted to the formats Bifoga accepts, one frame
per "page" (a GIF's frames are its pages).
"""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

#: Never draw more than this many pixels for one page, whatever zoom was asked for.
MAX_RENDER_PIXELS = 40_000_000
#: Frames beyond this are not offered for preview (the inspector flags such files).
MAX_FRAMES = 500
_OPEN_DOCUMENTS = 4

IMAGE_FORMATS = ["PNG", "JPEG", "GIF"]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """Raw pixels of one page. ``pixel_format`` is one of RGB888, RGBA8888, Grayscale8."""

    page_index: int
    page_count: int
    width: int
    height: int
    stride: int
    pixel_format: str
    pixels: bytes
    #: The page's size in PDF points (or pixels for an image), to map highlights.
    page_width: float
    page_height: float
    scale: float


class _Documents:
    """The last few opened files, so turning a page does not re-open the document."""

    def __init__(self) -> None:
        self._open: OrderedDict[tuple[str, float, int], Any] = OrderedDict()

    def get(self, path: str) -> Any:
        stat = os.stat(path)
        key = (path, stat.st_mtime, stat.st_size)
        if key in self._open:
            self._open.move_to_end(key)
            return self._open[key]
        document = _open(path)
        self._open[key] = document
        while len(self._open) > _OPEN_DOCUMENTS:
            _, old = self._open.popitem(last=False)
            old.close()
        return document


def _is_pdf(path: str) -> bool:
    with open(path, "rb") as handle:
        return handle.read(5) == b"%PDF-"


def _open(path: str) -> Any:
    if _is_pdf(path):
        import pypdfium2

        return pypdfium2.PdfDocument(path)
    return _ImageDocument(path)


class _ImageDocument:
    def __init__(self, path: str) -> None:
        from PIL import Image

        self._image = Image.open(path, formats=IMAGE_FORMATS)
        self.frames = min(getattr(self._image, "n_frames", 1), MAX_FRAMES)

    def __len__(self) -> int:
        return self.frames

    def close(self) -> None:
        self._image.close()

    def render(self, index: int, scale: float) -> RenderedPage:
        from PIL import Image

        image = self._image
        image.seek(index)
        frame = image.convert("RGBA" if _has_alpha(image) else "RGB")
        width, height = frame.size
        scale = _capped_scale(width, height, scale)
        if scale != 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            frame = frame.resize(size, Image.Resampling.LANCZOS)
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
        )


def _has_alpha(image: Any) -> bool:
    return bool(image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info)


def _capped_scale(width: float, height: float, scale: float) -> float:
    if width * height * scale * scale > MAX_RENDER_PIXELS:
        return float((MAX_RENDER_PIXELS / (width * height)) ** 0.5)
    return scale


_documents = _Documents()

_PDFIUM_MODES = {"RGB": "RGB888", "RGBA": "RGBA8888", "RGBX": "RGBX8888", "L": "Grayscale8"}


def page_count(path: str) -> int:
    return len(_documents.get(path))


def render_page(path: str, page_index: int, scale: float, rotation: int = 0) -> RenderedPage:
    document = _documents.get(path)
    count = len(document)
    if not 0 <= page_index < count:
        raise IndexError(page_index)
    if isinstance(document, _ImageDocument):
        return document.render(page_index, scale)
    page = document[page_index]
    try:
        width, height = page.get_size()
        scale = _capped_scale(width, height, scale)
        # rev_byteorder gives RGB(A) order, which maps onto a QImage format directly.
        bitmap = page.render(scale=scale, rotation=rotation, rev_byteorder=True)
        try:
            pixels = bytes(bitmap.buffer)
            return RenderedPage(
                page_index=page_index,
                page_count=count,
                width=bitmap.width,
                height=bitmap.height,
                stride=bitmap.stride,
                pixel_format=_PDFIUM_MODES[bitmap.mode],
                pixels=pixels,
                page_width=width,
                page_height=height,
                scale=scale,
            )
        finally:
            bitmap.close()
    finally:
        page.close()
