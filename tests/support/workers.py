"""Worker processes for tests that drive them directly."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing import shared_memory

from app.isolation.worker import IsolatedWorker
from tests.support.leaks import LONG_LIVED_WORKERS


def worker_process(memory_limit_mb: int = 768) -> Iterator[IsolatedWorker]:
    """The body of a fixture that outlives one test (module or session scope): one isolated
    worker, closed afterwards (``yield from`` it). The leak check knows that its process,
    started or started again during a test, is not that test's leftover."""
    with IsolatedWorker(timeout_s=20, memory_limit_mb=memory_limit_mb) as worker:
        LONG_LIVED_WORKERS.add(worker)
        yield worker


@contextmanager
def shared_block(size: int) -> Iterator[shared_memory.SharedMemory]:
    """A shared-memory block for a worker to draw into, deleted afterwards."""
    memory = shared_memory.SharedMemory(create=True, size=size)
    try:
        yield memory
    finally:
        memory.close()
        memory.unlink()
