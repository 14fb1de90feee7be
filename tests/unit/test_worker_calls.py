"""The isolated worker's two-phase calls: ``submit`` sends a job and the worker stays the
caller's until ``PendingCall.result``; ``submit_together`` sends to several workers, all
or none; ``call`` still turns errors, timeouts and crashes into WorkerFailure."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.isolation.worker import IsolatedWorker, PendingCall, WorkerFailure
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.workers import worker_process


@pytest.fixture(scope="module")
def worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture(scope="module")
def other_worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


def _submitted(worker: IsolatedWorker, op: str, *args: Any, **kwargs: Any) -> PendingCall:
    pending = worker.submit(op, *args, **kwargs)
    assert pending is not None
    return pending


def _is_free(worker: IsolatedWorker) -> bool:
    """Whether a job goes in at once (it is collected here, so the worker stays free)."""
    pending = worker.submit("ping", wait_s=0)
    if pending is None:
        return False
    assert pending.result() == worker.pid
    return True


# submit and PendingCall


def test_a_submitted_job_is_answered_by_result(worker: IsolatedWorker, tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(3))
    pending = _submitted(worker, "page_count", str(pdf))
    assert pending.result() == 3
    assert _submitted(worker, "ping").result() == worker.pid


def test_an_answer_is_collected_once_only(worker: IsolatedWorker) -> None:
    pending = _submitted(worker, "ping")
    pid = pending.result()
    assert pid == worker.pid
    with pytest.raises(RuntimeError):
        pending.result()
    assert worker.pid == pid  # refused outright: nothing waited for, nothing killed
    # The second, refused collection did not release the worker a second time.
    held = _submitted(worker, "ping")
    try:
        assert worker.submit("ping", wait_s=0) is None
    finally:
        held.result()


def test_a_worker_holding_an_uncollected_job_is_busy_for_everyone_else(
    worker: IsolatedWorker,
) -> None:
    held = _submitted(worker, "ping")
    try:
        assert worker.submit("ping", wait_s=0) is None
        # A short wait does not help either: the answer has not been collected.
        assert worker.submit("ping", wait_s=0.05) is None
    finally:
        answer = held.result()
    assert answer == worker.pid
    assert _is_free(worker)


def test_a_busy_worker_refuses_a_job_whatever_it_is_doing(worker: IsolatedWorker) -> None:
    held = _submitted(worker, "selftest.hang", 0.01)
    try:
        assert worker.submit("ping", wait_s=0) is None
    finally:
        assert held.result() is None
    assert _is_free(worker)


def test_the_answer_may_be_collected_on_another_thread(worker: IsolatedWorker) -> None:
    pending = _submitted(worker, "ping")
    answers: list[Any] = []
    collector = threading.Thread(target=lambda: answers.append(pending.result()))
    collector.start()
    collector.join(timeout=20)
    assert not collector.is_alive()
    assert answers == [worker.pid]
    assert _is_free(worker)  # the lock, taken on this thread, was released on that one


def test_a_pending_call_names_its_pipe_and_its_time_left(worker: IsolatedWorker) -> None:
    pending = _submitted(worker, "ping", timeout_s=5)
    try:
        assert isinstance(pending.fileno(), int)
        assert pending.fileno() >= 0
        left = pending.seconds_left
        assert isinstance(left, float)
        assert 0.0 <= left <= 5.0
    finally:
        pending.result()
    after = pending.seconds_left
    assert isinstance(after, float)
    assert after >= 0.0


def test_a_job_past_its_deadline_has_no_time_left_and_times_out(worker: IsolatedWorker) -> None:
    first = worker.call("ping")
    pending = _submitted(worker, "selftest.hang", 60, timeout_s=0)
    assert pending.seconds_left == 0.0
    with pytest.raises(WorkerFailure) as failure:
        pending.result()
    assert failure.value.code == WorkerFailure.TIMEOUT
    assert pending.seconds_left == 0.0
    assert _is_free(worker)
    assert worker.pid != first  # the hung process was killed, a fresh one answers


def test_a_refusal_through_submit_frees_the_worker(worker: IsolatedWorker) -> None:
    pending = _submitted(worker, "no.such.op")
    with pytest.raises(WorkerFailure) as failure:
        pending.result()
    assert failure.value.code == WorkerFailure.ERROR
    assert failure.value.detail == "KeyError"
    assert _is_free(worker)


def test_a_crash_through_submit_frees_the_worker(worker: IsolatedWorker) -> None:
    first = worker.pid
    pending = _submitted(worker, "selftest.crash")
    with pytest.raises(WorkerFailure) as failure:
        pending.result()
    assert failure.value.code == WorkerFailure.CRASHED
    assert _is_free(worker)
    assert worker.pid not in (None, first)


def test_a_closed_worker_takes_no_job() -> None:
    closed = IsolatedWorker(timeout_s=20, memory_limit_mb=768)
    closed.close()
    for _ in range(2):  # a refusal leaves it free to refuse again, not busy (None)
        with pytest.raises(WorkerFailure) as failure:
            closed.submit("ping", wait_s=0)
        assert failure.value.code == WorkerFailure.ERROR
    assert closed.pid is None  # no process was started for it


# submit_together


def test_jobs_sent_together_are_answered_per_worker(
    worker: IsolatedWorker, other_worker: IsolatedWorker, tmp_path: Path
) -> None:
    pdf = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(2))
    sent = IsolatedWorker.submit_together(
        [(worker, "ping", ()), (other_worker, "page_count", (str(pdf),))]
    )
    assert sent is not None
    assert len(sent) == 2
    assert [call.result() for call in sent] == [worker.pid, 2]

    sent = IsolatedWorker.submit_together([(worker, "ping", ()), (other_worker, "ping", ())])
    assert sent is not None
    answers = [call.result() for call in sent]
    assert answers == [worker.pid, other_worker.pid]
    assert answers[0] != answers[1]


def test_workers_sent_jobs_together_are_held_until_each_answer_is_collected(
    worker: IsolatedWorker, other_worker: IsolatedWorker
) -> None:
    sent = IsolatedWorker.submit_together([(worker, "ping", ()), (other_worker, "ping", ())])
    assert sent is not None
    first, second = sent
    try:
        assert worker.submit("ping", wait_s=0) is None
        assert other_worker.submit("ping", wait_s=0) is None
        assert first.result() == worker.pid
        assert _is_free(worker)
        assert other_worker.submit("ping", wait_s=0) is None
    finally:
        assert second.result() == other_worker.pid
    assert _is_free(other_worker)


@pytest.mark.parametrize("busy_index", [0, 1])
def test_nothing_is_sent_together_when_one_worker_is_busy(
    worker: IsolatedWorker, other_worker: IsolatedWorker, busy_index: int
) -> None:
    workers = [worker, other_worker]
    busy, free = workers[busy_index], workers[1 - busy_index]
    held = _submitted(busy, "ping")
    try:
        jobs = [(w, "ping", ()) for w in workers]
        assert IsolatedWorker.submit_together(jobs) is None
        assert IsolatedWorker.submit_together(jobs, wait_s=0.05) is None
        # The free one was not left reserved by the refused attempt.
        assert _is_free(free)
    finally:
        assert held.result() == busy.pid
    sent = IsolatedWorker.submit_together([(w, "ping", ()) for w in workers])
    assert sent is not None
    assert [call.result() for call in sent] == [worker.pid, other_worker.pid]


def test_a_failure_in_one_job_sent_together_does_not_touch_the_other(
    worker: IsolatedWorker, other_worker: IsolatedWorker
) -> None:
    sent = IsolatedWorker.submit_together(
        [(worker, "no.such.op", ()), (other_worker, "ping", ())], timeout_s=20
    )
    assert sent is not None
    with pytest.raises(WorkerFailure) as failure:
        sent[0].result()
    assert failure.value.code == WorkerFailure.ERROR
    assert sent[1].result() == other_worker.pid
    assert _is_free(worker)
    assert _is_free(other_worker)


def test_a_worker_that_cannot_take_its_job_frees_the_others(
    worker: IsolatedWorker, other_worker: IsolatedWorker
) -> None:
    closed = IsolatedWorker(timeout_s=20, memory_limit_mb=768)
    closed.close()
    jobs = [(worker, "ping", ()), (closed, "ping", ()), (other_worker, "ping", ())]
    with pytest.raises(WorkerFailure) as failure:
        IsolatedWorker.submit_together(jobs)
    assert failure.value.code == WorkerFailure.ERROR
    # The job already sent was collected, the one not yet sent was never reserved.
    assert _is_free(worker)
    assert _is_free(other_worker)
    # The closed worker's own reservation was let go too: it refuses, it is not busy.
    with pytest.raises(WorkerFailure):
        closed.submit("ping", wait_s=0)


# call, unchanged


def test_an_error_in_a_call_is_a_refusal_and_the_worker_stays(
    worker: IsolatedWorker, tmp_path: Path
) -> None:
    pid = worker.call("ping")
    with pytest.raises(WorkerFailure) as failure:
        worker.call("page_count", str(tmp_path / "finns-inte.pdf"))
    assert failure.value.code == WorkerFailure.ERROR
    assert failure.value.detail == "FileNotFoundError"
    assert worker.call("ping") == pid  # an error is not a crash: the same process answers


def test_a_hung_call_is_cut_off_and_the_worker_replaced(worker: IsolatedWorker) -> None:
    pid = worker.call("ping")
    with pytest.raises(WorkerFailure) as failure:
        worker.call("selftest.hang", 60, timeout_s=1)
    assert failure.value.code == WorkerFailure.TIMEOUT
    assert _is_free(worker)
    assert worker.call("ping") == worker.pid
    assert worker.pid != pid
