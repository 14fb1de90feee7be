"""The case list's refresh asks the gateway only what it must (protocol 1.2).

A case's thread (``GET /v1/cases/{case_id}``) can only hold something new for the
clinician when the case is on screen (they read it), when it is seen for the first time
in this session, or when its status changed since the last reload: a counter-question
makes a case ``awaiting_resident``, which leaves the open list, and the resident's answer
makes it ``open`` again, so it comes back into the list. A case still open since the last
reload keeps the thread it had (a partial reply of the clinician's own is read on screen).
So a refresh is one list and, most turns, the thread of the case on screen: not one
thread per open case.

A refresh that meets a 429 or no gateway stops at once (no call after the failed one)
and waits for its next turn, later each time it fails again and never before the
gateway's ``Retry-After``: :class:`RefreshPacing`.

Plain rules, no Qt and no HTTP (the window's ``ThreadController`` runs them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from app.gateway.case_thread import CaseThread
from app.gateway.errors import GatewayError


class CaseWatch:
    """What the refresh remembers between reloads: each listed case's status as its
    thread was last fetched, and which of them the resident has answered."""

    def __init__(self) -> None:
        self._statuses: dict[str, str] = {}
        self._answered: set[str] = set()

    @property
    def answered(self) -> frozenset[str]:
        """The listed cases whose resident wrote after staff did (marked in the list)."""
        return frozenset(self._answered)

    def plan(self, listed: Mapping[str, str], on_screen: str | None) -> list[str]:
        """The cases whose thread to fetch after a reload that listed ``listed`` (case id
        to status): the case on screen first, then each case seen for the first time or
        whose status changed. A case no longer listed is forgotten (with its mark), so
        it counts as changed when it comes back."""
        for gone in set(self._statuses) - set(listed) - {on_screen}:
            del self._statuses[gone]
        self._answered &= set(listed)
        wanted = [on_screen] if on_screen is not None else []
        wanted += [
            case_id
            for case_id, status in listed.items()
            if case_id != on_screen and self._statuses.get(case_id) != status
        ]
        return wanted

    def took(self, thread: CaseThread) -> bool:
        """``thread`` was fetched: its status is known from now on. Whether the marks
        changed. A case whose fetch failed is not taken, so the next reload asks again."""
        self._statuses[thread.case_id] = thread.status
        before = thread.case_id in self._answered
        if thread.resident_answered:
            self._answered.add(thread.case_id)
        else:
            self._answered.discard(thread.case_id)
        return before != thread.resident_answered


@dataclass(frozen=True, slots=True)
class Fetched:
    """The threads fetched in one turn, in order, and the failure that ended it early."""

    threads: tuple[CaseThread, ...]
    failure: GatewayError | None = None


def fetch_threads(fetch: Callable[[str], CaseThread], case_ids: Iterable[str]) -> Fetched:
    """Each case's thread, one after the other; the first failure ends the turn (a
    throttled or absent gateway is not asked again for the rest: no storm of calls)."""
    threads: list[CaseThread] = []
    for case_id in case_ids:
        try:
            threads.append(fetch(case_id))
        except GatewayError as failed:
            return Fetched(tuple(threads), failed)
    return Fetched(tuple(threads))


@dataclass(slots=True)
class RefreshPacing:
    """When the next refresh comes: every ``interval_s``; after failures in a row the
    wait doubles up to ``max_factor`` times the interval, and it is never shorter than
    the gateway's ``Retry-After``."""

    interval_s: float
    max_factor: int = 4
    failures: int = field(default=0, init=False)

    def succeeded(self) -> float:
        self.failures = 0
        return self.interval_s

    def failed(self, error: BaseException) -> float:
        self.failures += 1
        factor = min(2 ** (self.failures - 1), self.max_factor)
        retry_after = error.retry_after if isinstance(error, GatewayError) else None
        return max(self.interval_s * factor, retry_after or 0.0)
