"""Animated images against WCAG 2.3.1 (three flashes) and 2.2.2 (five seconds).

A simplified general-flash test: each frame becomes a small map of relative luminance;
a *transition* between two frames is a change of at least 10 % of full luminance, with
the darker state below 0.8, over at least a quarter of the picture; a *flash* is a pair
of opposing transitions. The picture is judged as a whole (an attachment is viewed at
about screen size, so a quarter of it is well above WCAG's 341 x 256 px area).
Red flashes are not judged separately. Durations follow browsers: a frame delay of
10 ms or less is shown as 100 ms.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from PIL import Image

_SIDE = 24
_CHANGE = 0.10
_DARK_LIMIT = 0.80
_AREA = 0.25
_MAX_CYCLES = 200
#: sRGB value to relative luminance (WCAG 2.1 definition), for grey levels 0..255.
_LINEAR = [
    (v / 255) / 12.92 if v / 255 <= 0.04045 else ((v / 255 + 0.055) / 1.055) ** 2.4
    for v in range(256)
]


def luminance_thumbnail(frame: Image.Image) -> tuple[float, ...]:
    grey = frame.convert("L").resize((_SIDE, _SIDE), Image.Resampling.BOX)
    return tuple(_LINEAR[v] for v in grey.tobytes())


@dataclass(frozen=True, slots=True)
class Timeline:
    durations_ms: list[int]
    #: GIF/APNG loop count: None plays once, 0 forever, n plays n more times.
    loop: int | None

    def shown_ms(self) -> list[int]:
        return [100 if d <= 10 else d for d in self.durations_ms]

    def plays(self) -> float:
        if self.loop is None:
            return 1
        return math.inf if self.loop == 0 else self.loop + 1

    def total_seconds(self) -> float:
        plays = self.plays()
        if plays == math.inf:
            return math.inf
        return sum(self.shown_ms()) * plays / 1000


def _direction(before: tuple[float, ...], after: tuple[float, ...]) -> int:
    """+1 or -1 for a transition (brighter or darker), 0 for none."""
    up = down = 0
    for a, b in zip(before, after, strict=True):
        if abs(b - a) >= _CHANGE and min(a, b) < _DARK_LIMIT:
            if b > a:
                up += 1
            else:
                down += 1
    needed = _AREA * len(before)
    if up >= needed and up >= down:
        return 1
    if down >= needed:
        return -1
    return 0


def max_flashes_per_second(thumbnails: list[tuple[float, ...]], timeline: Timeline) -> float:
    """The most flashes in any one second of the animation as shown."""
    if len(thumbnails) < 2:
        return 0.0
    shown = timeline.shown_ms()
    looping = timeline.plays() > 1
    pairs = list(zip(range(len(thumbnails) - 1), range(1, len(thumbnails)), strict=True))
    if looping:
        pairs.append((len(thumbnails) - 1, 0))
    cycle_directions = [_direction(thumbnails[a], thumbnails[b]) for a, b in pairs]
    cycle_ms = sum(shown)
    # Times at which each transition happens within one cycle.
    starts = [0]
    for duration in shown:
        starts.append(starts[-1] + duration)
    cycle_times = [starts[b] if b else cycle_ms for _a, b in pairs]
    cycles = 1
    if looping and cycle_ms > 0:
        plays = timeline.plays()
        cycles = int(min(plays, math.ceil(2000 / cycle_ms) + 1, _MAX_CYCLES))
    events: list[tuple[int, int]] = []
    for cycle in range(cycles):
        for time, direction in zip(cycle_times, cycle_directions, strict=True):
            if direction:
                events.append((cycle * cycle_ms + time, direction))
    best = 0.0
    for i, (start, _first) in enumerate(events):
        window = []
        for time, direction in events[i:]:
            if time - start >= 1000:
                break
            window.append(direction)
        # Opposing transitions pair up into flashes.
        alternating = 1 + sum(1 for x, y in itertools.pairwise(window) if x != y)
        best = max(best, alternating / 2)
    return best
