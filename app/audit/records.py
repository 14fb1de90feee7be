"""One audit record: its fields, its canonical bytes and its hash.

A record is one line of canonical JSON (RFC 8785 for what a record holds, as
``app.protocol.review.canonical_json``: keys sorted, no white space, UTF-8, integers only)::

    {"actor": "anna", "data": {...}, "hash": "…", "kind": "sign_in",
     "prev": "…", "seq": 1, "time": "2026-11-30T04:30:00.123Z", "v": 2}

``hash`` is the HMAC-SHA256 of the canonical JSON of the record without ``hash``, keyed
with a key derived (HKDF) from the installation's audit key in the OS keyring, and
``prev`` is the ``hash`` of the record before it (:data:`GENESIS` for the first), so
changing, removing or moving any line breaks the chain at or right after it, and whoever
can write the file but does not hold the key cannot make the hashes right again.

Format version 1 (before issue 21) used a plain SHA-256 that anyone can recompute. Such
records are still read, as *legacy*: only at the start of a trail, and followed by a
:attr:`EventKind.KEYED_FROM_HERE` record that names how many there were and the last
one's hash (docs/audit.md). The writer (:mod:`app.audit.trail`) and the checker
(:mod:`app.audit.verify`) share this module, so they cannot disagree about what a sound
record is.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.config.strict_json import refuse_duplicate_keys

FORMAT_VERSION = 2
#: Records written before the chain was keyed: SHA-256 without a key.
LEGACY_VERSION = 1
_VERSIONS = (LEGACY_VERSION, FORMAT_VERSION)
#: What the first record's ``prev`` holds: there is no record before it.
GENESIS = "0" * 64

_HEX64 = re.compile(r"[0-9a-f]{64}")
_FIELDS = frozenset({"v", "seq", "time", "kind", "actor", "data", "prev", "hash"})


class EventKind(StrEnum):
    SIGN_IN = "sign_in"
    SIGN_OUT = "sign_out"
    ATTACH = "attach"
    PAGE_SEEN = "page_seen"
    SIGN_OFF = "sign_off"
    SEND = "send"
    RETRACTION = "retraction"
    DEVIATION_REPORT = "deviation_report"
    PURGE = "purge"
    #: The clinician deleted the file they had picked, once it was sent and in the record.
    ORIGINAL_DELETED = "original_deleted"
    #: The first record of a trail started after the one before was found damaged.
    NEW_AFTER_DAMAGE = "new_after_damage"
    #: The first keyed record after the unkeyed (legacy) records of an older trail.
    KEYED_FROM_HERE = "keyed_from_here"


class AuditError(Exception):
    """The trail could not do what was asked. ``code`` is for the UI to explain
    (``resources/texts/audit.json``); ``params`` fill in its sentence."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    time: str
    kind: str
    actor: str | None
    data: dict[str, Any]
    prev: str
    hash: str
    v: int = FORMAT_VERSION

    def to_line(self) -> bytes:
        """The record as it is stored: canonical JSON and a newline."""
        return canonical_json(_body(self) | {"hash": self.hash}) + b"\n"


def _body(record: Record) -> dict[str, Any]:
    return {
        "v": record.v,
        "seq": record.seq,
        "time": record.time,
        "kind": record.kind,
        "actor": record.actor,
        "data": record.data,
        "prev": record.prev,
    }


def canonical_json(value: Any) -> bytes:
    """Keys sorted, no white space, UTF-8 as itself. (``app.protocol.review.canonical_json`` also
    walks the value to refuse floats; a record's values are checked when they are made,
    and :func:`parse_line` refuses floats while it reads, so a bulk send's record is not
    walked twice more.)"""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


class ChainKey:
    """What authenticates each record: HMAC-SHA256 with a key derived from the
    installation's audit key (HKDF-SHA256, PyCA's), so the key that makes the residents'
    references is never used as it is for a second purpose."""

    def __init__(self, installation_key: bytes) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.kdf.hkdf import HKDF

        derive = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CHAIN_INFO)
        self._key = derive.derive(installation_key)

    def __repr__(self) -> str:
        return "ChainKey(...)"

    def mac(self, body: dict[str, Any]) -> str:
        return hmac.new(self._key, canonical_json(body), "sha256").hexdigest()


_CHAIN_INFO = b"bifoga audit trail chain v2"


def record_hash(body: dict[str, Any], key: ChainKey | None = None) -> str:
    """What ``hash`` must hold for a record without its ``hash``: the keyed MAC for a
    record of this format, the plain SHA-256 for a legacy one (``key`` is then unused)."""
    if body.get("v") == LEGACY_VERSION or key is None:
        return hashlib.sha256(canonical_json(body)).hexdigest()
    return key.mac(body)


def chained(
    seq: int,
    time: str,
    kind: EventKind,
    actor: str | None,
    data: dict[str, Any],
    prev: str,
    key: ChainKey,
) -> Record:
    """A new record after the one whose hash is ``prev``, authenticated with ``key``."""
    unhashed = Record(seq, time, kind.value, actor, data, prev, "")
    return Record(seq, time, kind.value, actor, data, prev, key.mac(_body(unhashed)))


def rfc3339_utc(moment: dt.datetime) -> str:
    """``2026-11-30T04:30:00.123Z``: UTC, milliseconds, as RFC 3339 allows."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


class LineFault(StrEnum):
    """Why one line is not a sound record on its own (before looking at its neighbours)."""

    UNPARSEABLE = "unparseable"  # not UTF-8 JSON, or not an object
    MALFORMED = "malformed"  # JSON, but fields missing, extra or of the wrong type
    HASH_MISMATCH = "hash_mismatch"  # its content is not what its hash was made from


class LineError(Exception):
    def __init__(self, fault: LineFault, detail: str = "") -> None:
        super().__init__(fault.value)
        self.fault = fault
        self.detail = detail


def parse_line(line: bytes, key: ChainKey) -> Record:
    """The record on ``line`` (without its newline) if it is sound on its own: a legacy
    record's SHA-256 or a keyed record's MAC with ``key`` is right.

    Raises :class:`LineError` saying what is wrong. A duplicated key is refused: JSON
    readers disagree about which one wins, so it could show one thing and hash another.
    """
    try:
        raw = json.loads(
            line.decode("utf-8"),
            object_pairs_hook=refuse_duplicate_keys,
            parse_float=_refuse_float,
            parse_constant=_refuse_float,
        )
    except _FloatFound as found:
        # Bifoga writes integers only; a float's canonical form is not portable (JCS).
        raise LineError(LineFault.MALFORMED, f"floating-point number {found}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise LineError(LineFault.UNPARSEABLE, str(error)) from None
    if not isinstance(raw, dict):
        raise LineError(LineFault.UNPARSEABLE, "not a JSON object")
    if set(raw) != _FIELDS:
        missing = sorted(_FIELDS - set(raw))
        extra = sorted(set(raw) - _FIELDS)
        raise LineError(LineFault.MALFORMED, f"missing {missing}, unexpected {extra}")
    problem = _type_problem(raw)
    if problem:
        raise LineError(LineFault.MALFORMED, problem)
    stored_hash = raw.pop("hash")
    computed = record_hash(raw, key)
    if not hmac.compare_digest(computed, stored_hash):
        # The computed MAC is not shown: it would be the forger's next answer.
        raise LineError(LineFault.HASH_MISMATCH, f"stored {stored_hash}")
    return Record(
        raw["seq"],
        raw["time"],
        raw["kind"],
        raw["actor"],
        raw["data"],
        raw["prev"],
        stored_hash,
        raw["v"],
    )


class _FloatFound(ValueError):
    pass


def _refuse_float(text: str) -> Any:
    raise _FloatFound(text)


def _type_problem(raw: dict[str, Any]) -> str:
    if type(raw["v"]) is not int or raw["v"] not in _VERSIONS:
        return f"format version {raw['v']!r}, expected one of {_VERSIONS}"
    seq = raw["seq"]
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
        return f"seq {seq!r} is not a positive integer"
    if not isinstance(raw["time"], str) or not isinstance(raw["kind"], str):
        return "time and kind must be strings"
    if raw["actor"] is not None and not isinstance(raw["actor"], str):
        return "actor must be a string or null"
    if not isinstance(raw["data"], dict):
        return "data must be an object"
    for name in ("prev", "hash"):
        if not isinstance(raw[name], str) or not _HEX64.fullmatch(raw[name]):
            return f"{name} is not 64 lower-case hex digits"
    return ""
