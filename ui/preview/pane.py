"""The mandatory preview pane (docs/requirements.md R6): every page of every file is shown here.

Pages are drawn in the render worker process (PDFium lives there, never in this
process) straight into a shared-memory block this pane owns, and become QImages on a
pool thread; this pane only paints. What to draw next and what to keep is decided
without Qt by :class:`app.preview.scheduler.PreviewScheduler`: one request in flight,
the page on screen first, then its neighbours, then the thumbnails on screen.

A page counts as seen once it has been on screen, at a readable zoom, for the dwell
time in the settings, and every part of it was shown (:mod:`app.preview.seen_tracking`).
The pane reports that with ``page_seen``; the draft holds it. See docs/preview.md.
"""

from __future__ import annotations

import weakref
from pathlib import Path

from PySide6.QtCore import QSize, QTimer, Signal
from PySide6.QtGui import QImage, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from app.drafts.message_draft import Attachment
from app.preview.page_cache import ByteBoundedLRU
from app.preview.page_key import PageKey
from app.preview.render_client import RenderClient
from app.preview.scheduler import (
    PAGE_CACHE_BYTES,
    THUMB_CACHE_BYTES,
    Arrival,
    JobKind,
    PreviewScheduler,
    RenderJob,
    Viewing,
)
from app.preview.seen_tracking import readable
from app.preview.zoom import A4, ZOOM_STEP
from app.runtime.services import Services
from ui.common.errors import gateway_error_text
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.preview.controls import PageNavigation, PreviewHeader, ViewerTools
from ui.preview.first_page import AHEAD_MAX_BYTES, FirstPageAhead, FirstPageSlot
from ui.preview.geometry import PreviewGeometry
from ui.preview.keys import bind_preview_keys, last_page
from ui.preview.outside_text import OutsideTextList
from ui.preview.page_marks import describe, overlay
from ui.preview.page_pixels import (
    DEFAULT_BLOCK_BYTES,
    Drawn,
    SharedPixels,
    draw_page,
    image_from_page,
)
from ui.preview.page_screen import PageScreen
from ui.preview.read_aloud import ReadAloud
from ui.preview.thumbnails import ThumbnailStrip

__all__ = ["PreviewPane", "image_from_page"]

#: Below this width the thumbnails make way for the page.
THUMBS_FROM_WIDTH = 540
_BODY_SPACING = 6  # between the thumbnails and the page


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
        self._count_told: set[str] = set()
        self._marked: object = None  # the report whose marks are on the page on screen
        self.scheduler: PreviewScheduler[Drawn] = PreviewScheduler(cache_bytes, thumb_cache_bytes)
        self._pixels = SharedPixels(block_bytes)
        # The first page of a file just chosen, drawn before it is staged (ui.preview.first_page).
        self._ahead = FirstPageSlot(block_bytes)
        # The blocks are deleted with the pane, or at exit at the latest.
        for block in (self._pixels, self._ahead.pixels):
            self.destroyed.connect(block.close)
            weakref.finalize(self, block.close)
        self._relayout = QTimer(self)  # a resize settles before the page is drawn again
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(80)
        self._relayout.timeout.connect(self._refresh)

        self.setMinimumWidth(420)
        self._build()
        bind_preview_keys(self, self, self._screen)
        self.highlights_button.toggled.connect(lambda _on: self._highlights_toggled())
        self._update_controls()

    # -- layout ------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        self.header = PreviewHeader()
        layout.addLayout(self.header)
        self.title, self.seen_label = self.header.title, self.header.seen_label

        # The viewer's tools above the page, paging below it.
        tools = ViewerTools(self.zoom_by, ZOOM_STEP, self.fit_width, self.fit_page, self.rotate)
        layout.addLayout(tools)
        self.tools = tools
        self.zoom_in_button, self.zoom_out_button = tools.zoom_in_button, tools.zoom_out_button
        self.rotate_button, self.highlights_button = tools.rotate_button, tools.highlights_button

        body = QHBoxLayout()
        body.setSpacing(_BODY_SPACING)
        self.thumbnails = ThumbnailStrip(self._thumb_image, self._thumb_seen)
        self.thumbnails.page_chosen.connect(self.go_to)
        self.thumbnails.visible_changed.connect(self._pump)
        self.thumbnails.hide()
        body.addWidget(self.thumbnails)
        self._screen = PageScreen(lambda: self._services.settings.seen_dwell_ms)
        self._screen.page_seen.connect(self.page_seen)
        self._screen.painted.connect(lambda: self.page_painted.emit(self._page))
        self.page_view, self.scroll_area = self._screen.page_view, self._screen.area
        self.sizing = PreviewGeometry(
            self._screen,
            self.scheduler.page_size,
            readable_scale=lambda: self._services.settings.readable_scale,
            highlights_on=self.highlights_button.isChecked,
            pixel_ratio=self.devicePixelRatioF,
        )
        self.read_aloud = ReadAloud(self, tools, self._services.render_worker, self.page_view)
        self.read_aloud.page_read.connect(self.page_seen)  # read through with a screen reader
        body.addWidget(self._screen, 1)
        body.addWidget(self.read_aloud.view, 1)
        layout.addLayout(body, 1)

        self.navigation = PageNavigation(lambda step: self.go_to(self._page + step))
        layout.addLayout(self.navigation)
        self.previous_button, self.next_button = (
            self.navigation.previous_button, self.navigation.next_button
        )  # fmt: skip
        self.page_label = self.navigation.page_label
        self.outside = OutsideTextList()  # "Text i filen utanför sidorna"
        layout.addWidget(self.outside)

    # -- what is shown ---------------------------------------------------------------

    @property
    def attachment(self) -> Attachment | None:
        return self._attachment

    @property
    def current_page(self) -> int:
        return self._page

    @property
    def rotation(self) -> int:
        return self.sizing.rotation(self._attachment)

    @property
    def page_count(self) -> int | None:
        attachment = self._attachment
        if attachment is None:
            return None
        return attachment.page_count or self.scheduler.page_count(attachment.id)

    @property
    def page_cache(self) -> ByteBoundedLRU[PageKey, Drawn]:
        return self.scheduler.pages

    @property
    def thumb_cache(self) -> ByteBoundedLRU[PageKey, Drawn]:
        return self.scheduler.thumbs

    def draw_ahead(self, source: Path) -> FirstPageAhead | None:
        """Start drawing the first page of ``source``, a PDF just chosen, before its
        staged copy exists (see :mod:`ui.preview.first_page`); it is shown as soon as it is back,
        marked as being prepared. None when there is nothing to draw ahead (not a PDF
        by its name, another file's first page is still being drawn, a worker busy)."""
        strip = 0
        if not self.thumbnails.isVisible() and self.width() >= THUMBS_FROM_WIDTH:
            strip = self.thumbnails.width() + _BODY_SPACING  # there once the file is shown
        scale = self.sizing.fit(None, A4, None, strip)
        return self._ahead.start(
            self,
            source,
            [RenderClient(worker) for worker in self._services.render_workers],
            self._ahead_arrived,
            scale=scale,
            dpr_key=self.sizing.dpr_key(),
            max_bytes=min(self._services.staging.max_bytes, AHEAD_MAX_BYTES),
        )

    @property
    def left_for_ahead(self) -> tuple[str, int] | None:
        """(attachment id, page) that was on screen when a first page drawn ahead took
        its place: where to go back to if that file is refused."""
        return self._ahead.left_for

    def drop_ahead(self, ahead: FirstPageAhead | None) -> bool:
        """``ahead``'s file will not be shown (staging refused it, or it is a duplicate).
        True if its page was on screen: the caller shows what belongs there (see
        ``left_for_ahead``)."""
        shown = self._ahead.drop(ahead)
        if shown:
            self.show_attachment(None)
        return shown

    def _ahead_arrived(self, ahead: FirstPageAhead) -> None:
        """The first page drawn ahead is back: on screen at once, painted straight from
        the shared block, and only then copied out of it to be kept. It counts for
        nothing until ``show_attachment`` takes it as the staged copy's."""
        if ahead is not self._ahead.ahead or ahead.page is None:
            return
        left = self._attachment
        self._ahead.left_for = (left.id, self._page) if left is not None else None
        self._attachment = None
        self._page = 0
        self._ahead.shown = True
        with ahead.lent_image() as image:
            self._screen.show_unconfirmed(image)
            self.page_view.keep_image(ahead.keep(image).image)
        self.title.setText(ahead.filename)
        self._update_controls()
        self.page_label.setText(tr("ui.preview.pane.preparing"))
        self.page_view.setAccessibleDescription(tr("ui.preview.pane.preparing"))

    def show_attachment(self, attachment: Attachment | None, page: int = 0) -> None:
        self._attachment = attachment
        self._screen.leave()
        self._ahead.shown = False
        if attachment is None:
            self.title.setText(tr("ui.preview.pane.empty"))
            self._screen.clear()
            self.thumbnails.set_pages(0, 1.0)
            self.thumbnails.hide()
            self._update_controls()
            return
        taken = self._ahead.take(attachment)
        self.title.setText(attachment.filename)
        self._page = max(0, page)
        self.scheduler.retry_file(attachment.sha256)
        if taken is not None:
            # Cached at once: laying the pane out for the file may ask for pages meanwhile.
            job, drawn = taken
            self.scheduler.keep(job, drawn, drawn.image.sizeInBytes(), drawn.page.size)
        self._update_thumbnails()
        if taken is not None:
            self._arrived(*taken)  # on screen now if it is the page wanted
        self._refresh()

    def refresh_progress(self) -> None:
        self._update_controls()
        self.thumbnails.refresh()
        if self._attachment is not None and self._marked is not self._attachment.report:
            self._refresh()  # its inspection is back: the marks on the page on screen

    def go_to(self, page: int) -> None:
        attachment = self._attachment
        if attachment is None:
            return
        page = max(0, min(page, self._last_page()))
        if page == self._page and self._screen.showing is not None:
            return
        self.scheduler.retry_page(attachment.sha256, page)  # asked for again: try again
        self._page = page
        self._refresh()

    def zoom_by(self, factor: float) -> None:
        self.sizing.zoom_by(self._attachment, self._page, factor)
        self._refresh()

    def fit_width(self) -> None:
        self.sizing.zoom = "width"
        self._refresh()

    def fit_page(self) -> None:
        """The whole page in view (the default), but never smaller than readable."""
        self.sizing.zoom = "page"
        self._refresh()

    def rotate(self, degrees: int = 90) -> None:
        """Turn the file's pages clockwise (90° steps), e.g. a landscape table."""
        if self._attachment is not None:
            self.sizing.rotate(self._attachment, degrees)
            self._refresh()

    @property
    def scale(self) -> float:
        """The zoom of the page on screen (1.0 = 72 dpi), as the clinician sees it."""
        return self._scale_for(self._page)

    # -- geometry (ui.preview.geometry) ---------------------------------------------------

    def _last_page(self) -> int:
        return last_page(self.page_count)

    def _page_size(self, page: int) -> tuple[float, float]:
        return self.sizing.page_size(self._attachment, page)

    def _scale_for(self, page: int) -> float:
        return self.sizing.scale(self._attachment, page)

    def _key(self, page: int, scale: float) -> PageKey:
        attachment = self._attachment
        assert attachment is not None
        return self.sizing.key(attachment, page, scale)

    def _page_key(self, page: int) -> PageKey:
        attachment = self._attachment
        assert attachment is not None
        return self.sizing.page_key(attachment, page)

    def _thumb_key(self, page: int) -> PageKey:
        attachment = self._attachment
        assert attachment is not None
        return self.sizing.thumb_key(attachment, page)

    def _is_image(self) -> bool:
        return bool(self._attachment and self._attachment.is_image)

    def _viewing(self) -> Viewing | None:
        attachment = self._attachment
        if attachment is None:
            return None
        return Viewing(
            attachment.id,
            attachment.sha256,
            attachment.staged.path,
            self._page,
            self.page_count,
            self._page_key,
            self._thumb_key,
            self.thumbnails.visible_rows,
        )

    # -- what is on screen -------------------------------------------------------------

    def _refresh(self) -> None:
        """Show the current page if it is drawn; otherwise ask for it, and show a blank
        page of the right size meanwhile (never the page the clinician just left)."""
        attachment = self._attachment
        if attachment is None:
            return
        scale = self._scale_for(self._page)
        key = self._key(self._page, scale)
        drawn = self.scheduler.pages.get(key)
        failure = self.scheduler.failure(attachment.sha256, self._page)
        if drawn is not None:
            self._display(key, drawn)
        elif failure is not None:
            self._show_failure(failure)
        else:
            self._pump()  # first, so the worker draws while this thread updates the pane
            if self._screen.showing != (attachment.id, self._page):
                width, height = self._page_size(self._page)
                self._screen.show_placeholder(QSize(round(width * scale), round(height * scale)))
        self._update_controls()
        self.thumbnails.set_current(self._page)
        self._pump()

    def _display(self, key: PageKey, drawn: Drawn, *, paint_now: bool = False) -> None:
        """Show a drawn page; ``paint_now``: on screen before the bookkeeping, not at the
        next turn of the event loop (a page that just arrived from the worker)."""
        attachment = self._attachment
        assert attachment is not None
        if self._screen.shows(attachment.id, self._page, key) and self._marked is attachment.report:
            return
        self._marked = attachment.report
        marks = overlay(attachment.report, drawn.page, key.scale, self.rotation)
        legible = readable(
            key.scale, self._services.settings.readable_scale, is_image=self._is_image()
        )
        self._screen.show_page(
            attachment.id, self._page, key, drawn.image, marks, legible=legible, paint_now=paint_now
        )
        self.page_view.setAccessibleDescription(
            describe(attachment.report, self._page, self.page_count)
        )
        self._update_controls()

    def _show_failure(self, text: str) -> None:
        self._screen.show_message(tr("ui.preview.pane.cannot_show", reason=text))

    # -- rendering ---------------------------------------------------------------------

    def _pump(self) -> None:
        """Send the most wanted page to the render worker, unless one is on its way."""
        job = self.scheduler.take_next(self._viewing())
        if job is None:
            return
        client, pixels = RenderClient(self._services.render_worker), self._pixels
        run_in_background(
            self,
            lambda: draw_page(client, pixels, job.path, job.key),
            lambda drawn: self._arrived(job, drawn),
            lambda error: self._render_failed(job, error),
        )

    def _arrived(self, job: RenderJob, drawn: Drawn) -> None:
        view = self._viewing()
        size = drawn.image.sizeInBytes()
        arrival = self.scheduler.arrived(job, drawn, size, drawn.page.size, view)
        if arrival is Arrival.SHOW:
            self._display(job.key, drawn, paint_now=True)
        elif arrival is Arrival.REFIT:
            self._refresh()  # the page is not the size guessed: ask again to fit
        self._pump()  # the worker goes on while this thread does the rest
        attachment = self._attachment
        if attachment is None or attachment.id != job.attachment_id:
            return
        count = drawn.page.page_count
        if self.scheduler.learn_count(attachment.id, count):
            self._update_thumbnails()
            self._update_controls()
        if attachment.page_count is None and attachment.id not in self._count_told:
            self._count_told.add(attachment.id)
            self.page_count_known.emit(attachment.id, count)
        if job.kind is JobKind.THUMB:
            self.thumbnails.refresh(job.page, job.page)

    def _render_failed(self, job: RenderJob, error: BaseException) -> None:
        text = gateway_error_text(error)
        if self.scheduler.failed(job, text, self._viewing()):
            self._show_failure(text)
            self.render_failed.emit(job.attachment_id, getattr(error, "code", "render"))
        self._pump()

    # -- thumbnails ----------------------------------------------------------------------

    def _update_thumbnails(self) -> None:
        wanted = self._attachment is not None or self._ahead.shown
        if not self.thumbnails.show_for_a_file(wanted and self.width() >= THUMBS_FROM_WIDTH):
            return  # a narrow pane gives its room to the page
        if self._attachment is None:
            return  # a first page drawn ahead: its file's pages are not known yet
        width, height = self._page_size(0)
        self.thumbnails.set_pages(self.page_count or 0, height / width)
        self.thumbnails.set_current(self._page)

    def _thumb_image(self, row: int) -> QImage | None:
        if self._attachment is None:
            return None
        drawn = self.scheduler.thumbs.get(self._thumb_key(row))
        if drawn is None:
            # A page drawn for reading is better than a blank; Qt scales it down.
            drawn = self.scheduler.pages.get(self._page_key(row))
        return drawn.image if drawn is not None else None

    def _thumb_seen(self, row: int) -> bool:
        return self._attachment is not None and row in self._attachment.seen_pages

    # -- keys (ui.preview.keys) -----------------------------------------------------------

    def _highlights_toggled(self) -> None:
        self.page_view.set_highlights_shown(self.highlights_button.isChecked())
        self._refresh()  # the banners' room changes what fits

    # -- Qt events -----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._attachment is not None:
            self._update_thumbnails()
            if not isinstance(self.sizing.zoom, float):
                self._relayout.start()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._attachment is not None:
            self._relayout.start()

    # -- controls ------------------------------------------------------------------------

    def _update_controls(self) -> None:
        attachment = self._attachment
        count = self.page_count
        self.tools.show_state(attachment is not None, self.sizing.zoom, self.scale)
        self.navigation.show_state(self._page if attachment is not None else None, count)
        self.header.show_progress(attachment, count)
        self.read_aloud.follow(attachment, self._page)
        self.outside.show_report(attachment.report if attachment is not None else None)
