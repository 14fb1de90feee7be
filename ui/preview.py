"""The mandatory preview pane (REQUIREMENTS R6): every page of every file is shown here.

Pages are drawn in the render worker process (PDFium lives there, never in this
process) straight into a shared-memory block this pane owns, and become QImages on a
pool thread; this pane only paints. The worker does one job at a time, so the pane keeps
exactly one request in flight and picks the next one when it returns, by priority: the
page on screen, then its neighbours (prefetch), then the thumbnails on screen. A page
the clinician already left is simply never picked: stale work is dropped, not rendered.
Drawn pages are kept in an LRU cache bounded by bytes, keyed by (file SHA-256, page,
scale, rotation).

A page counts as seen once it has been on screen, at a readable zoom, for the dwell
time in the settings, and every part of it was shown (:mod:`app.seen_tracking`). The
pane reports that with ``page_seen``; the draft holds it. See docs/preview.md.
"""

from __future__ import annotations

import dataclasses
import math
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QFontMetrics,
    QHideEvent,
    QImage,
    QKeySequence,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.draft import Attachment
from app.inspection.report import Severity
from app.page_cache import ByteBoundedLRU
from app.rendered_page import RenderedPage
from app.seen_tracking import PageVisit, readable, rotate_rect
from app.services import Services
from ui.errors import gateway_error_text
from ui.first_page import AHEAD_MAX_BYTES, FirstPageAhead
from ui.i18n import tr
from ui.page_pixels import DEFAULT_BLOCK_BYTES, Drawn, SharedPixels, image_from_page
from ui.page_view import MARGIN, Overlay, PageView
from ui.thumbnails import THUMB_WIDTH, ThumbnailStrip
from ui.workers import run_in_background

__all__ = ["PreviewPane", "image_from_page"]

_MiB = 1024 * 1024
#: Drawn pages kept: about 30 A4 pages at 100 %, whatever the zoom.
PAGE_CACHE_BYTES = 64 * _MiB
#: Thumbnails kept: a 500-page file's whole strip fits several times over.
THUMB_CACHE_BYTES = 16 * _MiB
_A4 = (595.0, 842.0)
ZOOM_STEP = 1.25
#: Below this width the thumbnails make way for the page.
THUMBS_FROM_WIDTH = 540
MIN_SCALE, MAX_SCALE = 0.25, 4.0
_BODY_SPACING = 6  # between the thumbnails and the page
#: Neighbours drawn ahead, nearest first: reading goes forwards, sometimes one back.
_PREFETCH = (1, -1, 2)

ZoomMode = Literal["page", "width"] | float

#: (file SHA-256, page, scale in 1/1000, rotation, device pixel ratio in 1/100)
PageKey = tuple[str, int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Job:
    kind: Literal["page", "thumb"]
    attachment_id: str
    path: str
    key: PageKey

    @property
    def page(self) -> int:
        return self.key[1]

    @property
    def render_scale(self) -> float:
        return self.key[2] / 1000 * self.key[4] / 100

    @property
    def rotation(self) -> int:
        return self.key[3]


class _ElidedLabel(QLabel):
    """A file name that never pushes the counter out: it is shortened in the middle."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = QFontMetrics(self.font()).elidedText(
            self._full, Qt.TextElideMode.ElideMiddle, max(20, self.width())
        )
        super().setText(shown)


class PreviewPane(QWidget):
    #: (attachment id, 0-based page)
    page_seen = Signal(str, int)
    #: (attachment id, page count), once the file has been opened for preview
    page_count_known = Signal(str, int)
    #: (attachment id, error code or text) when a file cannot be drawn
    render_failed = Signal(str, str)
    #: (0-based page) after the page on screen was painted (benchmarks, tests)
    page_painted = Signal(int)

    def __init__(
        self,
        services: Services,
        parent: QWidget | None = None,
        *,
        cache_bytes: int = PAGE_CACHE_BYTES,
        thumb_cache_bytes: int = THUMB_CACHE_BYTES,
        block_bytes: int = DEFAULT_BLOCK_BYTES,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._attachment: Attachment | None = None
        self._page = 0
        self._zoom: ZoomMode = "page"
        self._rotation: dict[str, int] = {}
        self._counts: dict[str, int] = {}
        self._count_told: set[str] = set()
        self._sizes: dict[tuple[str, int], tuple[float, float]] = {}
        self.page_cache: ByteBoundedLRU[PageKey, Drawn] = ByteBoundedLRU(cache_bytes)
        self.thumb_cache: ByteBoundedLRU[PageKey, Drawn] = ByteBoundedLRU(thumb_cache_bytes)
        self._failed: dict[tuple[str, int], str] = {}
        self._broken: set[str] = set()  # files that failed once: no more work in the background
        self._in_flight: _Job | None = None
        # The first page of a file just chosen, drawn from the file before it is staged
        # (``draw_ahead``), and whether it is on screen now, waiting to be confirmed.
        self._ahead: FirstPageAhead | None = None
        self._ahead_shown = False
        self._left_for_ahead: tuple[str, int] | None = None  # (attachment id, page)
        self._ahead_pixels = SharedPixels(block_bytes)
        self._shown: tuple[str, int, PageKey] | None = None
        self._visit: PageVisit | None = None
        self._visit_of: tuple[str, int] | None = None
        self._arrive_at_bottom = False
        self._pixels = SharedPixels(block_bytes)
        # The block is deleted with the pane, or at exit at the latest.
        for block in (self._pixels, self._ahead_pixels):
            self.destroyed.connect(block.close)
            weakref.finalize(self, block.close)
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.timeout.connect(self._observe)
        self._relayout = QTimer(self)  # a resize settles before the page is drawn again
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(80)
        self._relayout.timeout.connect(self._refresh)

        self.setMinimumWidth(420)
        self._build()
        self._bind_keys()
        self._update_controls()

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        header = QHBoxLayout()
        self.title = _ElidedLabel(tr("ui.preview.empty"))
        self.title.setAccessibleName(tr("ui.preview.title"))
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.seen_label = QLabel()
        self.seen_label.setAccessibleName(tr("ui.preview.progress"))
        self.seen_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        header.addWidget(self.title, 1)
        header.addWidget(self.seen_label)
        layout.addLayout(header)

        body = QHBoxLayout()
        body.setSpacing(_BODY_SPACING)
        self.thumbnails = ThumbnailStrip(self._thumb_image, self._thumb_seen)
        self.thumbnails.page_chosen.connect(self.go_to)
        self.thumbnails.visible_changed.connect(self._pump)
        self.thumbnails.hide()
        body.addWidget(self.thumbnails)
        self.page_view = PageView()
        self.page_view.setAccessibleName(tr("ui.preview.page"))
        self.page_view.painted.connect(self._painted)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.page_view)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.scroll_area.setFrameShape(QFrame.Shape.StyledPanel)
        self.scroll_area.setAccessibleName(tr("ui.preview.page_area"))
        for bar in (self.scroll_area.verticalScrollBar(), self.scroll_area.horizontalScrollBar()):
            bar.valueChanged.connect(lambda _v: self._observe())
        body.addWidget(self.scroll_area, 1)
        layout.addLayout(body, 1)

        nav = QHBoxLayout()
        nav.setSpacing(4)
        self.previous_button = QPushButton(tr("ui.preview.previous"))
        self.previous_button.setToolTip(tr("ui.preview.previous_tip"))
        self.previous_button.clicked.connect(lambda: self.go_to(self._page - 1))
        self.next_button = QPushButton(tr("ui.preview.next"))
        self.next_button.setToolTip(tr("ui.preview.next_tip"))
        self.next_button.clicked.connect(lambda: self.go_to(self._page + 1))
        self.page_label = QLabel()
        self.page_label.setAccessibleName(tr("ui.preview.page_number"))
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setMinimumWidth(
            QFontMetrics(self.font()).horizontalAdvance("Sida 888 av 888") + 12
        )
        nav.addStretch(1)
        for widget in (self.previous_button, self.page_label, self.next_button):
            nav.addWidget(widget)
        nav.addStretch(1)
        tools = QHBoxLayout()
        tools.setSpacing(4)

        def tool(text: str, name: str, tip: str, action: object) -> QToolButton:
            button = QToolButton()
            button.setText(text)
            button.setAccessibleName(name)
            button.setToolTip(tip)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.clicked.connect(action)
            tools.addWidget(button)
            return button

        self.zoom_out_button = tool(
            "−", tr("ui.preview.zoom_out"), tr("ui.preview.zoom_out") + " (Ctrl+−)",
            lambda: self.zoom_by(1 / ZOOM_STEP),
        )  # fmt: skip
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName(tr("ui.preview.zoom_level"))
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setMinimumWidth(QFontMetrics(self.font()).horizontalAdvance("400 %") + 8)
        tools.addWidget(self.zoom_label)
        self.zoom_in_button = tool(
            "+", tr("ui.preview.zoom_in"), tr("ui.preview.zoom_in") + " (Ctrl++)",
            lambda: self.zoom_by(ZOOM_STEP),
        )  # fmt: skip
        self.fit_button = tool(
            tr("ui.preview.fit_width_short"), tr("ui.preview.fit_width"),
            tr("ui.preview.fit_width"), self.fit_width,
        )  # fmt: skip
        self.fit_page_button = tool(
            tr("ui.preview.fit_page_short"), tr("ui.preview.fit_page"),
            tr("ui.preview.fit_page") + " (Ctrl+0)", self.fit_page,
        )  # fmt: skip
        self.rotate_button = tool(
            "↻", tr("ui.preview.rotate"), tr("ui.preview.rotate") + " (Ctrl+R)", self.rotate
        )
        self.highlights_button = tool(
            tr("ui.preview.highlights_short"), tr("ui.preview.highlights"),
            tr("ui.preview.highlights_tip") + " (Ctrl+M)",
            lambda: None,  # ``toggled`` (below) serves the click and Ctrl+M alike
        )  # fmt: skip
        self.highlights_button.setCheckable(True)
        self.highlights_button.setChecked(True)
        for button in (self.fit_button, self.fit_page_button):
            button.setCheckable(True)
        tools.insertStretch(4, 1)  # zoom on the left, the page's own tools on the right
        layout.insertLayout(1, tools)  # the viewer's tools above the page, paging below it
        layout.addLayout(nav)

    def _bind_keys(self) -> None:
        bindings: list[tuple[QKeySequence, object]] = [
            (QKeySequence(QKeySequence.StandardKey.MoveToNextPage), self._page_down),
            (QKeySequence(QKeySequence.StandardKey.MoveToPreviousPage), self._page_up),
            (QKeySequence(Qt.Key.Key_Right), lambda: self._sideways(+1)),
            (QKeySequence(Qt.Key.Key_Left), lambda: self._sideways(-1)),
            (QKeySequence(Qt.Key.Key_Home), lambda: self.go_to(0)),
            (QKeySequence(Qt.Key.Key_End), lambda: self.go_to(self._last_page())),
            (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence("Ctrl+="), lambda: self.zoom_by(ZOOM_STEP)),
            (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: self.zoom_by(1 / ZOOM_STEP)),
            (QKeySequence("Ctrl+0"), self.fit_page),
            (QKeySequence("Ctrl+R"), self.rotate),
            (QKeySequence("Ctrl+M"), self.highlights_button.toggle),
        ]
        for keys, action in bindings:
            shortcut = QShortcut(keys, self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        self.highlights_button.toggled.connect(lambda _on: self._highlights_toggled())

    # -- what is shown ---------------------------------------------------------------

    @property
    def attachment(self) -> Attachment | None:
        return self._attachment

    @property
    def current_page(self) -> int:
        return self._page

    @property
    def rotation(self) -> int:
        attachment = self._attachment
        return self._rotation.get(attachment.id, 0) if attachment is not None else 0

    @property
    def page_count(self) -> int | None:
        attachment = self._attachment
        if attachment is None:
            return None
        return attachment.page_count or self._counts.get(attachment.id)

    def draw_ahead(self, source: Path) -> FirstPageAhead | None:
        """Start drawing the first page of ``source``, a PDF just chosen, before its
        staged copy exists (see :mod:`ui.first_page`); it is shown as soon as it is back,
        marked as being prepared. None when there is nothing to draw ahead (not a PDF
        by its name, or another file's first page is still being drawn)."""
        if source.suffix.lower() != ".pdf":
            return None
        if self._ahead is not None and not self._ahead.finished:
            return None
        strip = 0
        if not self.thumbnails.isVisible() and self.width() >= THUMBS_FROM_WIDTH:
            strip = self.thumbnails.width() + _BODY_SPACING  # there once the file is shown
        scale = self._zoom if isinstance(self._zoom, float) else self._fit(*_A4, None, strip)
        ahead = FirstPageAhead(
            source,
            self._services.render_workers,
            self._ahead_pixels,
            scale=scale,
            dpr_key=self._dpr_key(),
            max_bytes=min(self._services.staging.max_bytes, AHEAD_MAX_BYTES),
        )
        if not ahead.start(self, self._ahead_arrived):
            return None  # a worker is busy: the page is drawn from the staged copy
        self._ahead = ahead
        return ahead

    @property
    def left_for_ahead(self) -> tuple[str, int] | None:
        """(attachment id, page) that was on screen when a first page drawn ahead took
        its place: where to go back to if that file is refused."""
        return self._left_for_ahead

    def drop_ahead(self, ahead: FirstPageAhead | None) -> bool:
        """``ahead``'s file will not be shown (staging refused it, or it is a duplicate).
        True if its page was on screen: the caller shows what belongs there (see
        ``left_for_ahead``)."""
        if ahead is None or ahead is not self._ahead:
            return False
        self._ahead = None
        shown, self._ahead_shown = self._ahead_shown, False
        if shown:
            self.show_attachment(None)
        return shown

    def _ahead_arrived(self, ahead: FirstPageAhead) -> None:
        """The first page drawn ahead is back: on screen at once, painted straight from
        the shared block, and only then copied out of it to be kept. It counts for
        nothing until ``show_attachment`` takes it as the staged copy's
        (``_adopt_ahead``)."""
        if ahead is not self._ahead or ahead.page is None:
            return
        self._leave_page()
        left = self._attachment
        self._left_for_ahead = (left.id, self._page) if left is not None else None
        self._attachment = None
        self._shown = None
        self._page = 0
        self._ahead_shown = True
        with ahead.lent_image() as image:
            self.page_view.set_image(image, Overlay())
            self.scroll_area.verticalScrollBar().setValue(0)
            self.page_view.repaint()  # on screen first, then the rest
            self.page_view.keep_image(ahead.keep(image).image)
        self.title.setText(ahead.filename)
        self._update_controls()
        self.page_label.setText(tr("ui.preview.preparing"))
        self.page_view.setAccessibleDescription(tr("ui.preview.preparing"))

    def _adopt_ahead(self, attachment: Attachment) -> tuple[_Job, Drawn] | None:
        """The first page drawn ahead, as ``attachment``'s, if it was confirmed to be
        of its staged copy."""
        ahead = self._ahead
        if ahead is None or ahead.confirmed_path != attachment.staged.path:
            return None
        self._ahead = None
        drawn = ahead.drawn
        if drawn is None:
            return None
        key = (attachment.sha256, 0, round(ahead.scale * 1000), 0, ahead.dpr_key)
        # Cached at once: laying the pane out for the file may ask for pages meanwhile.
        self.page_cache.put(key, drawn, drawn.image.sizeInBytes())
        return _Job("page", attachment.id, str(attachment.staged.path), key), drawn

    def show_attachment(self, attachment: Attachment | None, page: int = 0) -> None:
        self._dwell.stop()
        self._attachment = attachment
        self._shown = None
        self._visit = self._visit_of = None
        self._ahead_shown = False
        if attachment is None:
            self.title.setText(tr("ui.preview.empty"))
            self.page_view.clear()
            self.thumbnails.set_pages(0, 1.0)
            self.thumbnails.hide()
            self._update_controls()
            return
        adopted = self._adopt_ahead(attachment)
        self.title.setText(attachment.filename)
        self._page = max(0, page)
        self._failed = {k: v for k, v in self._failed.items() if k[0] != attachment.sha256}
        self._broken.discard(attachment.sha256)
        self._update_thumbnails()
        if adopted is not None:
            self._arrived(*adopted)  # on screen now if it is the page wanted
        self._refresh()

    def refresh_progress(self) -> None:
        self._update_controls()
        self.thumbnails.refresh()

    def go_to(self, page: int) -> None:
        attachment = self._attachment
        if attachment is None:
            return
        page = max(0, min(page, self._last_page()))
        if page == self._page and self._shown is not None:
            return
        self._failed.pop((attachment.sha256, page), None)  # asked for again: try again
        self._page = page
        self._refresh()

    def zoom_by(self, factor: float) -> None:
        self._zoom = round(max(MIN_SCALE, min(MAX_SCALE, self.scale * factor)), 2)
        self._refresh()

    def fit_width(self) -> None:
        self._zoom = "width"
        self._refresh()

    def fit_page(self) -> None:
        """The whole page in view (the default), but never smaller than readable."""
        self._zoom = "page"
        self._refresh()

    def rotate(self, degrees: int = 90) -> None:
        """Turn the file's pages clockwise (90° steps), e.g. a landscape table."""
        attachment = self._attachment
        if attachment is None:
            return
        self._rotation[attachment.id] = (self.rotation + degrees) % 360
        self._refresh()

    @property
    def scale(self) -> float:
        """The zoom of the page on screen (1.0 = 72 dpi), as the clinician sees it."""
        return self._scale_for(self._page)

    # -- geometry ----------------------------------------------------------------------

    def _last_page(self) -> int:
        return max(0, (self.page_count or 1) - 1)

    def _page_size(self, page: int) -> tuple[float, float]:
        """The page's size in points as shown (the clinician's rotation applied)."""
        attachment = self._attachment
        size = _A4
        if attachment is not None:
            sha = attachment.sha256
            size = self._sizes.get((sha, page)) or self._sizes.get((sha, 0)) or _A4
        width, height = size
        return (height, width) if self.rotation in (90, 270) else (width, height)

    def _scale_for(self, page: int) -> float:
        if isinstance(self._zoom, float):
            return self._zoom
        return self._fit(*self._page_size(page), page)

    def _fit(self, width: float, height: float, page: int | None, narrower: int = 0) -> float:
        """The zoom that fits a page this size (``page``: whose banners take room;
        ``narrower``: pixels the page area is about to lose)."""
        area = self.scroll_area.contentsRect()
        room_w = max(100, area.width() - 2 * MARGIN - narrower)
        banners = self._banner_room(page, room_w) if page is not None else 0
        room_h = max(100, area.height() - 2 * MARGIN - banners)
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        if self._zoom == "width":
            scale = room_w / width
            if scale * height > room_h:  # it will scroll: leave room for the bar
                scale = (room_w - bar) / width
        else:
            scale = min(room_w / width, room_h / height)
            floor = self._services.settings.readable_scale
            if scale < floor and not self._is_image():
                # Too small a pane: show the page readable and let it scroll, rather
                # than show a page that cannot be read (and so never counts as seen).
                scale = floor
        # Rounded down: a fitted page rounded up by a pixel would bring scroll bars.
        return max(MIN_SCALE, min(MAX_SCALE, math.floor(scale * 100 - 1e-6) / 100))

    def _banners(self, number: int) -> list[tuple[str, str]]:
        """Page-level findings shown as a banner on 1-based page ``number``."""
        attachment = self._attachment
        report = attachment.report if attachment is not None else None
        if report is None:
            return []
        # Advice (info) stays in the attachment list; what must be acted on is on the page.
        banners = [
            (finding.severity.value, tr(finding.code, **finding.param_dict))
            for finding in report.findings
            if finding.page == number and finding.severity is not Severity.INFO
        ]
        unplaced = [h.masked for h in report.hits if h.page == number and h.rect is None]
        if unplaced:
            banners.append(("info", tr("ui.preview.hits_on_page", hits=", ".join(unplaced))))
        return banners

    def _banner_room(self, page: int, width: int) -> int:
        if not self.highlights_button.isChecked():
            return 0
        banners = self._banners(page + 1)
        return self.page_view.banner_height(banners, width) if banners else 0

    def _dpr_key(self) -> int:
        return round(max(1.0, self.devicePixelRatioF()) * 100)

    def _key(self, page: int, scale: float) -> PageKey:
        attachment = self._attachment
        assert attachment is not None
        return (attachment.sha256, page, round(scale * 1000), self.rotation, self._dpr_key())

    def _thumb_key(self, page: int) -> PageKey:
        width = self._page_size(page)[0]
        return self._key(page, THUMB_WIDTH / width)

    def _is_image(self) -> bool:
        return bool(self._attachment and self._attachment.is_image)

    # -- what is on screen -------------------------------------------------------------

    def _refresh(self) -> None:
        """Show the current page if it is drawn; otherwise ask for it, and show a blank
        page of the right size meanwhile (never the page the clinician just left)."""
        attachment = self._attachment
        if attachment is None:
            return
        scale = self._scale_for(self._page)
        key = self._key(self._page, scale)
        drawn = self.page_cache.get(key)
        failure = self._failed.get((attachment.sha256, self._page))
        if drawn is not None:
            self._display(key, drawn)
        elif failure is not None:
            self._show_failure(failure)
        else:
            self._pump()  # first, so the worker draws while this thread updates the pane
            if self._shown is None or self._shown[:2] != (attachment.id, self._page):
                self._shown = None
                self._leave_page()
                width, height = self._page_size(self._page)
                self.page_view.set_placeholder(QSize(round(width * scale), round(height * scale)))
        self._update_controls()
        self.thumbnails.set_current(self._page)
        self._pump()

    def _display(self, key: PageKey, drawn: Drawn, *, paint_now: bool = False) -> None:
        """Show a drawn page; ``paint_now``: on screen before the bookkeeping, not at the
        next turn of the event loop (a page that just arrived from the worker)."""
        attachment = self._attachment
        assert attachment is not None
        if self._shown == (attachment.id, self._page, key):
            return
        new_page = self._shown is None or self._shown[:2] != (attachment.id, self._page)
        if new_page and self._visit_of != (attachment.id, self._page):
            self._leave_page()
        self._shown = (attachment.id, self._page, key)
        self.page_view.set_image(drawn.image, self._overlay(drawn.page, key[2] / 1000))
        if new_page:
            bar = self.scroll_area.verticalScrollBar()
            # Paging back with Page Up lands at the bottom of the previous page.
            bar.setValue(bar.maximum() if self._arrive_at_bottom else 0)
            if self._arrive_at_bottom:
                QTimer.singleShot(0, lambda: bar.setValue(bar.maximum()))
        self._arrive_at_bottom = False
        if paint_now:
            self.page_view.repaint()
        self.page_view.setAccessibleDescription(self._describe())
        self._update_controls()

    def _show_failure(self, text: str) -> None:
        self._leave_page()
        self._shown = None
        self.page_view.set_message(tr("ui.preview.cannot_show", reason=text))
        self.page_view.setAccessibleDescription(self.page_view.text())

    def _overlay(self, page: RenderedPage, scale: float) -> Overlay:
        attachment = self._attachment
        report = attachment.report if attachment is not None else None
        if report is None:
            return Overlay()
        number = page.page_index + 1
        rotation = self.rotation
        rects: list[QRectF] = []
        for hit in report.hits:
            if hit.page != number or hit.rect is None:
                continue
            left, top, right, bottom = rotate_rect(
                hit.rect, page.page_width, page.page_height, rotation
            )
            rects.append(
                QRectF(left * scale, top * scale, (right - left) * scale, (bottom - top) * scale)
            )
        banners = self._banners(number)
        return Overlay(rects, banners)

    def _describe(self) -> str:
        """What a screen reader says about the page: where, and what is highlighted."""
        attachment = self._attachment
        count = self.page_count
        parts = [tr("ui.preview.page_of", page=self._page + 1, pages=count or "?")]
        report = attachment.report if attachment is not None else None
        if report is not None:
            hits = [h.masked for h in report.hits if h.page == self._page + 1]
            if hits:
                parts.append(tr("ui.preview.hits_on_page", hits=", ".join(hits)))
            parts += [
                tr(f.code, **f.param_dict) for f in report.findings if f.page == self._page + 1
            ]
        return " ".join(parts)

    # -- seen-tracking -----------------------------------------------------------------

    def _leave_page(self) -> None:
        if self._visit is not None:
            self._visit.observe(_now_ms(), None, False)
        self._visit = self._visit_of = None
        self._dwell.stop()

    def _painted(self) -> None:
        self.page_painted.emit(self._page)  # it is on screen; seen-tracking comes after
        self._observe()

    def _visible_part(self) -> tuple[float, float, float, float] | None:
        if not self.isVisible() or self._shown is None:
            return None
        page = self.page_view.page_rect()
        if page.isEmpty():
            return None
        viewport = self.scroll_area.viewport()
        seen = QRect(-self.page_view.x(), -self.page_view.y(), viewport.width(), viewport.height())
        part = seen.intersected(page)
        if part.isEmpty():
            return None
        width, height = page.width(), page.height()
        return (
            (part.x() - page.x()) / width,
            (part.y() - page.y()) / height,
            (part.x() + part.width() - page.x()) / width,
            (part.y() + part.height() - page.y()) / height,
        )

    def _observe(self) -> None:
        """Feed the page's visit with what is on screen now; say when it is seen."""
        shown = self._shown
        if shown is None:
            return
        attachment_id, page, key = shown
        if self._visit is None or self._visit_of != (attachment_id, page):
            self._visit = PageVisit(self._services.settings.seen_dwell_ms)
            self._visit_of = (attachment_id, page)
        visit = self._visit
        if visit.done:
            return
        now = _now_ms()
        legible = readable(
            key[2] / 1000, self._services.settings.readable_scale, is_image=self._is_image()
        )
        visit.observe(now, self._visible_part(), legible)
        if visit.seen(now):
            visit.done = True
            self._dwell.stop()
            self.page_seen.emit(attachment_id, page)
            return
        remaining = visit.remaining_ms(now)
        if remaining is None:
            self._dwell.stop()
        else:
            self._dwell.start(math.ceil(remaining) + 1)

    # -- rendering ---------------------------------------------------------------------

    def _wanted(self) -> Iterator[_Job]:
        """What to draw next, most wanted first. Recomputed each time, so a page the
        clinician left is never drawn."""
        attachment = self._attachment
        if attachment is None:
            return
        sha, path = attachment.sha256, str(attachment.staged.path)
        page = self._page
        key = self._key(page, self._scale_for(page))
        if key not in self.page_cache and (sha, page) not in self._failed:
            yield _Job("page", attachment.id, path, key)
        count = self.page_count
        if sha in self._broken or count is None:
            return
        for step in _PREFETCH:
            other = page + step
            if 0 <= other < count and (sha, other) not in self._failed:
                key = self._key(other, self._scale_for(other))
                if key not in self.page_cache:
                    yield _Job("page", attachment.id, path, key)
        for row in self.thumbnails.visible_rows():
            key = self._thumb_key(row)
            if key not in self.thumb_cache and (sha, row) not in self._failed:
                yield _Job("thumb", attachment.id, path, key)

    def _pump(self) -> None:
        if self._in_flight is not None:
            return
        job = next(self._wanted(), None)
        if job is None:
            return
        self._in_flight = job
        worker, pixels = self._services.render_worker, self._pixels
        ratio = job.key[4] / 100

        def work() -> Drawn:
            target = pixels.target()
            page = worker.call("render", job.path, job.page, job.render_scale, job.rotation, target)
            if not isinstance(page, RenderedPage):
                raise ValueError("unexpected answer from the render worker")
            image = pixels.image(page)
            image.setDevicePixelRatio(ratio)
            return Drawn(image, dataclasses.replace(page, pixels=b""))

        run_in_background(
            self,
            work,
            lambda drawn: self._rendered(job, drawn),
            lambda error: self._render_failed(job, error),
        )

    def _rendered(self, job: _Job, drawn: object) -> None:
        self._in_flight = None
        assert isinstance(drawn, Drawn)
        self._arrived(job, drawn)

    def _arrived(self, job: _Job, drawn: Drawn) -> None:
        page = drawn.page
        sha = job.key[0]
        size = (page.page_width, page.page_height)
        self._sizes[(sha, job.page)] = size
        cache = self.thumb_cache if job.kind == "thumb" else self.page_cache
        cache.put(job.key, drawn, drawn.image.sizeInBytes())
        attachment = self._attachment
        if attachment is None or attachment.id != job.attachment_id:
            self._pump()
            return
        if job.kind == "page" and job.page == self._page:
            if job.key == self._key(self._page, self._scale_for(self._page)):
                self._display(job.key, drawn, paint_now=True)
            else:
                self._refresh()  # the page is not the size guessed: ask again to fit
        self._pump()  # the worker goes on while this thread does the rest
        if attachment.id not in self._counts:
            self._counts[attachment.id] = page.page_count
            self._update_thumbnails()
            self._update_controls()
        if attachment.page_count is None and attachment.id not in self._count_told:
            self._count_told.add(attachment.id)
            self.page_count_known.emit(attachment.id, page.page_count)
        if job.kind == "thumb":
            self.thumbnails.refresh(job.page, job.page)

    def _render_failed(self, job: _Job, error: BaseException) -> None:
        self._in_flight = None
        sha = job.key[0]
        text = gateway_error_text(error)
        self._failed[(sha, job.page)] = text
        self._broken.add(sha)
        attachment = self._attachment
        if (
            attachment is not None
            and attachment.id == job.attachment_id
            and job.kind == "page"
            and job.page == self._page
        ):
            self._show_failure(text)
            self.render_failed.emit(job.attachment_id, getattr(error, "code", "render"))
        self._pump()

    # -- thumbnails ----------------------------------------------------------------------

    def _show_strip(self, for_a_file: bool) -> bool:
        """The strip is there for every file (empty until the page count is known) so
        that the page does not jump, nor get drawn twice, when the count arrives. A
        narrow pane gives its room to the page."""
        wanted = for_a_file and self.width() >= THUMBS_FROM_WIDTH
        if wanted != self.thumbnails.isVisible():
            self.thumbnails.setVisible(wanted)
            layout = self.layout()
            if layout is not None:
                layout.activate()  # the page's room is known before its scale is chosen
        return wanted

    def _update_thumbnails(self) -> None:
        if not self._show_strip(self._attachment is not None or self._ahead_shown):
            return
        if self._attachment is None:
            return  # a first page drawn ahead: its file's pages are not known yet
        width, height = self._page_size(0)
        self.thumbnails.set_pages(self.page_count or 0, height / width)
        self.thumbnails.set_current(self._page)

    def _thumb_image(self, row: int) -> QImage | None:
        if self._attachment is None:
            return None
        drawn = self.thumb_cache.get(self._thumb_key(row))
        if drawn is None:
            # A page drawn for reading is better than a blank; Qt scales it down.
            drawn = self.page_cache.get(self._key(row, self._scale_for(row)))
        return drawn.image if drawn is not None else None

    def _thumb_seen(self, row: int) -> bool:
        return self._attachment is not None and row in self._attachment.seen_pages

    # -- keys ----------------------------------------------------------------------------

    def _page_down(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        if bar.value() < bar.maximum():
            bar.setValue(bar.value() + bar.pageStep())  # the rest of a tall page first
        else:
            self.go_to(self._page + 1)

    def _page_up(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        if bar.value() > bar.minimum():
            bar.setValue(bar.value() - bar.pageStep())
        elif self._page > 0:
            self._arrive_at_bottom = True
            self.go_to(self._page - 1)

    def _sideways(self, step: int) -> None:
        bar = self.scroll_area.horizontalScrollBar()
        if bar.maximum() > 0 and bar.minimum() < bar.value() + step * 1 < bar.maximum() + 1:
            bar.setValue(bar.value() + step * bar.singleStep() * 3)  # a page wider than the pane
        else:
            self.go_to(self._page + step)

    def _highlights_toggled(self) -> None:
        self.page_view.set_highlights_shown(self.highlights_button.isChecked())
        self._refresh()  # the banners' room changes what fits

    # -- Qt events -----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._attachment is not None:
            self._update_thumbnails()
            if not isinstance(self._zoom, float):
                self._relayout.start()
        self._observe()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._attachment is not None:
            self._relayout.start()
        QTimer.singleShot(0, self._observe)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self._visit is not None:
            self._visit.observe(_now_ms(), None, False)  # the clock stops while hidden
        self._dwell.stop()

    # -- controls ------------------------------------------------------------------------

    def _update_controls(self) -> None:
        attachment = self._attachment
        has = attachment is not None
        count = self.page_count
        for button in (
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_button,
            self.fit_page_button,
            self.rotate_button,
            self.highlights_button,
        ):
            button.setEnabled(has)
        self.fit_button.setChecked(self._zoom == "width")
        self.fit_page_button.setChecked(self._zoom == "page")
        self.previous_button.setEnabled(has and self._page > 0)
        self.next_button.setEnabled(has and count is not None and self._page < count - 1)
        self.zoom_label.setText(f"{round(self.scale * 100)} %" if has else "")
        if attachment is None or count is None:
            self.page_label.setText("")
            self.seen_label.setText("")
            return
        self.page_label.setText(tr("ui.preview.page_of", page=self._page + 1, pages=count))
        seen = len(attachment.seen_pages)
        self.seen_label.setText(tr("ui.preview.seen_of", seen=seen, pages=count))
        done = seen >= count
        self.seen_label.setStyleSheet("color: #1e7a3c; font-weight: bold;" if done else "")


def _now_ms() -> float:
    return time.monotonic() * 1000
