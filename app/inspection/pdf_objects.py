"""Reading a hostile PDF's objects through pikepdf without a surprise: a key of anything
that is not a dictionary is missing, a string is text only when it is a string, and
objects are told apart by their numbers (or identity, when direct)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pikepdf


def get(obj: Any, key: str) -> Any:
    """``obj[key]`` for dictionaries (and streams), ``None`` for anything else or missing."""
    try:
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            return obj.get(key)
    except (pikepdf.PdfError, ValueError, TypeError):
        return None
    return None


def text(value: Any) -> str:
    """A PDF string's text, stripped; empty for anything else."""
    return str(value).strip() if isinstance(value, pikepdf.String) else ""


#: Characters read from one text (an XMP packet can be long).
MAX_TEXT = 100_000


def readable(value: Any) -> str:
    """A PDF string (or name, for a check box's value) as text, bounded; empty for
    anything else. ``text`` is stricter: only strings, for the structure's checks."""
    if isinstance(value, pikepdf.String):
        return str(value)[:MAX_TEXT].strip()
    if isinstance(value, pikepdf.Name):
        name = str(value).lstrip("/")
        return "" if name in ("Off", "Yes") else name
    return ""


def key(obj: Any) -> tuple[int, int] | int:
    """What tells ``obj`` apart while walking: its object number, or its identity."""
    objgen = getattr(obj, "objgen", (0, 0))
    return objgen if objgen != (0, 0) else id(obj)


def each_once(pending: list[Any], limit: int) -> Iterator[pikepdf.Dictionary]:
    """The dictionaries in ``pending`` (which the caller may add to while walking), each
    once, at most ``limit``: a walk a reference loop or a flood cannot keep going."""
    seen: set[object] = set()
    while pending and len(seen) < limit:
        item = pending.pop()
        if isinstance(item, pikepdf.Dictionary) and key(item) not in seen:
            seen.add(key(item))
            yield item
