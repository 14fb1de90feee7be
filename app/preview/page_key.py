"""What one drawing of a page is: the key it is cached and asked for under."""

from __future__ import annotations

from typing import NamedTuple


class PageKey(NamedTuple):
    """One page of one staged file, drawn at one size and turn.

    Integers, not floats, so that the same zoom always makes the same key: the scale in
    thousandths (1000 = 72 dpi) and the device pixel ratio in hundredths."""

    sha256: str
    page: int
    scale_milli: int
    rotation: int
    pixel_ratio_centi: int

    @classmethod
    def of(
        cls, sha256: str, page: int, scale: float, rotation: int, pixel_ratio_centi: int
    ) -> PageKey:
        return cls(sha256, page, round(scale * 1000), rotation, pixel_ratio_centi)

    @property
    def scale(self) -> float:
        """The zoom as the clinician sees it (1.0 = 72 dpi)."""
        return self.scale_milli / 1000

    @property
    def pixel_ratio(self) -> float:
        """The screen's device pixel ratio the page is drawn for."""
        return self.pixel_ratio_centi / 100

    @property
    def render_scale(self) -> float:
        """The scale the worker draws at: the zoom times the device pixel ratio, so a
        page is sharp on a HiDPI screen."""
        return self.scale * self.pixel_ratio
