"""Which threads a refresh fetches, and when the next one comes (app/gateway/case_refresh.py):
only what can have changed, and later after a failure, never before Retry-After."""

from __future__ import annotations

import pytest

from app.gateway.case_refresh import CaseWatch, RefreshPacing, fetch_threads
from app.gateway.case_thread import CaseThread, ThreadEntry
from app.gateway.errors import NETWORK, GatewayError

OPEN, AWAITING = "open", "awaiting_resident"


def thread(case_id: str, status: str = OPEN, *, answered: bool = False) -> CaseThread:
    entries = [ThreadEntry(True, "t1", "fråga"), ThreadEntry(False, "t2", "motfråga")]
    if answered:
        entries.append(ThreadEntry(True, "t3", "svar"))
    return CaseThread(case_id, status, tuple(entries))


def test_every_case_is_fetched_the_first_time_then_only_the_one_on_screen() -> None:
    watch = CaseWatch()
    listed = {"a": OPEN, "b": OPEN, "c": OPEN}
    assert watch.plan(listed, on_screen="b") == ["b", "a", "c"]
    for case_id in ("a", "b", "c"):
        watch.took(thread(case_id))
    assert watch.plan(listed, on_screen="b") == ["b"]
    assert watch.plan(listed, on_screen=None) == []


def test_a_case_back_from_awaiting_resident_is_fetched_and_marked() -> None:
    watch = CaseWatch()
    for case_id in ("a", "b"):
        watch.took(thread(case_id))
    # A counter-question: the case leaves the open list, and is forgotten.
    assert watch.plan({"b": OPEN}, on_screen=None) == []
    # The resident answers: open again, so back in the list.
    assert watch.plan({"a": OPEN, "b": OPEN}, on_screen=None) == ["a"]
    assert watch.took(thread("a", answered=True)) is True
    assert watch.answered == {"a"}
    # Nothing new since: no fetch, the mark stays.
    assert watch.plan({"a": OPEN, "b": OPEN}, on_screen=None) == []
    assert watch.answered == {"a"}


def test_a_status_change_within_the_list_is_fetched() -> None:
    watch = CaseWatch()
    watch.took(thread("a", AWAITING))
    assert watch.plan({"a": AWAITING}, on_screen=None) == []
    assert watch.plan({"a": OPEN}, on_screen=None) == ["a"]


def test_a_case_whose_fetch_failed_is_asked_again_next_turn() -> None:
    watch = CaseWatch()
    assert watch.plan({"a": OPEN, "b": OPEN}, on_screen=None) == ["a", "b"]
    watch.took(thread("a"))  # b's fetch failed: not taken
    assert watch.plan({"a": OPEN, "b": OPEN}, on_screen=None) == ["b"]


def test_a_marked_case_that_leaves_the_list_loses_its_mark() -> None:
    watch = CaseWatch()
    watch.took(thread("a", answered=True))
    assert watch.answered == {"a"}
    watch.plan({}, on_screen=None)  # answered by a reply: no longer open
    assert watch.answered == frozenset()


def test_the_mark_goes_when_staff_wrote_after_the_answer() -> None:
    watch = CaseWatch()
    watch.took(thread("a", answered=True))
    later = thread("a", answered=True)
    later = CaseThread("a", OPEN, (*later.entries, ThreadEntry(False, "t4", "delsvar")))
    assert watch.took(later) is True
    assert watch.answered == frozenset()
    assert watch.took(later) is False  # no change, no signal


def test_fetching_stops_at_the_first_failure() -> None:
    asked: list[str] = []

    def fetch(case_id: str) -> CaseThread:
        asked.append(case_id)
        if case_id == "b":
            raise GatewayError(429, ("throttled",), "slow down", retry_after=120)
        return thread(case_id)

    fetched = fetch_threads(fetch, ["a", "b", "c", "d"])
    assert asked == ["a", "b"]  # c and d never asked: no storm
    assert [t.case_id for t in fetched.threads] == ["a"]
    assert fetched.failure is not None and fetched.failure.status == 429
    assert fetch_threads(fetch, ["a"]).failure is None


def test_the_next_turn_waits_longer_after_failures_and_honours_retry_after() -> None:
    pacing = RefreshPacing(90.0)
    down = GatewayError(None, (NETWORK,), "no answer")
    assert pacing.failed(down) == 90.0  # tried again at the next turn
    assert pacing.failed(down) == 180.0
    assert pacing.failed(down) == 360.0
    assert pacing.failed(down) == 360.0  # at most four times the interval
    assert pacing.succeeded() == 90.0
    throttled = GatewayError(429, ("throttled",), "slow down", retry_after=600)
    assert pacing.failed(throttled) == 600.0
    assert pacing.failed(GatewayError(429, ("throttled",), "", retry_after=5)) == 180.0
    assert pacing.failed(RuntimeError("unexpected")) == 360.0


@pytest.mark.parametrize("interval", [0.05, 90.0])
def test_a_short_interval_still_honours_retry_after(interval: float) -> None:
    pacing = RefreshPacing(interval)
    assert pacing.failed(GatewayError(429, ("throttled",), "", retry_after=1)) == max(1, interval)
