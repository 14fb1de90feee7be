"""JSON read strictly: an object that names a key twice is refused, not read as its last
value (Python's ``json`` keeps the last one silently). Used where a second value would
change what a file says unseen: the audit trail's records, the text catalogues."""

from __future__ import annotations

from typing import Any


class DuplicateKeyError(ValueError):
    """An object names ``key`` twice."""

    def __init__(self, key: str) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.key = key


def refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An ``object_pairs_hook`` for ``json.loads``: the object, or DuplicateKeyError."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKeyError(key)
        result[key] = value
    return result
