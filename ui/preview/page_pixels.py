"""Pixels from the render worker into QImages, checked first.

The window owns one shared-memory block per preview pane; the worker draws into it and
answers with the geometry only (see :mod:`app.preview.rendering`). The QImage is built over the
block with the worker's stride and copied once, on the pool thread that waited for the
answer, so the GUI thread only paints. QImage (unlike QPixmap) may be made off the GUI
thread, and on a raster backing store drawing an RGB32 QImage is as fast as a pixmap.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing import shared_memory
from pathlib import Path

from PySide6.QtGui import QImage

from app.preview.page_key import PageKey
from app.preview.render_client import RenderClient
from app.preview.rendered_page import RenderedPage, check_geometry

_QIMAGE_FORMATS = {
    "RGB32": QImage.Format.Format_RGB32,
    "RGB888": QImage.Format.Format_RGB888,
    "RGBA8888": QImage.Format.Format_RGBA8888,
    "RGBX8888": QImage.Format.Format_RGBX8888,
    "Grayscale8": QImage.Format.Format_Grayscale8,
}
#: Formats the raster engine paints without converting each time.
_PAINT_READY = {QImage.Format.Format_RGB32, QImage.Format.Format_ARGB32_Premultiplied}
_MiB = 1024 * 1024
#: Enough for an A4 page at about 160 % (or 115 % at device pixel ratio 1.5).
DEFAULT_BLOCK_BYTES = 8 * _MiB
#: Never keep a block larger than this; bigger pages come through the pipe.
MAX_BLOCK_BYTES = 96 * _MiB


@dataclass(frozen=True, slots=True)
class Drawn:
    """A page drawn and ready to paint."""

    image: QImage
    page: RenderedPage  # the geometry only; the pixels are in ``image``


def _ready(image: QImage) -> QImage:
    if image.format() in _PAINT_READY:
        return image
    alpha = image.hasAlphaChannel()
    target = QImage.Format.Format_ARGB32_Premultiplied if alpha else QImage.Format.Format_RGB32
    return image.convertToFormat(target)


def image_from_page(page: RenderedPage) -> QImage:
    """A QImage that owns its pixels, from pixels sent in the answer itself.
    What the worker sent is checked first: a size that does not add up is refused."""
    check_geometry(page, len(page.pixels))
    fmt = _QIMAGE_FORMATS[page.pixel_format]
    return _ready(QImage(page.pixels, page.width, page.height, page.stride, fmt).copy())


class SharedPixels:
    """One shared-memory block the worker draws into. Used by one request at a time
    (the pane never has two in flight); the lock guards closing against a late answer."""

    def __init__(self, size: int = DEFAULT_BLOCK_BYTES) -> None:
        self._size = size
        self._memory: shared_memory.SharedMemory | None = None
        self._lock = threading.Lock()
        self._closed = False
        self._failed = False

    def target(self) -> tuple[str, int] | None:
        """(name, size) to hand to the worker, or None to get pixels through the pipe."""
        with self._lock:
            if self._closed or self._failed:
                return None
            if self._memory is None:
                try:
                    self._memory = shared_memory.SharedMemory(create=True, size=self._size)
                except (OSError, ValueError):
                    self._failed = True  # no shared memory here: the pipe still works
                    return None
            return self._memory.name, self._memory.size

    def image(self, page: RenderedPage) -> QImage:
        """The page's pixels as a QImage that owns them."""
        if not page.shared:
            image = image_from_page(page)
            self.make_room(page)  # the next page this large goes the short way
            return image
        with self.lent(page) as over:
            return _ready(over.copy())

    @contextlib.contextmanager
    def lent(self, page: RenderedPage) -> Iterator[QImage]:
        """The page's pixels as a QImage over the block itself, valid inside the
        ``with`` only: painted straight from the block, or copied to be kept."""
        if not page.shared:
            yield self.image(page)  # in the answer, not the block
            return
        with self._lock:
            memory = self._memory
            if memory is None:
                raise ValueError("no shared block")
            check_geometry(page, memory.size)
            fmt = _QIMAGE_FORMATS[page.pixel_format]
            buffer = memory.buf
            if buffer is None:
                raise ValueError("shared block closed")
            view = buffer[: page.stride * page.height]
            try:
                over = QImage(view, page.width, page.height, page.stride, fmt)
                yield over
                del over  # let go of the block before the view is released
            finally:
                view.release()

    def make_room(self, page: RenderedPage) -> None:
        """Grow the block (within ``MAX_BLOCK_BYTES``) for pages as large as ``page``,
        which did not fit in it."""
        needed = page.stride * page.height
        if page.pixel_format == "RGB32" and self._size < needed <= MAX_BLOCK_BYTES:
            self._grow(needed)

    def _grow(self, needed: int) -> None:
        with self._lock:
            self._size = min(MAX_BLOCK_BYTES, needed + needed // 4)
            self._release()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._release()

    def _release(self) -> None:
        memory, self._memory = self._memory, None
        if memory is not None:
            with contextlib.suppress(OSError, BufferError):
                memory.close()
            with contextlib.suppress(OSError):
                memory.unlink()


def draw_page(client: RenderClient, pixels: SharedPixels, path: Path, key: PageKey) -> Drawn:
    """Have the render worker draw ``key``'s page of ``path`` into ``pixels``, and make
    it a QImage (on a pool thread: it waits for the worker)."""
    page = client.render(path, key.page, key.render_scale, key.rotation, pixels.target())
    image = pixels.image(page)
    image.setDevicePixelRatio(key.pixel_ratio)
    return Drawn(image, dataclasses.replace(page, pixels=b""))
