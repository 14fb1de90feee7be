"""The leak check every test runs (tests/support/leaks.py, used by tests/conftest.py)
catches each kind of leftover, and lets through what has ended and what outlives a test
on purpose. Each test here starts a leftover, sees it reported, then ends it itself, so
that the check around this very test finds nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QThread
from PySide6.QtWidgets import QApplication

from app.isolation.worker import IsolatedWorker, WorkerFailure
from tests.support.leaks import LONG_LIVED_WORKERS, leftovers, snapshot, track_qthreads
from ui.common.workers import run_in_background, wait_for_all, when_answered

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """What the leftover waits for: set at the end whatever happens."""
    event = threading.Event()
    yield event
    event.set()


def test_a_job_still_on_the_thread_pool_is_reported(
    qapp: QApplication, release: threading.Event
) -> None:
    owner = QObject()
    started = threading.Event()
    answers: list[bool] = []

    def work() -> bool:
        started.set()
        return release.wait(30)

    before = snapshot()
    run_in_background(owner, work, answers.append)
    assert started.wait(30)
    assert leftovers(before, grace_s=0) == ["1 job(s) on Bifoga's thread pool (ui.common.workers)"]
    release.set()
    assert leftovers(before) == []


def test_a_worker_answer_never_collected_is_reported(qapp: QApplication) -> None:
    owner = QObject()
    answers: list[object] = []
    failures: list[BaseException] = []
    with IsolatedWorker(timeout_s=30, memory_limit_mb=768) as worker:
        worker.start()
        before = snapshot()
        pending = worker.submit("selftest.hang", 60)
        assert pending is not None and worker.pid is not None
        when_answered(owner, [pending], pending.result, answers.append, failures.append)
        assert leftovers(before, grace_s=0) == [
            "1 worker answer(s) never collected (ui.common.workers.when_answered)"
        ]
        os.kill(worker.pid, signal.SIGKILL)  # its pipe closes: the answer comes, a crash
        assert wait_for_all(30_000)
    assert answers == []
    assert [getattr(failure, "code", None) for failure in failures] == [WorkerFailure.CRASHED]
    assert leftovers(before) == []


class _Waiting(QThread):
    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.setObjectName("waiting")
        self._release = release

    def run(self) -> None:
        self._release.wait(30)


def test_a_qthread_still_running_is_reported(qapp: QApplication, release: threading.Event) -> None:
    track_qthreads()
    before = snapshot()
    thread = _Waiting(release)
    thread.start()
    assert leftovers(before, grace_s=0) == ["QThread _Waiting 'waiting'"]
    release.set()
    assert leftovers(before) == []
    assert thread.isFinished()


def test_a_thread_still_running_is_reported(release: threading.Event) -> None:
    before = snapshot()
    thread = threading.Thread(target=release.wait, args=(30,), name="left-behind")
    thread.start()
    found = leftovers(before, grace_s=0)
    assert len(found) == 1 and found[0].startswith("thread 'left-behind'")
    release.set()
    assert leftovers(before) == []


def test_a_child_process_still_running_is_reported_until_it_is_waited_for() -> None:
    before = snapshot()
    # It reads until its standard input closes: it ends when told to, not after a time.
    child = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    found = leftovers(before, grace_s=0)
    assert len(found) == 1 and found[0].startswith(f"child process {child.pid}: ")
    assert child.stdin is not None
    child.stdin.close()
    assert child.wait(30) == 0
    assert leftovers(before) == []


def test_a_worker_process_of_a_longer_fixture_is_not_the_tests_leftover() -> None:
    with (
        IsolatedWorker(timeout_s=30, memory_limit_mb=768) as long_lived,
        IsolatedWorker(timeout_s=30, memory_limit_mb=768) as forgotten,
    ):
        LONG_LIVED_WORKERS.add(long_lived)
        before = snapshot()
        long_lived.start()  # as after a crash, its next call starts a fresh process
        forgotten.start()
        found = leftovers(before, grace_s=0)
        assert len(found) == 1 and found[0].startswith(f"child process {forgotten.pid}: ")
        LONG_LIVED_WORKERS.discard(long_lived)
    assert leftovers(before) == []


def test_a_test_that_leaves_a_process_running_fails_through_the_automatic_check(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest("from tests.conftest import no_leftover_jobs  # noqa: F401\n")
    pytester.makepyfile(
        test_inner="""
        import subprocess, sys

        def test_tidy():
            subprocess.run([sys.executable, "-c", "pass"], check=True)

        def test_careless():
            # Its standard input closes when this pytest ends: so does the child.
            subprocess.Popen(
                [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
            )
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_careless*", "*still running after the test: child process *"]
    )
