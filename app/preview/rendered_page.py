"""What the render worker hands back for one page: raw pixels and the page's geometry.

Kept apart from :mod:`app.preview.rendering` on purpose: the window unpickles these, and
importing this module must not load PDFium into the GUI process (PDFium lives only in
the worker).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Bytes per pixel of each format the worker may send. ``RGB32`` is Qt's native
#: 0xffRRGGBB word (B, G, R, 0xff in memory on a little-endian machine): PDFium's BGRx
#: bitmap is exactly that, so the window paints it without converting a pixel.
BYTES_PER_PIXEL = {"RGB32": 4, "RGB888": 3, "RGBA8888": 4, "RGBX8888": 4, "Grayscale8": 1}


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """Raw pixels of one page, in ``pixel_format`` (a key of :data:`BYTES_PER_PIXEL`).

    When ``shared`` is true the pixels are not in ``pixels`` but in the shared-memory
    block the window named in its request (one copy fewer, no pickling of megabytes).
    """

    page_index: int
    page_count: int
    width: int
    height: int
    stride: int
    pixel_format: str
    pixels: bytes
    #: The page's size in PDF points (or pixels for an image) as it is shown before the
    #: clinician's own rotation (the file's /Rotate applied): highlights map onto it.
    page_width: float
    page_height: float
    scale: float
    #: The extra clockwise rotation the pixels were drawn with (0, 90, 180, 270).
    rotation: int = 0
    shared: bool = False

    @property
    def size(self) -> tuple[float, float]:
        """(page_width, page_height): what the preview fits and lays out."""
        return (self.page_width, self.page_height)


def check_geometry(page: RenderedPage, available: int) -> None:
    """Refuse sizes that do not add up; ``available`` is how many bytes hold the pixels.

    What a worker returns is untrusted: a wrong stride or height must never make the
    window read past a buffer.
    """
    per_pixel = BYTES_PER_PIXEL.get(page.pixel_format)
    if per_pixel is None or page.width <= 0 or page.height <= 0:
        raise ValueError("unknown pixel format or size")
    if page.stride < page.width * per_pixel:
        raise ValueError("stride too small")
    if available < page.stride * page.height:
        raise ValueError("pixel buffer too short")
