"""The preview's pure rules: when a page counts as seen, where a highlight goes on a
turned page, the cache bounded by bytes, what a drawing's key is, and the zoom a page
is fitted at."""

from __future__ import annotations

import math

import pytest

from app.preview.page_cache import ByteBoundedLRU
from app.preview.page_key import PageKey
from app.preview.seen_tracking import Observed, PageVisit, SeenTracker, readable, rotate_rect
from app.preview.zoom import A4, MAX_SCALE, MIN_SCALE, ZoomMode, as_shown, fit_scale, zoomed

WHOLE = (0.0, 0.0, 1.0, 1.0)


def test_a_whole_page_counts_after_the_dwell_at_a_readable_zoom() -> None:
    visit = PageVisit(700)
    visit.observe(0, WHOLE, readable=True)
    assert not visit.seen(699)
    assert visit.remaining_ms(500) == pytest.approx(200)
    assert visit.seen(700)


def test_time_at_an_unreadable_zoom_or_off_screen_does_not_count() -> None:
    visit = PageVisit(700)
    visit.observe(0, WHOLE, readable=False)
    assert visit.remaining_ms(5000) is None and not visit.seen(5000)
    visit.observe(5000, WHOLE, readable=True)
    visit.observe(5400, None, readable=True)  # the pane was hidden
    assert not visit.seen(9000)
    visit.observe(9000, WHOLE, readable=True)
    assert visit.seen(9300)  # 400 + 300 ms in all


def test_a_tall_page_counts_only_once_every_part_was_shown() -> None:
    visit = PageVisit(700)
    visit.observe(0, (0.0, 0.0, 1.0, 0.55), readable=True)
    assert not visit.seen(2000)
    assert visit.remaining_ms(2000) is None  # waiting is no use: it needs scrolling
    visit.observe(2000, (0.0, 0.5, 1.0, 1.0), readable=True)
    assert visit.fully_shown and visit.seen(2000)


def test_images_are_readable_at_any_zoom_pages_from_the_threshold() -> None:
    assert readable(0.3, 0.6, is_image=True)
    assert not readable(0.59, 0.6, is_image=False)
    assert readable(0.6, 0.6, is_image=False)


@pytest.mark.parametrize(
    ("rotation", "expected"),
    [
        (0, (10, 20, 30, 25)),
        (90, (75, 10, 80, 30)),
        (180, (70, 75, 90, 80)),
        (270, (20, 70, 25, 90)),
    ],
)
def test_a_highlight_turns_with_the_page(rotation: int, expected: tuple[float, ...]) -> None:
    # A 100 x 100 page; the rectangle (left, top, right, bottom) from the top-left corner.
    assert rotate_rect((10, 20, 30, 25), 100, 100, rotation) == expected


def test_the_cache_is_bounded_by_bytes_not_entries() -> None:
    cache: ByteBoundedLRU[int, str] = ByteBoundedLRU(100)
    for key in range(10):
        cache.put(key, f"page {key}", 30)
    assert cache.total_bytes == 90 and len(cache) == 3
    assert cache.get(7) is not None and cache.get(0) is None
    cache.get(7)  # used: it stays
    cache.put(10, "big", 60)
    assert 7 in cache and 8 not in cache and cache.total_bytes <= 100
    cache.put(11, "too big for the whole cache", 101)
    assert 11 not in cache


def test_a_page_counts_once_per_visit_and_a_new_page_starts_its_own() -> None:
    tracker = SeenTracker()
    first = tracker.observe(0, ("fil", 0), WHOLE, True, dwell_ms=700)
    assert first == Observed(seen_now=False, wait_ms=700)
    assert tracker.observe(700, ("fil", 0), WHOLE, True, dwell_ms=700).seen_now
    assert not tracker.observe(900, ("fil", 0), WHOLE, True, dwell_ms=700).seen_now  # once
    # The next page's clock starts at zero, whatever the last one had.
    assert tracker.observe(1000, ("fil", 1), WHOLE, True, dwell_ms=700).wait_ms == 700
    assert tracker.visiting == ("fil", 1)


def test_the_clock_stops_while_the_pane_is_hidden_and_a_left_page_starts_over() -> None:
    tracker = SeenTracker()
    tracker.observe(0, ("fil", 0), WHOLE, True, dwell_ms=700)
    tracker.pause(500)  # hidden for a long while
    assert tracker.observe(10_000, ("fil", 0), WHOLE, True, dwell_ms=700).wait_ms == 200
    tracker.leave(10_100)
    assert tracker.visiting is None
    assert tracker.observe(10_200, ("fil", 0), WHOLE, True, dwell_ms=700).wait_ms == 700


def test_the_key_of_a_drawing_is_the_same_for_the_same_zoom() -> None:
    key = PageKey.of("a" * 64, 2, 0.8899999, 90, 150)
    assert key == PageKey.of("a" * 64, 2, 0.89, 90, 150)
    assert (key.page, key.scale, key.rotation, key.pixel_ratio) == (2, 0.89, 90, 1.5)
    assert key.render_scale == pytest.approx(1.335)  # sharp at the screen's pixel ratio


def _fit(mode: ZoomMode, room: tuple[int, int], *, is_image: bool = False) -> float:
    return fit_scale(mode, A4, room, scroll_bar=15, readable_scale=0.6, is_image=is_image)


def test_the_whole_page_fits_and_is_rounded_down_to_never_bring_scroll_bars() -> None:
    assert _fit("page", (600, 850)) == 1.0  # 850 / 842 is 1.009: rounded down
    assert _fit("page", (1000, 600)) == math.floor(600 / 842 * 100) / 100  # the height


def test_page_width_leaves_room_for_the_scroll_bar_it_brings() -> None:
    assert _fit("width", (600, 2000)) == 1.0  # no scrolling: the whole width
    assert _fit("width", (600, 500)) == math.floor((600 - 15) / 595 * 100) / 100


def test_a_fitted_page_is_never_shown_too_small_to_read_but_an_image_may_be() -> None:
    assert _fit("page", (300, 300)) == 0.6  # it scrolls, and it can count as seen
    assert _fit("page", (300, 300), is_image=True) == math.floor(300 / 842 * 100) / 100


def test_a_chosen_zoom_is_kept_and_zoom_steps_stay_within_bounds() -> None:
    assert _fit(1.7, (300, 300)) == 1.7
    assert zoomed(1.0, 1.25) == 1.25
    assert zoomed(3.9, 1.25) == MAX_SCALE and zoomed(0.3, 0.8) == MIN_SCALE
    assert as_shown((595, 842), 90) == (842, 595) and as_shown((595, 842), 180) == (595, 842)
