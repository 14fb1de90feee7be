"""The first page of a PDF just chosen, on screen before its staged copy is ready.

What the clinician waits for after choosing a file is its first page. Staging (copy,
type check, hash) and drawing that page used to run one after the other, each after
the other's thread hand-offs. Here the drawing comes first:

1. The render workers (two on a machine with more than one core) each draw half of
   page 1 straight from the chosen file, into the pane's shared block
   (``app.preview.rendering.render_ahead``). The pane shows it as soon as it is back, marked
   as being prepared: it counts for nothing yet.
2. Staging starts once that page is on screen (or after ``HEADSTART_S`` at the latest),
   so that the drawing has both cores to itself, and stages as always.
3. ``confirm`` has each worker draw its band again, from the staged copy, and compare:
   the same page count, the same page size and the same pixels as the window shows.
   Only then does the pane take the drawing as the staged copy's first page, which can
   count as seen. Otherwise (the file changed on disk meanwhile, a worker restarted) it
   is dropped and the page is drawn again from the staged copy.

So what is previewed, and counted as previewed, is always the staged copy's: the bytes
that are sent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QImage

from app.drafts.message_draft import Attachment
from app.preview.page_key import PageKey
from app.preview.render_client import (
    AheadRequest,
    Pending,
    RenderClient,
    confirm_ahead_together,
    render_ahead_together,
)
from app.preview.rendered_page import RenderedPage
from app.preview.scheduler import JobKind, RenderJob
from app.storage.staging import StagedFile
from ui.common.workers import run_in_background, when_answered
from ui.preview.page_pixels import Drawn, SharedPixels

log = logging.getLogger(__name__)

#: The longest staging waits for the first page to be drawn before it starts anyway. A
#: text page takes a few milliseconds; a heavy one must not hold staging up for long.
HEADSTART_S = 0.3
#: How long a worker may take to draw its band again from the staged copy and compare.
CONFIRM_TIMEOUT_S = 10.0
#: Larger files are not drawn ahead: mostly scans, whose first page is a large image that
#: both workers would read and decode from the chosen file and staging read again, from
#: a slow network share perhaps, for a page that the reading holds up anyway.
AHEAD_MAX_BYTES = 16 * 1024 * 1024

T = TypeVar("T")


class FirstPageAhead:
    """One file's first page drawn ahead. Made and started on the GUI thread; staging
    (on a pool thread) calls ``confirm``."""

    def __init__(
        self,
        source: Path,
        clients: Sequence[RenderClient],
        pixels: SharedPixels,
        *,
        scale: float,
        dpr_key: int,
        max_bytes: int,
    ) -> None:
        self.source = source
        self.scale = scale  # the zoom on screen (1.0 = 72 dpi)
        self.dpr_key = dpr_key  # the device pixel ratio, in 1/100
        self.token = uuid.uuid4().hex
        #: The drawing's geometry once back, and the drawing once kept by the pane (both
        #: on the GUI thread, before ``finished``).
        self.page: RenderedPage | None = None
        self.drawn: Drawn | None = None
        #: The staged copy the drawing was found to be of (set by ``confirm``).
        self.confirmed_path: Path | None = None
        #: True once the drawing is back (or failed) and the pane has had it.
        self.finished = False
        self._clients = list(clients)
        self._pixels = pixels
        self._max_bytes = max_bytes
        self._when_finished: list[Callable[[], None]] = []

    @property
    def filename(self) -> str:
        return self.source.name

    def start(self, owner: QObject, arrived: Callable[[FirstPageAhead], None]) -> bool:
        """Draw; ``arrived(self)`` comes on the GUI thread, drawn or not. False (and
        nothing started) when a worker is busy with another page: no head start then.

        The jobs go to the workers from here, at once, and their answers are collected
        here too when they come (``when_answered``): no thread of this process competes
        with the workers for the cores meanwhile. A job keeps its worker until its
        answer is collected."""
        target = self._pixels.target()
        if target is None:
            return False
        request = AheadRequest(
            self.token, self.source, self._max_bytes, self.scale * self.dpr_key / 100, target
        )
        try:
            sent = render_ahead_together(self._clients, request)
        except Exception as error:  # a worker that cannot start: the usual way then
            log.info("first page not drawn ahead: %s", type(error).__name__)
            return False
        if sent is None:
            return False

        def drawn(page: RenderedPage) -> None:
            self.page = page
            self._finish(arrived)

        def failed(error: BaseException) -> None:
            # Nothing is lost: the page is drawn from the staged copy as usual. The
            # error's kind only, since a parser's message may quote the file.
            log.info("first page not drawn ahead: %s", type(error).__name__)
            self._finish(arrived)

        when_answered(owner, sent.calls, lambda: self._collect(sent), drawn, failed)
        return True

    def when_finished(self, callback: Callable[[], None]) -> None:
        """``callback()`` on the GUI thread once the drawing is back and shown (or
        failed); at once if it is already."""
        if self.finished:
            callback()
        else:
            self._when_finished.append(callback)

    def confirm(self, staged_path: Path) -> bool:
        """Whether the drawing is of ``staged_path``'s bytes exactly (on the pool thread
        that staged it). Never waits for a drawing still under way: the page is then
        drawn from the staged copy."""
        if not self.finished or self.drawn is None:
            return False
        try:
            confirmed = confirm_ahead_together(
                self._clients, self.token, staged_path, CONFIRM_TIMEOUT_S
            )
        except Exception as error:  # a worker gone: not confirmed, drawn again
            log.info("first page drawn ahead not confirmed: %s", type(error).__name__)
            return False
        if confirmed:
            self.confirmed_path = staged_path
        return confirmed

    def taken_as(self, attachment: Attachment) -> tuple[RenderJob, Drawn] | None:
        """The drawing as ``attachment``'s first page, as if the pane had asked the
        worker for it, if it was confirmed to be of exactly that staged copy; else None
        (the page is drawn from the copy)."""
        if self.confirmed_path != attachment.staged.path or self.drawn is None:
            return None
        key = PageKey.of(attachment.sha256, 0, self.scale, 0, self.dpr_key)
        return RenderJob(JobKind.PAGE, attachment.id, attachment.staged.path, key), self.drawn

    def _finish(self, arrived: Callable[[FirstPageAhead], None]) -> None:
        try:
            arrived(self)  # on screen before staging starts, which waits for it
        finally:
            self.finished = True
            callbacks, self._when_finished = self._when_finished, []
            for callback in callbacks:
                callback()

    def _collect(self, sent: Pending[RenderedPage]) -> RenderedPage:
        """Every band's answer, once all are in: the page's geometry (its pixels are in
        the shared block, see ``keep``)."""
        pages = sent.collect()
        first = pages[0]
        if not first.shared:
            self._pixels.make_room(first)  # the next first page this large will fit
            raise ValueError("the page does not fit the shared block")
        geometry = _geometry(first)
        if any(_geometry(page) != geometry for page in pages):
            raise ValueError("the workers disagree about the page")  # never trust, check
        return first

    @contextlib.contextmanager
    def lent_image(self) -> Iterator[QImage]:
        """The drawing as a QImage over the shared block (GUI thread, drawn only), to
        paint at once; ``keep`` it before the block is used again."""
        assert self.page is not None
        with self._pixels.lent(self.page) as image:
            image.setDevicePixelRatio(self.dpr_key / 100)
            yield image

    def keep(self, image: QImage) -> Drawn:
        """The drawing as the pane keeps it: ``image`` copied out of the block."""
        assert self.page is not None
        kept = image.copy()
        kept.setDevicePixelRatio(self.dpr_key / 100)
        self.drawn = Drawn(kept, dataclasses.replace(self.page, pixels=b""))
        return self.drawn


class FirstPageSlot:
    """A preview pane's first page drawn ahead: the shared block it is drawn into, the
    drawing under way or on screen, and where the clinician was before it came."""

    def __init__(self, block_bytes: int) -> None:
        self.pixels = SharedPixels(block_bytes)
        self.ahead: FirstPageAhead | None = None
        #: Whether ``ahead``'s page is on screen now, waiting to be confirmed.
        self.shown = False
        #: (attachment id, page) on screen when the page drawn ahead took its place.
        self.left_for: tuple[str, int] | None = None

    def start(
        self,
        owner: QObject,
        source: Path,
        clients: Sequence[RenderClient],
        arrived: Callable[[FirstPageAhead], None],
        *,
        scale: float,
        dpr_key: int,
        max_bytes: int,
    ) -> FirstPageAhead | None:
        """Draw ``source``'s first page (see ``FirstPageAhead.start``); None when there
        is nothing to draw ahead: not a PDF by its name, another file's first page still
        under way, or a worker busy."""
        if source.suffix.lower() != ".pdf":
            return None
        if self.ahead is not None and not self.ahead.finished:
            return None
        ahead = FirstPageAhead(
            source, clients, self.pixels, scale=scale, dpr_key=dpr_key, max_bytes=max_bytes
        )
        if not ahead.start(owner, arrived):
            return None
        self.ahead = ahead
        return ahead

    def drop(self, ahead: FirstPageAhead | None) -> bool:
        """``ahead``'s file will not be shown; True if its page was on screen."""
        if ahead is None or ahead is not self.ahead:
            return False
        self.ahead = None
        shown, self.shown = self.shown, False
        return shown

    def take(self, attachment: Attachment) -> tuple[RenderJob, Drawn] | None:
        """The drawing as ``attachment``'s first page, if it was confirmed to be of its
        staged copy (the slot is then empty); else None."""
        taken = self.ahead.taken_as(attachment) if self.ahead is not None else None
        if taken is not None:
            self.ahead = None
        return taken


def stage_after_first_page(
    owner: QObject,
    ahead: FirstPageAhead | None,
    work: Callable[[], T],
    on_done: Callable[[T], None],
    on_failed: Callable[[BaseException], None],
) -> None:
    """Run ``work`` (staging) on a pool thread, once ``ahead``'s first page is on screen
    or ``HEADSTART_S`` has passed, whichever comes first; at once without ``ahead``."""
    started = False

    def begin() -> None:
        nonlocal started
        if not started:
            started = True
            run_in_background(owner, work, on_done, on_failed)

    if ahead is None:
        begin()
        return
    ahead.when_finished(begin)
    QTimer.singleShot(round(HEADSTART_S * 1000), owner, begin)


def confirm_staged(ahead: FirstPageAhead | None, staged: StagedFile) -> bool:
    """On the staging thread: whether ``ahead``'s drawing is of ``staged``'s copy (if so,
    showing the file takes it: ``ahead.confirmed_path``)."""
    return (
        ahead is not None and staged.media_type == "application/pdf" and ahead.confirm(staged.path)
    )


def _geometry(page: RenderedPage) -> tuple[int | str, ...]:
    return (page.page_count, page.width, page.height, page.stride, page.pixel_format)
