"""The isolated worker: untrusted files are parsed and drawn in another process.

Why a process: PDFium and image decoders are native code fed with files from
outside. A crash, a hang or a memory blow-up there must never take the window (and
the clinician's draft) with it. PDFium is also not thread-safe, not even across
documents, so each worker process owns its own PDFium and does one thing at a time.

The child is started with ``spawn`` (no inherited Qt state or locks), limits its own
address space and CPU time where the OS allows, and the parent waits with a
wall-clock timeout. On a crash or timeout the parent kills the child and raises
:class:`WorkerFailure`; the next call starts a fresh one.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import Any

from app.lifecycle import ClosedOnExit
from app.storage import storage_key
from app.storage.storage_key import StorageKey

log = logging.getLogger(__name__)

_MiB = 1024 * 1024


class WorkerFailure(Exception):
    """A job did not finish in the worker. ``code`` says why, for the UI to explain."""

    CRASHED = "worker.crashed"
    TIMEOUT = "worker.timeout"
    OUT_OF_MEMORY = "worker.out_of_memory"
    ERROR = "worker.error"

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _limit_resources(memory_limit_mb: int, cpu_limit_s: int | None) -> None:
    try:
        import resource
    except ImportError:  # Windows: the parent's timeout is the only guard there
        return
    limit = memory_limit_mb * _MiB
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if cpu_limit_s:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit_s, cpu_limit_s))


#: The module whose ``OPS`` table names the jobs a worker runs unless told otherwise. A
#: name, not an import: this module runs jobs and knows none of them (the typed clients,
#: ``app.preview.render_client`` and ``app.inspection.isolated``, call them by name).
DEFAULT_JOBS = "app.runtime.worker_ops"


def _serve(
    conn: Connection,
    memory_limit_mb: int,
    cpu_limit_s: int | None,
    key: StorageKey | None = None,
    jobs: str = DEFAULT_JOBS,
) -> None:
    """The child's loop: receive ``(op, args)``, answer ``(status, payload)``. ``key``
    opens the working copies (sealed at rest); it came with the spawn, over the pipe.
    ``jobs``: the module whose ``OPS`` table the child runs from."""
    if key is not None:
        storage_key.install(key)
    if hasattr(os, "setsid"):
        # A process group of its own: when the parent kills this worker, the page
        # helpers it forked for inspection go with it (see _kill).
        os.setsid()
    _limit_resources(memory_limit_mb, cpu_limit_s)
    # Imported in the child only: the jobs pull in PDFium and the parsers.
    ops = importlib.import_module(jobs).OPS

    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return
        if op == "__exit__":
            return
        try:
            function = ops[op]
            result = function(*args)
        except MemoryError:
            conn.send(("memory", ""))
            continue
        except Exception as error:  # reported to the parent as a refusal, never raised there
            # The type name only: messages from parsers may quote file content.
            conn.send(("error", type(error).__name__))
            continue
        try:
            conn.send(("ok", result))
        except MemoryError:
            conn.send(("memory", ""))


class IsolatedWorker(ClosedOnExit):
    """One child process that runs named jobs (a ``jobs`` module's ``OPS``) one at a time.

    Thread-safe: callers from several threads are served in turn.
    """

    def __init__(
        self,
        *,
        timeout_s: float = 60.0,
        memory_limit_mb: int = 1536,
        cpu_limit_s: int | None = None,
        key: StorageKey | None = None,
        jobs: str = DEFAULT_JOBS,
    ) -> None:
        """``key``: what the child opens working copies with (the process's storage key
        when none is given; none at all for ``bifoga inspect``, which reads clear files).
        ``jobs``: the module (by name) whose ``OPS`` table the child runs from."""
        self._key = key or storage_key.installed()
        self._jobs = jobs
        self._timeout_s = timeout_s
        self._memory_limit_mb = memory_limit_mb
        self._cpu_limit_s = cpu_limit_s
        self._context = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._process: Any = None
        self._conn: Connection | None = None
        self._closed = False

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        """Start the child now rather than on the first call (hides spawn time)."""
        with self._lock:
            self._ensure_started()

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        pending = self.submit(op, *args, timeout_s=timeout_s)
        assert pending is not None  # a submit that may wait always gets its turn
        return pending.result()

    def submit(
        self,
        op: str,
        *args: Any,
        timeout_s: float | None = None,
        wait_s: float | None = None,
    ) -> PendingCall | None:
        """Send a job now and collect its answer later, possibly on another thread.

        The worker is this caller's until ``result()`` is called on what this returns,
        which must happen exactly once. ``wait_s``: how long to wait for a worker busy
        with someone else's job (None: as long as it takes; 0: not at all); None comes
        back when it stayed busy. Two workers given a job each this way work at once."""
        if not self._reserve(wait_s):
            return None
        return self._send(op, args, timeout_s)

    @staticmethod
    def submit_together(
        jobs: Sequence[tuple[IsolatedWorker, str, tuple[Any, ...]]],
        *,
        wait_s: float | None = 0,
        timeout_s: float | None = None,
    ) -> list[PendingCall] | None:
        """``submit`` a job to each of several distinct workers (op and arguments each), so
        that they work at once: all of them, or (when one stays busy past ``wait_s``)
        none. Callers name shared workers in the same order, so they never wait on each
        other in a circle."""
        reserved: list[IsolatedWorker] = []
        for worker, _op, _args in jobs:
            if not worker._reserve(wait_s):
                for other in reserved:
                    other._lock.release()
                return None
            reserved.append(worker)
        sent: list[PendingCall] = []
        for index, (worker, op, args) in enumerate(jobs):
            try:
                sent.append(worker._send(op, args, timeout_s))
            except BaseException:
                for unsent, _op, _args in jobs[index + 1 :]:
                    unsent._lock.release()
                for call in sent:  # their workers are freed once answered
                    with contextlib.suppress(WorkerFailure):
                        call.result()
                raise
        return sent

    def _reserve(self, wait_s: float | None) -> bool:
        if wait_s is None:
            return self._lock.acquire()
        if wait_s > 0:
            return self._lock.acquire(timeout=wait_s)
        return self._lock.acquire(blocking=False)

    def _send(self, op: str, args: tuple[Any, ...], timeout_s: float | None) -> PendingCall:
        """Send with the lock held; the lock goes with the answer still to come (or is
        released here if nothing could be sent)."""
        timeout = self._timeout_s if timeout_s is None else timeout_s
        try:
            if self._closed:
                raise WorkerFailure(WorkerFailure.ERROR, "worker closed")
            conn = self._ensure_started()
            try:
                conn.send((op, args))
            except OSError as error:
                raise self._crashed(op) from error
        except BaseException:
            self._lock.release()
            raise
        return PendingCall(self, conn, op, timeout)

    def _crashed(self, op: str) -> WorkerFailure:
        exit_code = self._kill()
        log.warning("worker died during %s (exit code %s)", op, exit_code)
        return WorkerFailure(WorkerFailure.CRASHED, f"exit code {exit_code}")

    def close(self) -> None:
        """Stop the child now. Deliberately without the lock: a job still running (a long
        inspection at exit) must not hold up closing; its caller gets a WorkerFailure."""
        self._closed = True
        process = self._process
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.send(("__exit__", ()))
        if process is not None and not self._lock.locked():
            process.join(timeout=1)
        self._kill()

    def _ensure_started(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._kill()
        parent_end, child_end = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            # The spawn sends these pickled through its own pipe: the key never goes
            # through the environment or a file.
            args=(child_end, self._memory_limit_mb, self._cpu_limit_s, self._key, self._jobs),
            name="bifoga-worker",
            daemon=True,
        )
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end
        return parent_end

    def _kill(self) -> int | None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.close()
        if process is None:
            return None
        if hasattr(os, "killpg") and process.pid:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGKILL)
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        exit_code: int | None = process.exitcode
        with contextlib.suppress(ValueError):
            process.close()
        return exit_code


class PendingCall:
    """A job sent to an :class:`IsolatedWorker` whose answer is still to come. It holds
    the worker (no one else's job goes in) until ``result`` has been called."""

    def __init__(self, worker: IsolatedWorker, conn: Connection, op: str, timeout_s: float) -> None:
        self._worker = worker
        self._conn = conn
        self._op = op
        self._deadline = time.monotonic() + timeout_s
        self._timeout_s = timeout_s
        self._started = time.monotonic()
        self._done = False

    def fileno(self) -> int:
        """The pipe the answer comes through (POSIX: an event loop may watch it)."""
        return self._conn.fileno()

    @property
    def seconds_left(self) -> float:
        return max(0.0, self._deadline - time.monotonic())

    def result(self) -> Any:
        """The answer, or WorkerFailure; waits until the job's deadline at most."""
        if self._done:
            raise RuntimeError("the answer was already collected")
        self._done = True
        worker, op = self._worker, self._op
        try:
            try:
                if not self._conn.poll(self.seconds_left):
                    worker._kill()
                    raise WorkerFailure(
                        WorkerFailure.TIMEOUT, f"{op} after {self._timeout_s:.0f} s"
                    )
                status, payload = self._conn.recv()
            except (EOFError, OSError) as error:
                raise worker._crashed(op) from error
            log.debug("worker %s took %.1f ms", op, (time.monotonic() - self._started) * 1000)
        finally:
            worker._lock.release()
        if status == "ok":
            return payload
        if status == "memory":
            raise WorkerFailure(WorkerFailure.OUT_OF_MEMORY, op)
        raise WorkerFailure(WorkerFailure.ERROR, str(payload))
