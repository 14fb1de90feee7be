"""Which zoom a page is shown at: fitted to the pane, or chosen by the clinician."""

from __future__ import annotations

import math
from typing import Literal

#: "page": the whole page in view (the default); "width": the page's width; a number:
#: a zoom the clinician chose (1.0 = 72 dpi).
ZoomMode = Literal["page", "width"] | float

MIN_SCALE, MAX_SCALE = 0.25, 4.0
ZOOM_STEP = 1.25
#: The size assumed for a page not drawn yet (PDF points).
A4 = (595.0, 842.0)


def fit_scale(
    mode: ZoomMode,
    page_size: tuple[float, float],
    room: tuple[int, int],
    *,
    scroll_bar: int,
    readable_scale: float,
    is_image: bool,
) -> float:
    """The zoom for a page of ``page_size`` (points, as shown) in ``room`` pixels.

    A fitted page is never shown smaller than ``readable_scale`` (an image excepted):
    rather a page that must be scrolled than one that cannot be read, and so can never
    count as seen."""
    if isinstance(mode, float):
        return mode
    width, height = page_size
    room_w, room_h = room
    if mode == "width":
        scale = room_w / width
        if scale * height > room_h:  # it will scroll: leave room for the bar
            scale = (room_w - scroll_bar) / width
    else:
        scale = min(room_w / width, room_h / height)
    # Rounded down: a fitted page rounded up by a pixel would bring scroll bars.
    scale = math.floor(scale * 100 - 1e-6) / 100
    if mode == "page" and scale < readable_scale and not is_image:
        # After the rounding, which would take 0.6 down to 0.59: a page fitted this small
        # could never count as seen.
        scale = readable_scale
    return clamp(scale)


def zoomed(scale: float, factor: float) -> float:
    """The zoom one step (``factor``) from ``scale``, within the bounds."""
    return round(clamp(scale * factor), 2)


def clamp(scale: float) -> float:
    return max(MIN_SCALE, min(MAX_SCALE, scale))


def as_shown(size: tuple[float, float], rotation: int) -> tuple[float, float]:
    """A page's size once turned ``rotation`` degrees clockwise."""
    width, height = size
    return (height, width) if rotation % 180 == 90 else (width, height)
