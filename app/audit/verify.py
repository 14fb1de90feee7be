"""Checking a trail: every line a sound record, numbered 1, 2, 3 … and each one's
``prev`` the hash of the line before it. The first thing wrong is named, with the line and
the record it concerns, so whoever investigates knows where to look.

This needs the installation's audit key (from the OS keyring, as the writer had it): each
record's ``hash`` is a MAC with a key derived from it, so a record changed, removed or
added by someone without the key, even with every hash after it made again, is named.
Unkeyed records of an older trail (format 1) are accepted only at its start and up to the
``keyed_from_here`` record that closes them (:data:`BreakKind.LEGACY_BOUNDARY` otherwise),
and counted as legacy in the result. The chain cannot show on its own that records were
removed from the end, or that the file was replaced by an older copy of itself: a
:class:`Checkpoint` kept elsewhere (a record's number and the start of its hash: the
summary prints it, and Bifoga sends one to the gateway now and then) shows those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from app.audit.records import (
    GENESIS,
    LEGACY_VERSION,
    ChainKey,
    EventKind,
    LineError,
    Record,
    parse_line,
)


class BreakKind(StrEnum):
    UNPARSEABLE = "unparseable"  # the line is not JSON (or not UTF-8, or empty)
    MALFORMED = "malformed"  # JSON, but not the fields of a record
    HASH_MISMATCH = "hash_mismatch"  # the record was changed after it was written
    SEQUENCE_GAP = "sequence_gap"  # the record expected here is nowhere later: lines removed
    MOVED = "moved"  # the record expected here comes later: lines were reordered
    REPEATED = "repeated"  # a record number already seen comes again
    BAD_PREV = "bad_prev"  # the record does not chain to the one before it
    TRUNCATED_TAIL = "truncated_tail"  # the last line has no end: cut off or half written
    CHECKPOINT_MISSING = "checkpoint_missing"  # the trail ends before the checkpoint's record
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"  # the checkpoint's record is another one now
    #: An unkeyed (legacy) record where keyed ones were expected, or the record that closes
    #: the legacy part does not name it as it is.
    LEGACY_BOUNDARY = "legacy_boundary"


_CHECKPOINT = re.compile(r"([1-9]\d*):([0-9a-f]{16,64})")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A record's number and the first 16 to 64 hex digits of its hash, noted earlier."""

    seq: int
    hash_prefix: str

    @classmethod
    def parse(cls, text: str) -> Checkpoint | None:
        """``"9:05fd1ae37592c43d"`` as a checkpoint; ``None`` when it is not one."""
        match = _CHECKPOINT.fullmatch(text.strip().lower())
        return cls(int(match.group(1)), match.group(2)) if match else None

    @classmethod
    def of(cls, record: Record) -> Checkpoint:
        return cls(record.seq, record.hash[:16])

    def met_by(self, record: Record) -> bool:
        """False only for the checkpoint's own record with another hash."""
        return record.seq != self.seq or record.hash.startswith(self.hash_prefix)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash_prefix}"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    kind: BreakKind
    line: int  # 1-based line in the file
    seq: int  # the record that should be on that line (the first one broken or missing)
    found_seq: int | None = None  # the record that is there instead, if readable
    at_line: int | None = None  # MOVED: where the expected record is
    detail: str = ""  # for people investigating (what the parser said)
    checkpoint: str = ""  # CHECKPOINT_*: the checkpoint that was not met

    @property
    def params(self) -> dict[str, object]:
        """The values a sentence about the break can use (``audit.break.*`` texts)."""
        return {
            "line": self.line,
            "seq": self.seq,
            "found": self.found_seq,
            "last": self.seq - 1,
            "at_line": self.at_line,
            "detail": self.detail,
            "checkpoint": self.checkpoint,
        }


@dataclass(frozen=True, slots=True)
class VerifyResult:
    sound_records: int  # records checked before the first break (all, when sound)
    last: Record | None  # the last sound record
    broken: ChainBreak | None
    #: How many of the sound records are unkeyed ones of an older trail (at its start).
    legacy_records: int = 0

    @property
    def sound(self) -> bool:
        return self.broken is None


def verify_file(
    path: Path, key: bytes | ChainKey, checkpoint: Checkpoint | None = None
) -> VerifyResult:
    """Check the trail at ``path`` with the installation's audit ``key`` (and that it
    still holds ``checkpoint``'s record). Raises ``OSError`` when it cannot be read."""
    with path.open("rb") as reader:
        return verify_stream(reader, key, checkpoint)


def verify_stream(
    reader: BinaryIO, key: bytes | ChainKey, checkpoint: Checkpoint | None = None
) -> VerifyResult:
    chain = key if isinstance(key, ChainKey) else ChainKey(key)
    lines = _numbered_lines(reader)
    previous: Record | None = None
    count = legacy = 0

    def result(broken: ChainBreak | None) -> VerifyResult:
        return VerifyResult(count, previous, broken, legacy)

    for number, line, terminated in lines:
        expected = count + 1
        if not terminated:
            found = _seq_or_none(line, chain)
            return result(ChainBreak(BreakKind.TRUNCATED_TAIL, number, expected, found))
        try:
            record = parse_line(line, chain)
        except LineError as error:
            kind = BreakKind(error.fault.value)
            found = _seq_or_none(line, chain)
            return result(ChainBreak(kind, number, expected, found, detail=error.detail))
        if record.seq > expected:
            at_line = _line_of(expected, lines, chain)
            kind = BreakKind.SEQUENCE_GAP if at_line is None else BreakKind.MOVED
            return result(ChainBreak(kind, number, expected, record.seq, at_line))
        if record.seq < expected:
            return result(ChainBreak(BreakKind.REPEATED, number, expected, record.seq))
        if record.prev != (previous.hash if previous else GENESIS):
            return result(ChainBreak(BreakKind.BAD_PREV, number, expected, record.seq))
        if not _legacy_in_place(record, previous, legacy):
            return result(ChainBreak(BreakKind.LEGACY_BOUNDARY, number, expected, record.seq))
        if checkpoint and not checkpoint.met_by(record):
            return result(
                ChainBreak(
                    BreakKind.CHECKPOINT_MISMATCH, number, expected, checkpoint=str(checkpoint)
                )
            )
        previous = record
        count += 1
        legacy += record.v == LEGACY_VERSION
    if checkpoint and count < checkpoint.seq:
        return result(
            ChainBreak(
                BreakKind.CHECKPOINT_MISSING, count + 1, count + 1, checkpoint=str(checkpoint)
            )
        )
    return result(None)


def _legacy_in_place(record: Record, previous: Record | None, legacy: int) -> bool:
    """Unkeyed records only before any keyed one; the first keyed record after them is the
    ``keyed_from_here`` that names how many there were and the last one's hash."""
    if record.v == LEGACY_VERSION:
        return previous is None or previous.v == LEGACY_VERSION
    if previous is None or previous.v != LEGACY_VERSION:
        return True
    return (
        record.kind == EventKind.KEYED_FROM_HERE
        and record.data.get("legacy_records") == legacy
        and record.data.get("legacy_last_hash") == previous.hash
    )


def _numbered_lines(reader: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, line without its newline, whether it ended with one)."""
    for number, raw in enumerate(reader, start=1):
        terminated = raw.endswith(b"\n")
        yield number, raw[:-1] if terminated else raw, terminated


def _line_of(seq: int, rest: Iterator[tuple[int, bytes, bool]], chain: ChainKey) -> int | None:
    """The line further on that holds a sound record ``seq``, if any."""
    for number, line, _terminated in rest:
        try:
            if parse_line(line, chain).seq == seq:
                return number
        except LineError:
            continue
    return None


def _seq_or_none(line: bytes, chain: ChainKey) -> int | None:
    try:
        return parse_line(line, chain).seq
    except LineError:
        return None
