"""Fault injection: make the next N state-changing requests (or, asked for, the next N
reads) fail in a chosen way.

The modes are the ones docs/protocol.md names. They exist so that tests (and people trying the
app) can see that a send retried after a lost answer still reaches every resident once.

A test in the same process does not sleep to let a fault happen: it waits on the injector's
hooks. ``wait_until_held`` returns once a "slow" request is held (a message's idempotency key
already claimed), ``release_held`` lets the held requests go on at once, and
``wait_until_done`` returns once that many faulted requests have been processed (their
answer made, or their connection about to be dropped).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum


class FaultMode(StrEnum):
    DROP_BEFORE = "drop_before"  # close the connection before processing
    RESET_AFTER = "reset_after"  # process, then close without answering
    ERROR_AFTER = "error_after"  # process, then answer 500
    SLOW = "slow"  # answer after a delay longer than a client's read timeout
    THROTTLE = "throttle"  # 429 with Retry-After, nothing processed


#: Longer than the client's default read timeout (30 s), so a default client times out.
DEFAULT_SLOW_DELAY_S = 35.0
#: What a throttled request is told to wait.
THROTTLE_RETRY_AFTER_S = 1


@dataclass(frozen=True, slots=True)
class FaultState:
    mode: FaultMode | None
    remaining: int
    delay_s: float
    #: The fault hits reads (GET, HEAD of /v1) instead of requests that change state:
    #: a refresh meeting a throttled or absent gateway.
    reads: bool = False
    #: What "throttle" tells the client to wait (``Retry-After``, whole seconds).
    retry_after_s: int = THROTTLE_RETRY_AFTER_S


def parse_fault_spec(spec: str) -> tuple[FaultMode, int]:
    """``"reset_after:2"`` -> (RESET_AFTER, 2); the count defaults to 1.

    Raises ValueError with a message fit for a command line.
    """
    name, _, count_text = spec.partition(":")
    try:
        mode = FaultMode(name.strip())
    except ValueError:
        known = ", ".join(m.value for m in FaultMode)
        raise ValueError(f"unknown fault mode {name!r} (known: {known})") from None
    if not count_text:
        return mode, 1
    if not count_text.isdigit() or int(count_text) < 1:
        raise ValueError(f"the fault count must be a positive whole number, not {count_text!r}")
    return mode, int(count_text)


class FaultInjector:
    """Thread-safe: request threads take faults while a test or the CLI sets them."""

    def __init__(self, delay_s: float = DEFAULT_SLOW_DELAY_S) -> None:
        self._lock = threading.Lock()
        self._mode: FaultMode | None = None
        self._remaining = 0
        self._delay_s = delay_s
        self._reads = False
        self._retry_after_s = THROTTLE_RETRY_AFTER_S
        # What the hooks count, guarded by a condition of their own so that a held request
        # never blocks ``take`` or ``set``.
        self._progress = threading.Condition()
        self._held = 0  # requests held by "slow" so far
        self._done = 0  # faulted requests processed so far
        self._releases = 0  # each release_held lets the requests held before it go
        self._stopped = False

    def set(
        self,
        mode: FaultMode | None,
        count: int,
        delay_s: float | None = None,
        *,
        reads: bool = False,
        retry_after_s: int | None = None,
    ) -> FaultState:
        with self._lock:
            self._mode = mode if count > 0 else None
            self._remaining = count if mode is not None else 0
            self._reads = reads
            if retry_after_s is not None:
                self._retry_after_s = retry_after_s
            if delay_s is not None:
                self._delay_s = delay_s
            return self._state()

    def take(self, *, reading: bool = False) -> tuple[FaultMode | None, float]:
        """The fault for this request (consuming one), and the slow delay. ``reading``:
        the request only reads, and takes a fault set for reads only."""
        with self._lock:
            if self._mode is None or self._remaining <= 0 or reading != self._reads:
                return None, self._delay_s
            mode = self._mode
            self._remaining -= 1
            if self._remaining == 0:
                self._mode = None
            return mode, self._delay_s

    def state(self) -> FaultState:
        with self._lock:
            return self._state()

    def _state(self) -> FaultState:
        return FaultState(
            self._mode, self._remaining, self._delay_s, self._reads, self._retry_after_s
        )

    # -- hooks: what a test waits on instead of sleeping ---------------------------------------

    def hold(self, delay_s: float) -> None:
        """Hold this request (the "slow" fault): until ``delay_s`` has passed, a test calls
        ``release_held``, or the server stops."""
        with self._progress:
            released_after = self._releases
            self._held += 1
            self._progress.notify_all()
            self._progress.wait_for(
                lambda: self._stopped or self._releases != released_after, delay_s
            )

    def release_held(self) -> None:
        """Let every request held now go on (one held later is held again)."""
        with self._progress:
            self._releases += 1
            self._progress.notify_all()

    def stop_holding(self) -> None:
        """The server stops: nothing is held any more, now or later."""
        with self._progress:
            self._stopped = True
            self._progress.notify_all()

    def note_done(self) -> None:
        """A faulted request has been processed (called by the server)."""
        with self._progress:
            self._done += 1
            self._progress.notify_all()

    def wait_until_held(self, count: int = 1, timeout_s: float = 30.0) -> bool:
        """Whether ``count`` requests have been held by "slow" (waiting for that)."""
        with self._progress:
            return self._progress.wait_for(lambda: self._held >= count, timeout_s)

    def wait_until_done(self, count: int = 1, timeout_s: float = 30.0) -> bool:
        """Whether ``count`` faulted requests have been processed (waiting for that)."""
        with self._progress:
            return self._progress.wait_for(lambda: self._done >= count, timeout_s)
