"""How many requests the sandbox served, by method and route (``GET /v1/cases/<case_id>``,
never an identifier): what a test counts to show a client asks only what it must
(``GET /sandbox/requests``, sandbox only)."""

from __future__ import annotations

import threading
from collections import Counter


class RequestTally:
    """Thread-safe: the server's request threads count while a test reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def count(self, method: str, route: str) -> None:
        with self._lock:
            self._counts[f"{method} {route}"] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)
