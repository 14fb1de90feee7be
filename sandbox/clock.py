"""Time for the sandbox: an injectable clock and the RFC 3339 form the protocol uses.

Tests inject a clock so that token expiry, sign-off expiry and the sign-in throttle window
can be crossed without sleeping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def rfc3339(moment: dt.datetime) -> str:
    """UTC with microseconds and a ``Z``: fixed width, so stored strings sort as times do."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_rfc3339(text: str) -> dt.datetime | None:
    """The moment ``text`` names, or ``None`` when it is not an RFC 3339 date-time with offset."""
    if not isinstance(text, str) or "T" not in text.upper():
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(dt.UTC)
