"""When does a page count as seen? The rule behind "every page previewed" (docs/requirements.md R6).

A page counts when, at a readable zoom,

1. it has been on screen for ``dwell_ms`` in total (default 700 ms: paging past with the
   keyboard, about 100-300 ms a page, does not count; a clinician who reads is not slowed
   down, reading even a short page takes longer), and
2. every part of it has been on screen. A page taller (or wider) than the pane must be
   scrolled through: its lower half is exactly where a second name or a personnummer
   hides. Coverage is kept as a grid of cells over the page; a cell counts once it was
   wholly inside the visible part.

Time at an unreadable zoom (a page shrunk to a stamp) counts for neither. Pure logic,
no Qt: the preview pane feeds it what is visible and when.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

#: (left, top, right, bottom) as fractions 0..1 of the page as shown.
Fraction = tuple[float, float, float, float]

GRID = 32
#: Rounding slack, as a fraction of the page (about a quarter of a pixel on a page
#: shown 1000 pixels tall): a cell flush with the viewport's edge counts.
_SLACK = 0.0025


@dataclass
class PageVisit:
    """One page's time on screen and the parts of it that were shown."""

    dwell_ms: float
    _readable_ms: float = 0.0
    _since: float | None = None  # when the current readable, visible stretch began
    _covered: set[tuple[int, int]] = field(default_factory=set, repr=False)
    done: bool = False

    def observe(self, now_ms: float, visible: Fraction | None, readable: bool) -> None:
        """What is on screen from ``now_ms`` on: ``visible`` part of the page (None when
        the page is not shown at all), and whether the zoom is readable."""
        if self._since is not None:
            self._readable_ms += max(0.0, now_ms - self._since)
        showing = visible is not None and readable
        self._since = now_ms if showing else None
        if showing and visible is not None:
            self._cover(visible)

    def _cover(self, visible: Fraction) -> None:
        left, top, right, bottom = visible
        for row in range(GRID):
            if row / GRID < top - _SLACK or (row + 1) / GRID > bottom + _SLACK:
                continue
            for column in range(GRID):
                if column / GRID >= left - _SLACK and (column + 1) / GRID <= right + _SLACK:
                    self._covered.add((row, column))

    @property
    def fully_shown(self) -> bool:
        return len(self._covered) == GRID * GRID

    @property
    def shown_fraction(self) -> float:
        return len(self._covered) / (GRID * GRID)

    def readable_ms(self, now_ms: float) -> float:
        running = now_ms - self._since if self._since is not None else 0.0
        return self._readable_ms + max(0.0, running)

    def seen(self, now_ms: float) -> bool:
        return self.fully_shown and self.readable_ms(now_ms) >= self.dwell_ms

    def remaining_ms(self, now_ms: float) -> float | None:
        """How long until the dwell is met if nothing changes; None when the clock is
        not running (nothing readable on screen) or when only scrolling can help."""
        if self._since is None:
            return None
        remaining = self.dwell_ms - self.readable_ms(now_ms)
        if remaining <= 0 and not self.fully_shown:
            return None
        return max(0.0, remaining)


def readable(scale: float, readable_scale: float, *, is_image: bool) -> bool:
    """Whether a page drawn at ``scale`` (1.0 = 72 dpi) can be read.

    An image has no text size to judge by; it is shown as a picture and counts at any
    zoom at which it is drawn whole or scrolled through."""
    return is_image or scale + 1e-9 >= readable_scale


def rotate_rect(
    rect: tuple[float, float, float, float], width: float, height: float, rotation: int
) -> tuple[float, float, float, float]:
    """A rectangle on a ``width`` x ``height`` page (top-left origin), after the page is
    turned ``rotation`` degrees clockwise; returned in the turned page's coordinates."""
    left, top, right, bottom = rect
    rotation %= 360
    if rotation == 90:
        return (height - bottom, left, height - top, right)
    if rotation == 180:
        return (width - right, height - bottom, width - left, height - top)
    if rotation == 270:
        return (top, width - right, bottom, width - left)
    return rect


class Observed(NamedTuple):
    """What one observation of the page on screen comes to."""

    seen_now: bool  # it has just come to count as seen (said once per visit)
    wait_ms: float | None  # look again after this long; None: only a change can help


class SeenTracker:
    """The visit of the page on screen (one file's page at a time): a new page on screen
    starts a new visit, and a page counts at most once per visit."""

    def __init__(self) -> None:
        self._visit: PageVisit | None = None
        self._of: tuple[str, int] | None = None

    @property
    def visiting(self) -> tuple[str, int] | None:
        """(attachment id, page) being visited, if any."""
        return self._of

    def observe(
        self,
        now_ms: float,
        page: tuple[str, int],
        visible: Fraction | None,
        readable: bool,
        dwell_ms: float,
    ) -> Observed:
        """``page`` (attachment id, page) is on screen from ``now_ms`` on, ``visible``
        of it, at a ``readable`` zoom or not."""
        if self._visit is None or self._of != page:
            self._visit, self._of = PageVisit(dwell_ms), page
        visit = self._visit
        if visit.done:
            return Observed(False, None)
        visit.observe(now_ms, visible, readable)
        if visit.seen(now_ms):
            visit.done = True
            return Observed(True, None)
        return Observed(False, visit.remaining_ms(now_ms))

    def pause(self, now_ms: float) -> None:
        """Nothing of the page is on screen from ``now_ms`` on (the pane is hidden): its
        clock stops, what was shown of it stays."""
        if self._visit is not None:
            self._visit.observe(now_ms, None, False)

    def leave(self, now_ms: float) -> None:
        """The page left the screen: the next one starts a visit of its own."""
        self.pause(now_ms)
        self._visit = self._of = None
