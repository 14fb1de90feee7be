"""What no test may leave running when it ends, its own fixtures torn down (after
napari's leak fixtures): a job on a Qt thread pool, a worker's answer never collected, a
QThread, a Python thread, or a child process (a worker process, a sandbox, a command).

``snapshot()`` before the test and ``leftovers(before)`` after it; tests/conftest.py runs
them around every test. What was already running before the test is not its leftover: a
session fixture's worker process, a server of a module fixture, the multiprocessing
resource tracker. A worker process of a fixture that outlives the test may be started or
started again during it (after a crash): ``worker_process`` registers those workers in
``LONG_LIVED_WORKERS``.
"""

from __future__ import annotations

import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil

from app.isolation.worker import IsolatedWorker

#: Workers of fixtures that outlive one test (tests/support/workers.py adds them).
LONG_LIVED_WORKERS: weakref.WeakSet[IsolatedWorker] = weakref.WeakSet()

#: QThreads started from Python, so the check can ask whether one still runs (Qt keeps no
#: list of its threads). Filled by ``track_qthreads``.
_STARTED_QTHREADS: weakref.WeakSet[Any] = weakref.WeakSet()


def track_qthreads() -> None:
    """Note every QThread started from now on (tests/conftest.py calls this once)."""
    from PySide6.QtCore import QThread

    if getattr(QThread.start, "_notes_started_threads", False):
        return
    start = QThread.start

    def noting_start(self: QThread, *args: Any, **kwargs: Any) -> None:
        _STARTED_QTHREADS.add(self)
        start(self, *args, **kwargs)

    noting_start._notes_started_threads = True  # type: ignore[attr-defined]
    QThread.start = noting_start  # type: ignore[method-assign]


@dataclass(frozen=True)
class Snapshot:
    """What ran before the test."""

    threads: frozenset[threading.Thread]
    qthreads: frozenset[Any]  # the QThreads already started (held: no id is reused)
    children: frozenset[tuple[int, float]]  # (pid, start time): a pid can be reused


def snapshot() -> Snapshot:
    return Snapshot(
        threads=frozenset(_python_threads()),
        qthreads=frozenset(_STARTED_QTHREADS),
        children=frozenset(_children()),
    )


def leftovers(before: Snapshot, grace_s: float = 10.0) -> list[str]:
    """What still runs that did not before (one line each; empty: nothing). A thread or
    pool job about to end gets up to ``grace_s`` in all to do so; a child process gets
    none, since everything that starts one waits for it when it stops it."""
    deadline = time.monotonic() + grace_s

    def left_ms() -> int:
        return max(0, round((deadline - time.monotonic()) * 1000))

    found = _unfinished_qt_jobs(left_ms)
    found += _running_qthreads(before, left_ms)
    found += _running_python_threads(before, deadline)
    found += _running_children(before)
    return found


def _unfinished_qt_jobs(left_ms: Callable[[], int]) -> list[str]:
    found: list[str] = []
    if "ui.common.workers" in sys.modules:  # never imported: no job of Bifoga's ever ran
        from ui.common import workers

        if not workers.wait_for_all(left_ms()):
            running = workers.pool().activeThreadCount()
            if running:
                found.append(f"{running} job(s) on Bifoga's thread pool (ui.common.workers)")
            if workers.answers_watched():
                found.append(
                    f"{workers.answers_watched()} worker answer(s) never collected "
                    "(ui.common.workers.when_answered)"
                )
    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QThreadPool

        if not QThreadPool.globalInstance().waitForDone(left_ms()):
            running = QThreadPool.globalInstance().activeThreadCount()
            found.append(f"{running} job(s) on Qt's global thread pool")
    return found


def _running_qthreads(before: Snapshot, left_ms: Callable[[], int]) -> list[str]:
    import shiboken6

    found = []
    for thread in list(_STARTED_QTHREADS):
        if thread in before.qthreads or not shiboken6.isValid(thread):
            continue
        if thread.isRunning() and not thread.wait(left_ms()):
            found.append(f"QThread {type(thread).__name__} {thread.objectName()!r}".rstrip())
    return found


def _python_threads() -> list[threading.Thread]:
    # Qt's own threads that ran Python code appear as dummies that never end: Qt's pools
    # are checked above instead.
    return [
        thread for thread in threading.enumerate() if not isinstance(thread, threading._DummyThread)
    ]


def _running_python_threads(before: Snapshot, deadline: float) -> list[str]:
    found = []
    for thread in _python_threads():
        if thread in before.threads:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
        if thread.is_alive():
            found.append(f"thread {thread.name!r} (target of {_thread_target(thread)})")
    return found


def _thread_target(thread: threading.Thread) -> str:
    target = getattr(thread, "_target", None)
    return getattr(target, "__qualname__", repr(target))


def _children() -> set[tuple[int, float]]:
    running = set()
    for child in psutil.Process().children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE:  # ended, only not waited for
                running.add((child.pid, child.create_time()))
        except psutil.NoSuchProcess:
            continue
    return running


def _running_children(before: Snapshot) -> list[str]:
    expected = {worker.pid for worker in LONG_LIVED_WORKERS} | {_resource_tracker_pid()}
    found = []
    for pid, _started in sorted(_children() - before.children):
        if pid in expected:
            continue
        try:
            command = " ".join(psutil.Process(pid).cmdline()) or "?"
        except psutil.NoSuchProcess:
            continue
        found.append(f"child process {pid}: {command[:200]}")
    return found


def _resource_tracker_pid() -> int | None:
    """multiprocessing's resource tracker: started once, at the first worker or shared
    memory block, it lives as long as the test session (and ends with it)."""
    if "multiprocessing.resource_tracker" not in sys.modules:
        return None
    from multiprocessing import resource_tracker

    pid: int | None = getattr(resource_tracker._resource_tracker, "_pid", None)
    return pid
