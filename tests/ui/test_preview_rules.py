"""The preview's pure rules: when a page counts as seen, where a highlight goes on a
turned page, and the cache bounded by bytes."""

from __future__ import annotations

import pytest

from app.preview.page_cache import ByteBoundedLRU
from app.preview.seen_tracking import PageVisit, readable, rotate_rect

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
