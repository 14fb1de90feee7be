"""The one bridge from core jobs to Qt threads.

Work runs on a thread of Bifoga's own pool; its result or its error comes back on
the GUI thread, through a signal, to a callback. Work functions never touch widgets.
If the widget that asked is gone by the time the answer comes, the answer is dropped.

Two kinds of work use it: gateway calls (network) and calls into the isolated worker
processes (PDFium, Pillow). Both block a thread, never the window.

Jobs already sent to worker processes can instead be collected here when they are
answered (``when_answered``): on POSIX the event loop watches their pipes, so no thread
of this process runs (nor takes the GIL) while the workers have the cores.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import shiboken6
from PySide6.QtCore import (
    QEventLoop,
    QObject,
    QRunnable,
    QSocketNotifier,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)

from app.isolation.worker import PendingCall

log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")

_pool: QThreadPool | None = None


def pool() -> QThreadPool:
    """Bifoga's thread pool (separate from Qt's global one, so tests can wait for it)."""
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setObjectName("bifoga-jobs")
        _pool.setMaxThreadCount(4)
    return _pool


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from the pool arrive there queued."""

    succeeded = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)
    #: The callbacks connected to it (see ``run_in_background``).
    callbacks: tuple[Callable[..., None], ...] = ()


class _Job(QRunnable):
    def __init__(self, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except BaseException as error:  # every failure goes back to the GUI thread
            self._emit(self._relay.failed, error)
        else:
            self._emit(self._relay.succeeded, result)

    @staticmethod
    def _emit(signal: Any, value: object) -> None:
        try:
            signal.emit(value)
        except RuntimeError:  # the asking widget (and so the relay) was deleted meanwhile
            log.debug("job finished after its owner was closed; result dropped")


def run_in_background(
    owner: QObject,
    work: Callable[[], T],
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None] | None = None,
) -> None:
    """Run ``work()`` off the GUI thread; ``on_success`` gets its result (or
    ``on_failure`` its error) on the GUI thread, while ``owner`` lives."""
    relay = _Relay(owner)  # parented: dies with the owner, and the callbacks with it

    @Slot(object)
    def succeeded(result: T) -> None:
        relay.deleteLater()
        on_success(result)  # what ``work`` returned, through a queued signal

    @Slot(object)
    def failed(error: BaseException) -> None:  # what ``_Job.run`` caught
        relay.deleteLater()
        if on_failure is None:
            log.error("background job failed", exc_info=error)
        else:
            on_failure(error)

    relay.succeeded.connect(succeeded)
    relay.failed.connect(failed)
    # Held by the relay, not only by the connections: a callback collected by Python's
    # garbage collector before its relay is deleted left the relay a dangling
    # connection, and its deletion crashed (PySide 6).
    relay.callbacks = (succeeded, failed)
    pool().start(_Job(work, relay))


def run_with_progress(
    owner: QObject,
    work: Callable[[Callable[[P], None]], T],
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None],
    on_progress: Callable[[P], None],
) -> None:
    """Like :func:`run_in_background` for work that reports as it goes (an outbox job's
    uploaded bytes): ``work(report)``; each ``report(value)`` reaches ``on_progress`` on
    the GUI thread, in order and before the result."""
    relay = _Relay(owner)  # carries the reports; goes with the answer
    relay.progressed.connect(on_progress)

    def report(value: P) -> None:
        _Job._emit(relay.progressed, value)

    def succeeded(result: T) -> None:
        relay.deleteLater()
        on_success(result)

    def failed(error: BaseException) -> None:
        relay.deleteLater()
        on_failure(error)

    run_in_background(relay, lambda: work(report), succeeded, failed)


def wait_for_all(timeout_ms: int = 30_000) -> bool:
    """Wait until no job runs and every answer watched for has been collected (at exit,
    and in tests): a worker whose answer is never collected stays taken."""
    if not pool().waitForDone(timeout_ms):
        return False
    if _watching:
        loop = QEventLoop()
        check = QTimer()
        check.setInterval(5)
        check.timeout.connect(lambda: None if _watching else loop.quit())
        QTimer.singleShot(timeout_ms, loop.quit)
        check.start()
        loop.exec()
        check.stop()
    return not _watching


#: Whether the event loop can watch a worker's pipe (not Windows' named pipes).
WATCHES_PIPES = os.name == "posix"
_watching: set[_AnswerWatch] = set()


def answers_watched() -> int:
    """How many answers of worker jobs are still awaited (``when_answered``)."""
    return len(_watching)


def when_answered(
    owner: QObject,
    pending: Sequence[PendingCall],
    finish: Callable[[], T],
    on_success: Callable[[T], None],
    on_failure: Callable[[BaseException], None],
) -> None:
    """Once every job in ``pending`` has been answered, ``finish()`` (which collects
    them with ``result()``) and then the callback, on the GUI thread while ``owner``
    lives. The answers are collected even if ``owner`` is gone, so the workers are free
    again. Without pipes to watch, a pool thread waits for them instead."""
    if not WATCHES_PIPES:
        run_in_background(owner, finish, on_success, on_failure)
        return
    _watching.add(_AnswerWatch(owner, pending, finish, on_success, on_failure))


class _AnswerWatch(QObject):
    """Watches the pipes of jobs sent to workers, on the GUI thread."""

    def __init__(
        self,
        owner: QObject,
        pending: Sequence[PendingCall],
        finish: Callable[[], Any],
        on_success: Callable[[Any], None],
        on_failure: Callable[[BaseException], None],
    ) -> None:
        super().__init__()  # not the owner's child: the answers are collected regardless
        self._owner = owner
        self._finish = finish
        self._on_success = on_success
        self._on_failure = on_failure
        self._waiting: set[QSocketNotifier] = set()
        for call in pending:
            notifier = QSocketNotifier(call.fileno(), QSocketNotifier.Type.Read, self)
            notifier.activated.connect(functools.partial(self._answered, notifier))
            self._waiting.add(notifier)
        # A worker that never answers: ``result()`` then kills it and says why.
        deadline = max((call.seconds_left for call in pending), default=0.0)
        QTimer.singleShot(round(deadline * 1000) + 1, self, self._done)
        if not self._waiting:
            QTimer.singleShot(0, self, self._done)

    def _answered(self, notifier: QSocketNotifier, *_activation: object) -> None:
        notifier.setEnabled(False)
        self._waiting.discard(notifier)
        if not self._waiting:
            self._done()

    def _done(self) -> None:
        if self not in _watching:
            return  # already done
        _watching.discard(self)
        for notifier in self.findChildren(QSocketNotifier):
            notifier.setEnabled(False)
        self.deleteLater()
        try:
            result = self._finish()
        except BaseException as error:
            if shiboken6.isValid(self._owner):
                self._on_failure(error)
            return
        if shiboken6.isValid(self._owner):
            self._on_success(result)
