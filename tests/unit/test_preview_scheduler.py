"""The preview's scheduling without Qt: what the render worker draws next, what is kept,
and what the pane does with what comes back (app.preview.scheduler)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from app.preview.page_key import PageKey
from app.preview.scheduler import Arrival, JobKind, PreviewScheduler, RenderJob, Viewing
from app.preview.zoom import A4

SHA = "a" * 64
OTHER_SHA = "b" * 64
LETTER = (612.0, 792.0)  # US Letter, points: not the A4 guessed before a page is drawn
ROOM_WIDTH = 600  # the pane fits the page's width into this many pixels


def viewing(
    scheduler: PreviewScheduler[str],
    page: int = 0,
    count: int | None = 10,
    thumbs: tuple[int, ...] = (),
    attachment_id: str = "fil-1",
    sha256: str = SHA,
) -> Viewing:
    """What a pane fitting pages to their width shows: the key follows the page's size."""

    def page_key(index: int) -> PageKey:
        width = scheduler.page_size(sha256, index)[0]
        return PageKey.of(sha256, index, ROOM_WIDTH / width, 0, 100)

    def thumb_key(index: int) -> PageKey:
        return PageKey.of(sha256, index, 76 / scheduler.page_size(sha256, index)[0], 0, 100)

    return Viewing(
        attachment_id, sha256, Path("/staged/x.pdf"), page, count, page_key, thumb_key,
        lambda: thumbs,
    )  # fmt: skip


def wanted(scheduler: PreviewScheduler[str], view: Viewing) -> list[tuple[str, int]]:
    return [(job.kind.value, job.page) for job in scheduler.wanted(view)]


def draw(
    scheduler: PreviewScheduler[str], view: Viewing, size: tuple[float, float] = A4
) -> Arrival:
    """The next job, drawn and back."""
    job = scheduler.take_next(view)
    assert job is not None
    return scheduler.arrived(job, f"bild {job.page}", 1000, size, view)


def test_the_page_on_screen_comes_first_then_its_neighbours_then_the_thumbnails() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, page=4, thumbs=(3, 4))
    assert wanted(scheduler, view) == [
        ("page", 4), ("page", 5), ("page", 3), ("page", 6), ("thumb", 3), ("thumb", 4)
    ]  # fmt: skip


def test_until_the_page_count_is_known_only_the_page_on_screen_is_wanted() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    assert wanted(scheduler, viewing(scheduler, count=None, thumbs=(0, 1))) == [("page", 0)]


def test_neighbours_stop_at_the_ends_of_the_file() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    assert wanted(scheduler, viewing(scheduler, page=0, count=2)) == [("page", 0), ("page", 1)]
    assert wanted(scheduler, viewing(scheduler, page=1, count=2)) == [("page", 1), ("page", 0)]


def test_one_job_is_in_flight_at_a_time() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler)
    first = scheduler.take_next(view)
    assert first is not None and first.page == 0
    assert scheduler.take_next(view) is None  # the worker does one at a time
    assert scheduler.arrived(first, "bild 0", 1000, A4, view) is Arrival.SHOW
    second = scheduler.take_next(view)
    assert second is not None and second.page == 1  # page 0 is drawn now


def test_a_page_the_clinician_left_is_never_drawn() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    draw(scheduler, viewing(scheduler, page=0))
    in_flight = scheduler.take_next(viewing(scheduler, page=0))
    assert in_flight is not None and in_flight.page == 1
    moved = viewing(scheduler, page=7)  # the clinician pressed End meanwhile
    assert scheduler.arrived(in_flight, "bild 1", 1000, A4, moved) is Arrival.KEPT
    following = scheduler.take_next(moved)
    assert following is not None and following.page == 7  # not page 2, nor 0's others


def test_a_drawn_page_is_kept_and_not_asked_for_again() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, count=1)
    assert draw(scheduler, view) is Arrival.SHOW
    assert scheduler.pages.get(view.page_key(0)) == "bild 0"
    assert scheduler.take_next(view) is None


def test_a_page_of_another_size_than_guessed_is_asked_for_again_fitted() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, count=1)
    assert draw(scheduler, view, size=LETTER) is Arrival.REFIT  # fitted to A4's width
    assert scheduler.page_size(SHA, 0) == LETTER
    job = scheduler.take_next(view)
    assert job is not None and job.key.scale == pytest.approx(ROOM_WIDTH / LETTER[0], abs=0.001)
    assert scheduler.arrived(job, "bild 0", 1000, LETTER, view) is Arrival.SHOW


def test_what_arrives_for_another_file_or_for_the_strip_is_kept_for_later() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, count=1, thumbs=(0,))
    draw(scheduler, view)
    thumb = scheduler.take_next(view)
    assert thumb is not None and thumb.kind is JobKind.THUMB
    assert scheduler.arrived(thumb, "liten 0", 100, A4, view) is Arrival.KEPT
    assert scheduler.thumbs.get(view.thumb_key(0)) == "liten 0"
    other = viewing(scheduler, attachment_id="fil-2", sha256=OTHER_SHA)
    job = scheduler.take_next(other)
    assert job is not None
    assert scheduler.arrived(job, "annan", 1000, A4, view) is Arrival.KEPT
    assert scheduler.arrived(job, "annan", 1000, A4, None) is Arrival.KEPT  # nothing shown


def test_a_page_that_cannot_be_drawn_stops_the_background_work_for_its_file() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, page=3, thumbs=(0, 1))
    job = scheduler.take_next(view)
    assert job is not None
    assert scheduler.failed(job, "worker.crashed", view)  # the page on screen: say why
    assert scheduler.failure(SHA, 3) == "worker.crashed"
    assert wanted(scheduler, view) == []  # not again, and no neighbours
    assert wanted(scheduler, replace(view, page=5)) == [("page", 5)]  # only what is asked
    scheduler.retry_page(SHA, 3)  # the clinician went to the page again
    assert wanted(scheduler, view) == [("page", 3)]
    scheduler.retry_file(SHA)  # the file shown again
    assert ("page", 4) in wanted(scheduler, view)


def test_a_failure_off_screen_is_noted_but_not_shown() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    view = viewing(scheduler, page=0)
    draw(scheduler, view)
    neighbour = scheduler.take_next(view)
    assert neighbour is not None and neighbour.page == 1
    assert not scheduler.failed(neighbour, "worker.timeout", view)
    assert scheduler.failure(SHA, 1) == "worker.timeout"
    assert scheduler.in_flight is None


def test_a_page_s_size_is_its_own_then_the_first_page_s_then_a4() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    assert scheduler.page_size(SHA, 2) == A4
    job = RenderJob(JobKind.PAGE, "fil-1", Path("/x.pdf"), PageKey.of(SHA, 0, 1.0, 0, 100))
    scheduler.keep(job, "bild 0", 10, LETTER)
    assert scheduler.page_size(SHA, 2) == LETTER
    assert scheduler.page_size(OTHER_SHA, 0) == A4


def test_a_page_count_is_learned_once() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler()
    assert scheduler.page_count("fil-1") is None
    assert scheduler.learn_count("fil-1", 12)
    assert not scheduler.learn_count("fil-1", 12)
    assert scheduler.page_count("fil-1") == 12


def test_the_caches_are_bounded_by_their_bytes() -> None:
    scheduler: PreviewScheduler[str] = PreviewScheduler(page_cache_bytes=2500)
    view = viewing(scheduler, count=10)
    for page in range(5):
        draw(scheduler, replace(view, page=page))
    assert scheduler.pages.total_bytes <= 2500 and len(scheduler.pages) == 2
    scheduler.forget_drawn()
    assert len(scheduler.pages) == 0 and scheduler.page_size(SHA, 0) == A4
