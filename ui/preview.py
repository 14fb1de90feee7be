"""The mandatory preview pane (REQUIREMENTS R6): every page of every file is shown here.

Pages are drawn in the render worker process (PDFium lives there, never in this
process) and arrive as raw pixels with their stride; this pane builds a QImage over
them once and keeps a small cache of pixmaps. Only the newest request is drawn: a
page the clinician already left is not rendered again.

A page counts as seen once it has been on screen, at a readable zoom, for the dwell
time in the settings. The pane reports that with ``page_seen``; the draft holds it.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.draft import Attachment
from app.rendering import RenderedPage
from app.services import Services
from ui.errors import gateway_error_text
from ui.i18n import tr
from ui.workers import run_in_background

_QIMAGE_FORMATS = {
    "RGB888": QImage.Format.Format_RGB888,
    "RGBA8888": QImage.Format.Format_RGBA8888,
    "RGBX8888": QImage.Format.Format_RGBX8888,
    "Grayscale8": QImage.Format.Format_Grayscale8,
}
_BYTES_PER_PIXEL = {"RGB888": 3, "RGBA8888": 4, "RGBX8888": 4, "Grayscale8": 1}
_CACHE_PAGES = 24
_A4_WIDTH_PT = 595.0


def image_from_page(page: RenderedPage) -> QImage:
    """A QImage that owns its pixels. What the worker sent is checked first: it is
    treated as untrusted, and a size that does not add up is refused."""
    fmt = _QIMAGE_FORMATS.get(page.pixel_format)
    if fmt is None or page.width <= 0 or page.height <= 0:
        raise ValueError("unknown pixel format or size")
    if page.stride < page.width * _BYTES_PER_PIXEL[page.pixel_format]:
        raise ValueError("stride too small")
    if len(page.pixels) < page.stride * page.height:
        raise ValueError("pixel buffer too short")
    return QImage(page.pixels, page.width, page.height, page.stride, fmt).copy()


@dataclass(frozen=True, slots=True)
class _Request:
    attachment_id: str
    path: str
    sha256: str
    page: int
    scale: float


class PreviewPane(QWidget):
    #: (attachment id, 0-based page)
    page_seen = Signal(str, int)
    #: (attachment id, page count), once the file has been opened for preview
    page_count_known = Signal(str, int)
    #: (attachment id, error code or text) when a file cannot be drawn
    render_failed = Signal(str, str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._attachment: Attachment | None = None
        self._page = 0
        self._zoom: float | None = None  # None: fit width
        self._page_widths: dict[tuple[str, int], float] = {}
        self._cache: OrderedDict[tuple[str, int, float], QPixmap] = OrderedDict()
        self._in_flight: _Request | None = None
        self._wanted: _Request | None = None
        self._shown: tuple[str, int] | None = None
        self._dwell = QTimer(self)
        self._dwell.setSingleShot(True)
        self._dwell.setInterval(services.settings.seen_dwell_ms)
        self._dwell.timeout.connect(self._dwell_elapsed)

        self.setMinimumWidth(360)
        layout = QVBoxLayout(self)
        self.title = QLabel(tr("ui.preview.empty"))
        self.title.setWordWrap(True)
        self.title.setAccessibleName(tr("ui.preview.title"))
        layout.addWidget(self.title)

        self.page_view = QLabel()
        self.page_view.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.page_view.setAccessibleName(tr("ui.preview.page"))
        self.page_view.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(self.page_view)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout.addWidget(self.scroll_area, 1)

        nav = QHBoxLayout()
        self.previous_button = QPushButton(tr("ui.preview.previous"))
        self.previous_button.clicked.connect(lambda: self.go_to(self._page - 1))
        self.next_button = QPushButton(tr("ui.preview.next"))
        self.next_button.clicked.connect(lambda: self.go_to(self._page + 1))
        self.page_label = QLabel()
        self.page_label.setAccessibleName(tr("ui.preview.page_number"))
        self.seen_label = QLabel()
        self.seen_label.setAccessibleName(tr("ui.preview.progress"))
        self.zoom_out_button = QPushButton("−")
        self.zoom_out_button.setAccessibleName(tr("ui.preview.zoom_out"))
        self.zoom_out_button.clicked.connect(lambda: self.zoom_by(1 / 1.25))
        self.zoom_in_button = QPushButton("+")
        self.zoom_in_button.setAccessibleName(tr("ui.preview.zoom_in"))
        self.zoom_in_button.clicked.connect(lambda: self.zoom_by(1.25))
        self.fit_button = QPushButton(tr("ui.preview.fit_width"))
        self.fit_button.clicked.connect(self.fit_width)
        for widget in (self.previous_button, self.page_label, self.next_button):
            nav.addWidget(widget)
        nav.addStretch(1)
        nav.addWidget(self.seen_label)
        nav.addStretch(1)
        for widget in (self.zoom_out_button, self.fit_button, self.zoom_in_button):
            nav.addWidget(widget)
        layout.addLayout(nav)

        for keys, action in (
            (QKeySequence.StandardKey.MoveToNextPage, lambda: self.go_to(self._page + 1)),
            (QKeySequence.StandardKey.MoveToPreviousPage, lambda: self.go_to(self._page - 1)),
            (QKeySequence.StandardKey.ZoomIn, lambda: self.zoom_by(1.25)),
            (QKeySequence.StandardKey.ZoomOut, lambda: self.zoom_by(1 / 1.25)),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(action)
        for key, target in ((Qt.Key.Key_Home, lambda: 0), (Qt.Key.Key_End, self._last_page)):
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda target=target: self.go_to(target()))
        self._update_controls()

    # -- what is shown ---------------------------------------------------------------

    @property
    def attachment(self) -> Attachment | None:
        return self._attachment

    @property
    def current_page(self) -> int:
        return self._page

    def show_attachment(self, attachment: Attachment | None, page: int = 0) -> None:
        self._dwell.stop()
        self._attachment = attachment
        self._shown = None
        self.page_view.clear()
        if attachment is None:
            self.title.setText(tr("ui.preview.empty"))
            self._update_controls()
            return
        self.title.setText(attachment.filename)
        self._page = max(0, page)
        self._update_controls()
        self._request(self._page)

    def refresh_progress(self) -> None:
        self._update_controls()

    def go_to(self, page: int) -> None:
        attachment = self._attachment
        if attachment is None:
            return
        last = self._last_page()
        page = max(0, min(page, last))
        if page == self._page and self._shown == (attachment.id, page):
            return
        self._dwell.stop()
        self._page = page
        self._update_controls()
        self._request(page)

    def zoom_by(self, factor: float) -> None:
        current = self._zoom if self._zoom is not None else self._fit_scale(self._page)
        self._zoom = max(0.25, min(4.0, current * factor))
        self._redraw()

    def fit_width(self) -> None:
        self._zoom = None
        self._redraw()

    @property
    def scale(self) -> float:
        return self._zoom if self._zoom is not None else self._fit_scale(self._page)

    # -- rendering ---------------------------------------------------------------------

    def _last_page(self) -> int:
        count = self._attachment.page_count if self._attachment else None
        return max(0, (count or 1) - 1)

    def _fit_scale(self, page: int) -> float:
        attachment = self._attachment
        width = _A4_WIDTH_PT
        if attachment is not None:
            width = self._page_widths.get((attachment.id, page)) or self._page_widths.get(
                (attachment.id, 0), _A4_WIDTH_PT
            )
        available = max(200, self.scroll_area.viewport().width() - 24)
        return round(max(0.3, min(3.0, available / width)), 2)

    def _redraw(self) -> None:
        if self._attachment is not None:
            self._shown = None
            self._request(self._page)

    def _request(self, page: int) -> None:
        attachment = self._attachment
        assert attachment is not None
        request = _Request(
            attachment.id, str(attachment.staged.path), attachment.sha256, page, self.scale
        )
        cached = self._cache.get((request.sha256, page, request.scale))
        if cached is not None:
            self._cache.move_to_end((request.sha256, page, request.scale))
            self._wanted = None
            self._display(request, cached)
            return
        self._wanted = request
        self._start_next()

    def _start_next(self) -> None:
        if self._in_flight is not None or self._wanted is None:
            return
        request, self._wanted = self._wanted, None
        self._in_flight = request
        worker = self._services.render_worker
        run_in_background(
            self,
            lambda: worker.call("render", request.path, request.page, request.scale),
            lambda page: self._rendered(request, page),
            lambda error: self._render_failed(request, error),
        )

    def _rendered(self, request: _Request, page: object) -> None:
        self._in_flight = None
        assert isinstance(page, RenderedPage)
        try:
            pixmap = QPixmap.fromImage(image_from_page(page))
        except ValueError:
            self._render_failed(request, ValueError("bad page from worker"))
            return
        self._page_widths[(request.attachment_id, request.page)] = page.page_width
        self._cache[(request.sha256, request.page, request.scale)] = pixmap
        while len(self._cache) > _CACHE_PAGES:
            self._cache.popitem(last=False)
        attachment = self._attachment
        if attachment is not None and attachment.id == request.attachment_id:
            if attachment.page_count is None:
                self.page_count_known.emit(attachment.id, page.page_count)
            if self._wanted is None and request.page == self._page:
                if self._zoom is None and abs(self._fit_scale(request.page) - request.scale) > 0.02:
                    self._request(request.page)  # the page is not A4: draw it again to fit
                else:
                    self._display(request, pixmap)
        self._start_next()
        if self._wanted is None and self._in_flight is None:
            self._prefetch()

    def _render_failed(self, request: _Request, error: BaseException) -> None:
        self._in_flight = None
        attachment = self._attachment
        if attachment is not None and attachment.id == request.attachment_id:
            self.page_view.clear()
            self.page_view.setText(tr("ui.preview.cannot_show", reason=gateway_error_text(error)))
            self.render_failed.emit(request.attachment_id, getattr(error, "code", "render"))
        self._start_next()

    def _prefetch(self) -> None:
        """Draw the next page ahead, so turning to it is instant."""
        attachment = self._attachment
        if attachment is None or attachment.page_count is None:
            return
        nxt = self._page + 1
        if nxt >= attachment.page_count:
            return
        key = (attachment.sha256, nxt, self.scale)
        if key in self._cache:
            return
        self._wanted = _Request(
            attachment.id, str(attachment.staged.path), attachment.sha256, nxt, self.scale
        )
        self._start_next()

    def _display(self, request: _Request, pixmap: QPixmap) -> None:
        self.page_view.setPixmap(pixmap)
        self.page_view.setMinimumSize(pixmap.size())
        self._shown = (request.attachment_id, request.page)
        self._update_controls()
        if request.scale >= self._services.settings.readable_scale or self._is_image():
            self._dwell.start()

    def _is_image(self) -> bool:
        return bool(self._attachment and self._attachment.is_image)

    def _dwell_elapsed(self) -> None:
        if self._shown is not None and self.isVisible():
            attachment_id, page = self._shown
            self.page_seen.emit(attachment_id, page)

    def _update_controls(self) -> None:
        attachment = self._attachment
        has = attachment is not None
        count = attachment.page_count if attachment else None
        for button in (self.zoom_in_button, self.zoom_out_button, self.fit_button):
            button.setEnabled(has)
        self.previous_button.setEnabled(has and self._page > 0)
        self.next_button.setEnabled(has and count is not None and self._page < count - 1)
        if attachment is None or count is None:
            self.page_label.setText("")
            self.seen_label.setText("")
            return
        self.page_label.setText(tr("ui.preview.page_of", page=self._page + 1, pages=count))
        self.seen_label.setText(
            tr("ui.preview.seen_of", seen=len(attachment.seen_pages), pages=count)
        )
