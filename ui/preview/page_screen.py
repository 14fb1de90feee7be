"""The page on screen, in its scroll area, and whether it has been seen there.

The pane (ui/preview/pane.py) decides which page is shown and draws it; this widget shows it
and feeds :class:`app.preview.seen_tracking.SeenTracker` with what is on screen: when
the page was painted, scrolled, hidden or left, and when its dwell time is up. It says
``page_seen`` once per visit.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QHideEvent, QImage, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QStyle, QVBoxLayout, QWidget

from app.preview.page_key import PageKey
from app.preview.seen_tracking import SeenTracker
from ui.common.i18n import tr
from ui.preview.page_view import MARGIN, Overlay, PageArea, PageView


class PageScreen(QWidget):
    #: (attachment id, 0-based page), once per visit
    page_seen = Signal(str, int)
    #: after a paint that showed the page
    painted = Signal()

    def __init__(self, dwell_ms: Callable[[], float]) -> None:
        """``dwell_ms``: the settings' dwell time, read when a visit starts."""
        super().__init__()
        self._dwell_ms = dwell_ms
        self.page_view = PageView()
        self.page_view.setAccessibleName(tr("ui.preview.pane.page"))
        self.page_view.painted.connect(self._painted)
        self.area = PageArea(self.page_view)
        self.area.setAccessibleName(tr("ui.preview.pane.page_area"))
        for bar in (self.area.verticalScrollBar(), self.area.horizontalScrollBar()):
            bar.valueChanged.connect(lambda _v: self._observe())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.area)
        self._shown: tuple[str, int, PageKey] | None = None  # (attachment id, page, key)
        self._legible = False
        self._at_bottom = False
        self._seen = SeenTracker()
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.timeout.connect(self._observe)

    @property
    def showing(self) -> tuple[str, int] | None:
        """(attachment id, page) of the drawn page on screen, if one is."""
        return self._shown[:2] if self._shown is not None else None

    def shows(self, attachment_id: str, page: int, key: PageKey) -> bool:
        return self._shown == (attachment_id, page, key)

    def room(self, banners: list[tuple[str, str]], narrower: int = 0) -> tuple[int, int]:
        """The pixels a page has here, less the ``banners`` above it; ``narrower``:
        pixels this screen is about to lose."""
        area = self.area.contentsRect()
        width = max(100, area.width() - 2 * MARGIN - narrower)
        taken = self.page_view.banner_height(banners, width) if banners else 0
        return width, max(100, area.height() - 2 * MARGIN - taken)

    def scroll_bar_extent(self) -> int:
        return self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)

    def show_page(
        self,
        attachment_id: str,
        page: int,
        key: PageKey,
        image: QImage,
        marks: Overlay,
        *,
        legible: bool,
        paint_now: bool = False,
    ) -> None:
        """Show ``page`` drawn at ``key``; ``legible``: at a zoom at which it can count as
        seen; ``paint_now``: on screen before the rest, not at the next turn of the event
        loop (a page that just arrived from the worker). The same page at another zoom
        goes on with its visit."""
        new_page = self.showing != (attachment_id, page)
        if new_page and self._seen.visiting != (attachment_id, page):
            self.leave()
        self._shown, self._legible = (attachment_id, page, key), legible
        self.page_view.set_image(image, marks)
        if new_page:
            bar = self.area.verticalScrollBar()
            # Paging back with Page Up lands at the bottom of the previous page.
            bar.setValue(bar.maximum() if self._at_bottom else 0)
            if self._at_bottom:
                QTimer.singleShot(0, lambda: bar.setValue(bar.maximum()))
        self._at_bottom = False
        if paint_now:
            self.page_view.repaint()

    def arrive_at_bottom(self) -> None:
        """The next page shown opens at its bottom (paging back)."""
        self._at_bottom = True

    def show_placeholder(self, size: QSize) -> None:
        """A blank page of ``size`` while the page is drawn (never the page left)."""
        self.leave()
        self.page_view.set_placeholder(size)

    def show_message(self, text: str) -> None:
        """``text`` in place of the page (it cannot be drawn)."""
        self.leave()
        self.page_view.set_message(text)
        self.page_view.setAccessibleDescription(text)

    def show_unconfirmed(self, image: QImage) -> None:
        """A page that counts for nothing yet (drawn ahead), painted at once."""
        self.leave()
        self.page_view.set_image(image, Overlay())
        self.area.verticalScrollBar().setValue(0)
        self.page_view.repaint()  # on screen first, then the rest

    def clear(self) -> None:
        self.leave()
        self.page_view.clear()

    def leave(self) -> None:
        """The page leaves the screen: its visit ends (what it had does not carry over)."""
        self._shown = None
        self._seen.leave(_now_ms())
        self._dwell.stop()

    def _painted(self) -> None:
        self.painted.emit()  # it is on screen; seen-tracking comes after
        self._observe()

    def _observe(self) -> None:
        """Feed the page's visit with what is on screen now; say when it is seen."""
        shown = self._shown
        if shown is None:
            return
        attachment_id, page, _key = shown
        visible = self.area.visible_part() if self.isVisible() else None
        observed = self._seen.observe(
            _now_ms(), (attachment_id, page), visible, self._legible, self._dwell_ms()
        )
        if observed.wait_ms is None:
            self._dwell.stop()
        else:
            self._dwell.start(math.ceil(observed.wait_ms) + 1)
        if observed.seen_now:
            self.page_seen.emit(attachment_id, page)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._observe()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        QTimer.singleShot(0, self._observe)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self._seen.pause(_now_ms())  # the clock stops while hidden
        self._dwell.stop()


def _now_ms() -> float:
    return time.monotonic() * 1000
