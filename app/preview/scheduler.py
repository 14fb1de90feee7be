"""Which page the render worker draws next, and what is kept: the preview's scheduling.

The worker does one job at a time, so exactly one request is in flight, and the next
one is chosen when it returns, most wanted first: the page on screen, then its
neighbours (prefetch), then the thumbnails on screen. The choice is made again each
time from what is on screen then, so a page the clinician has left is simply never
picked: stale work is dropped by not being asked for, not by cancelling the worker.

Drawn pages are kept in caches bounded by bytes (:mod:`app.preview.page_cache`), keyed
by :class:`PageKey`. What a drawing is (a QImage in the window) is the caller's: the
scheduler only keeps it and its size.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from app.preview.page_cache import ByteBoundedLRU
from app.preview.page_key import PageKey
from app.preview.zoom import A4

D = TypeVar("D")

_MiB = 1024 * 1024
#: Drawn pages kept: about 30 A4 pages at 100 %, whatever the zoom.
PAGE_CACHE_BYTES = 64 * _MiB
#: Thumbnails kept: a 500-page file's whole strip fits several times over.
THUMB_CACHE_BYTES = 16 * _MiB
#: Neighbours drawn ahead, nearest first: reading goes forwards, sometimes one back.
PREFETCH = (1, -1, 2)


class JobKind(enum.Enum):
    PAGE = "page"  # to read
    THUMB = "thumb"  # for the strip


@dataclass(frozen=True, slots=True)
class RenderJob:
    kind: JobKind
    attachment_id: str
    path: Path  # the staged copy
    key: PageKey

    @property
    def page(self) -> int:
        return self.key.page


@dataclass(frozen=True)
class Viewing:
    """What the pane shows now, as the scheduler needs to know it."""

    attachment_id: str
    sha256: str
    path: Path
    page: int
    page_count: int | None  # None until the first drawing says it
    #: The key a page would be drawn under now (the zoom and turn on screen).
    page_key: Callable[[int], PageKey]
    #: The key a page's thumbnail would be drawn under now.
    thumb_key: Callable[[int], PageKey]
    #: The thumbnails on screen now, in order (asked only when prefetch is done).
    thumb_rows: Callable[[], Sequence[int]] = tuple


class Arrival(enum.Enum):
    """What the pane does with a drawing that came back."""

    SHOW = "show"  # the page on screen, at the size wanted: paint it now
    REFIT = "refit"  # the page on screen, but its size changes the fit: ask again
    KEPT = "kept"  # for later (a neighbour, a thumbnail, another file)


class PreviewScheduler(Generic[D]):
    """The pane's render queue and caches. Not thread-safe: the GUI thread's."""

    def __init__(
        self, page_cache_bytes: int = PAGE_CACHE_BYTES, thumb_cache_bytes: int = THUMB_CACHE_BYTES
    ) -> None:
        self.pages: ByteBoundedLRU[PageKey, D] = ByteBoundedLRU(page_cache_bytes)
        self.thumbs: ByteBoundedLRU[PageKey, D] = ByteBoundedLRU(thumb_cache_bytes)
        #: The job the worker is drawing now, if any.
        self.in_flight: RenderJob | None = None
        #: (file SHA-256, page) -> its size in points before the clinician's turn.
        self._sizes: dict[tuple[str, int], tuple[float, float]] = {}
        #: (file SHA-256, page) -> why it could not be drawn (shown in its place).
        self._failures: dict[tuple[str, int], str] = {}
        #: Files that failed once: nothing more of them is drawn in the background.
        self._broken: set[str] = set()
        self._counts: dict[str, int] = {}  # attachment id -> pages

    # -- choosing ----------------------------------------------------------------------

    def wanted(self, view: Viewing) -> Iterator[RenderJob]:
        """What to draw for ``view``, most wanted first (neither drawn nor failed)."""
        sha, page = view.sha256, view.page

        def job(kind: JobKind, key: PageKey) -> RenderJob:
            return RenderJob(kind, view.attachment_id, view.path, key)

        key = view.page_key(page)
        if key not in self.pages and (sha, page) not in self._failures:
            yield job(JobKind.PAGE, key)
        count = view.page_count
        if sha in self._broken or count is None:
            return  # a file that failed, or one not opened yet: the page on screen only
        for step in PREFETCH:
            other = page + step
            if 0 <= other < count and (sha, other) not in self._failures:
                key = view.page_key(other)
                if key not in self.pages:
                    yield job(JobKind.PAGE, key)
        for row in view.thumb_rows():
            key = view.thumb_key(row)
            if key not in self.thumbs and (sha, row) not in self._failures:
                yield job(JobKind.THUMB, key)

    def take_next(self, view: Viewing | None) -> RenderJob | None:
        """The job to send now, marked in flight; None while one is in flight (the
        worker does one at a time) or when nothing is wanted."""
        if self.in_flight is not None or view is None:
            return None
        self.in_flight = next(self.wanted(view), None)
        return self.in_flight

    # -- answers -----------------------------------------------------------------------

    def arrived(
        self,
        job: RenderJob,
        drawn: D,
        size_bytes: int,
        page_size: tuple[float, float],
        view: Viewing | None,
    ) -> Arrival:
        """``job`` was drawn (``page_size`` in points, as the worker measured it): keep
        it, and say what ``view`` does with it."""
        if self.in_flight is job:
            self.in_flight = None
        self.keep(job, drawn, size_bytes, page_size)
        if view is None or view.attachment_id != job.attachment_id:
            return Arrival.KEPT
        if job.kind is not JobKind.PAGE or job.page != view.page:
            return Arrival.KEPT
        # The page's real size may change the fit: then it is drawn again, fitted.
        return Arrival.SHOW if job.key == view.page_key(view.page) else Arrival.REFIT

    def keep(
        self, job: RenderJob, drawn: D, size_bytes: int, page_size: tuple[float, float]
    ) -> None:
        """Cache a drawing (one that arrived, or one drawn ahead and taken)."""
        self._sizes[(job.key.sha256, job.page)] = page_size
        cache = self.thumbs if job.kind is JobKind.THUMB else self.pages
        cache.put(job.key, drawn, size_bytes)

    def failed(self, job: RenderJob, reason: str, view: Viewing | None) -> bool:
        """``job`` could not be drawn; True when it was the page on screen (the pane
        then says why in its place). Nothing more of its file is drawn in the
        background."""
        if self.in_flight is job:
            self.in_flight = None
        sha = job.key.sha256
        self._failures[(sha, job.page)] = reason
        self._broken.add(sha)
        return (
            view is not None
            and view.attachment_id == job.attachment_id
            and job.kind is JobKind.PAGE
            and job.page == view.page
        )

    def failure(self, sha256: str, page: int) -> str | None:
        return self._failures.get((sha256, page))

    def retry_page(self, sha256: str, page: int) -> None:
        """The clinician went to the page again: try it again."""
        self._failures.pop((sha256, page), None)

    def retry_file(self, sha256: str) -> None:
        """A file shown again is tried again, in full."""
        self._failures = {k: v for k, v in self._failures.items() if k[0] != sha256}
        self._broken.discard(sha256)

    # -- what is known of a file -------------------------------------------------------

    def page_size(self, sha256: str, page: int) -> tuple[float, float]:
        """A page's size in points before the clinician's turn: as drawn, else the
        first page's (most files have one size), else A4."""
        return self._sizes.get((sha256, page)) or self._sizes.get((sha256, 0)) or A4

    def learn_count(self, attachment_id: str, count: int) -> bool:
        """Note the file's page count from a drawing; True the first time."""
        if attachment_id in self._counts:
            return False
        self._counts[attachment_id] = count
        return True

    def page_count(self, attachment_id: str) -> int | None:
        return self._counts.get(attachment_id)

    def forget_drawn(self) -> None:
        """Drop every drawing and size (the benchmarks start each run cold)."""
        self.pages.clear()
        self.thumbs.clear()
        self._sizes.clear()
