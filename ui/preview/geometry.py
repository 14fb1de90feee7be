"""What size the preview draws a page at: the clinician's zoom and turn, the room the pane
gives, and the key a page is drawn and cached under (``app.preview.page_key``).

Kept apart from :class:`ui.preview.pane.PreviewPane`, which decides what is on screen and
when; this only answers "how big, and under which key", so that a page drawn for one
zoom or turn is never shown for another.
"""

from __future__ import annotations

from collections.abc import Callable

from app.drafts.message_draft import Attachment
from app.preview.page_key import PageKey
from app.preview.zoom import A4, ZoomMode, as_shown, fit_scale, zoomed
from ui.preview.page_marks import banners
from ui.preview.page_screen import PageScreen
from ui.preview.thumbnails import THUMB_WIDTH

#: (file's sha256, 0-based page) -> its size in points before the turn (A4 if unknown).
SizeLookup = Callable[[str, int], tuple[float, float]]


class PreviewGeometry:
    def __init__(
        self,
        screen: PageScreen,
        page_size: SizeLookup,
        *,
        readable_scale: Callable[[], float],
        highlights_on: Callable[[], bool],
        pixel_ratio: Callable[[], float],
    ) -> None:
        self._screen = screen
        self._size_of = page_size
        self._readable_scale = readable_scale
        self._highlights_on = highlights_on
        self._pixel_ratio = pixel_ratio
        #: "page" (the default), "width", or a zoom the clinician chose.
        self.zoom: ZoomMode = "page"
        self._rotation: dict[str, int] = {}  # attachment id -> the clinician's turn

    def rotation(self, attachment: Attachment | None) -> int:
        return self._rotation.get(attachment.id, 0) if attachment is not None else 0

    def rotate(self, attachment: Attachment, degrees: int) -> None:
        """Turn the file's pages clockwise (90° steps), e.g. a landscape table."""
        self._rotation[attachment.id] = (self.rotation(attachment) + degrees) % 360

    def zoom_by(self, attachment: Attachment | None, page: int, factor: float) -> None:
        self.zoom = zoomed(self.scale(attachment, page), factor)

    def page_size(self, attachment: Attachment | None, page: int) -> tuple[float, float]:
        """The page's size in points as shown (the clinician's turn applied)."""
        size = self._size_of(attachment.sha256, page) if attachment else A4
        return as_shown(size, self.rotation(attachment))

    def scale(self, attachment: Attachment | None, page: int) -> float:
        """The zoom ``page`` is shown at (1.0 = 72 dpi), as the clinician sees it."""
        return self.fit(attachment, self.page_size(attachment, page), page)

    def fit(
        self,
        attachment: Attachment | None,
        size: tuple[float, float],
        page: int | None,
        narrower: int = 0,
    ) -> float:
        """The zoom for a page this size (``page``: whose banners take room; ``narrower``:
        pixels the page area is about to lose)."""
        if isinstance(self.zoom, float):
            return self.zoom
        return fit_scale(
            self.zoom,
            size,
            self._screen.room(self.banners(attachment, page), narrower),
            scroll_bar=self._screen.scroll_bar_extent(),
            readable_scale=self._readable_scale(),
            is_image=bool(attachment and attachment.is_image),
        )

    def banners(self, attachment: Attachment | None, page: int | None) -> list[tuple[str, str]]:
        """The banners above 0-based ``page`` while highlights are on."""
        if attachment is None or page is None or not self._highlights_on():
            return []
        return banners(attachment.report, page + 1)

    def dpr_key(self) -> int:
        return round(max(1.0, self._pixel_ratio()) * 100)

    def key(self, attachment: Attachment, page: int, scale: float) -> PageKey:
        rotation = self.rotation(attachment)
        return PageKey.of(attachment.sha256, page, scale, rotation, self.dpr_key())

    def page_key(self, attachment: Attachment, page: int) -> PageKey:
        """The key ``page`` is drawn and cached under, as it would be shown now (its
        zoom, the turn, the screen's pixel ratio)."""
        return self.key(attachment, page, self.scale(attachment, page))

    def thumb_key(self, attachment: Attachment, page: int) -> PageKey:
        width = self.page_size(attachment, page)[0]
        return self.key(attachment, page, THUMB_WIDTH / width)
