"""Checking a trail: a sound one passes, and each kind of damage is caught at the first
record it touches and named (line, record, what is wrong)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.audit import TRAIL_FILE_NAME, AuditTrail, BreakKind, Checkpoint, verify_file
from app.audit.records import ChainKey, record_hash
from app.audit.verify import verify_stream
from app.config import texts

PDF_SHA = hashlib.sha256(b"provsvar.pdf").hexdigest()
RECORDS = 8
KEY = bytes(32)


@pytest.fixture
def trail_path(tmp_path: Path) -> Path:
    """A sound trail of eight records: sign-in to sign-out of one message."""
    with AuditTrail.open(tmp_path / "audit", lambda: KEY) as trail:
        session = trail.sign_in("anna")
        session.attach(PDF_SHA, "application/pdf", "review")
        session.page_seen(PDF_SHA, 1)
        session.page_seen(PDF_SHA, 2)
        session.sign_off("bertil", "d" * 64)
        session.send("msg-1", "reply", "2024-118", ["191212121212"], [PDF_SHA])
        session.retraction("msg-1", [PDF_SHA], "requested")
        session.sign_out()
    return tmp_path / "audit" / TRAIL_FILE_NAME


def edit_lines(path: Path, change: Callable[[list[bytes]], list[bytes]]) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(change(lines)))


def rehashed(line: bytes, **changes: object) -> bytes:
    """``line`` with fields changed and its own hash made right again, as someone who
    knows the format and holds the key would do it: what the chain's links and a
    checkpoint still show (without the key: tests/unit/test_audit_tamper.py)."""
    record = json.loads(line)
    record.update(changes)
    record.pop("hash")
    record["hash"] = record_hash(record, ChainKey(KEY))
    return json.dumps(record, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def test_a_sound_trail_passes(trail_path: Path) -> None:
    result = verify_file(trail_path, KEY)
    assert result.sound
    assert result.sound_records == RECORDS
    assert result.last is not None and result.last.kind == "sign_out"


def test_an_empty_trail_is_sound_with_no_records(tmp_path: Path) -> None:
    empty = tmp_path / "trail.jsonl"
    empty.write_bytes(b"")
    result = verify_file(empty, KEY)
    assert (result.sound, result.sound_records, result.last) == (True, 0, None)


def test_one_changed_field_is_a_hash_mismatch_at_that_record(trail_path: Path) -> None:
    edit_lines(
        trail_path,
        lambda lines: [line.replace(b'"verdict":"review"', b'"verdict":"ok"') for line in lines],
    )
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.HASH_MISMATCH, 2, 2)
    assert verify_file(trail_path, KEY).sound_records == 1


def test_a_changed_record_with_its_hash_made_again_breaks_the_next_link(
    trail_path: Path,
) -> None:
    def forge(lines: list[bytes]) -> list[bytes]:
        lines[4] = rehashed(lines[4], actor="cecilia")  # record 5: "who signed off"
        return lines

    edit_lines(trail_path, forge)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.BAD_PREV, 6, 6)


def test_a_deleted_line_is_named_as_the_missing_record(trail_path: Path) -> None:
    edit_lines(trail_path, lambda lines: lines[:3] + lines[4:])  # record 4 gone
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq, broken.found_seq) == (
        BreakKind.SEQUENCE_GAP, 4, 4, 5
    )  # fmt: skip


def test_a_deleted_first_line_is_named_as_record_one(trail_path: Path) -> None:
    edit_lines(trail_path, lambda lines: lines[1:])
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.SEQUENCE_GAP, 1, 1)


def test_a_deleted_line_renumbered_to_hide_the_gap_breaks_the_link(trail_path: Path) -> None:
    def delete_and_renumber(lines: list[bytes]) -> list[bytes]:
        kept = lines[:3] + lines[4:]
        return kept[:3] + [
            rehashed(line, seq=number) for number, line in enumerate(kept[3:], start=4)
        ]

    edit_lines(trail_path, delete_and_renumber)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.BAD_PREV, 4, 4)


def test_a_reordered_pair_is_named_with_where_the_record_went(trail_path: Path) -> None:
    def swap(lines: list[bytes]) -> list[bytes]:
        lines[2], lines[3] = lines[3], lines[2]  # records 3 and 4
        return lines

    edit_lines(trail_path, swap)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq, broken.found_seq, broken.at_line) == (
        BreakKind.MOVED, 3, 3, 4, 4
    )  # fmt: skip


def test_a_copied_line_is_a_repeated_record(trail_path: Path) -> None:
    edit_lines(trail_path, lambda lines: [*lines[:5], lines[2], *lines[5:]])
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq, broken.found_seq) == (
        BreakKind.REPEATED, 6, 6, 3
    )  # fmt: skip


def test_a_truncated_tail_is_named(trail_path: Path) -> None:
    edit_lines(trail_path, lambda lines: [*lines[:-1], lines[-1][:40]])
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.TRUNCATED_TAIL, RECORDS, RECORDS)


def test_a_last_line_without_its_newline_counts_as_truncated(trail_path: Path) -> None:
    edit_lines(trail_path, lambda lines: [*lines[:-1], lines[-1].rstrip(b"\n")])
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.found_seq) == (BreakKind.TRUNCATED_TAIL, RECORDS)


@pytest.mark.parametrize(
    ("garbage", "kind"),
    [
        (b"not json\n", BreakKind.UNPARSEABLE),
        (b"\n", BreakKind.UNPARSEABLE),
        (b"\xff\xfe{}\n", BreakKind.UNPARSEABLE),
        (b"[1, 2]\n", BreakKind.UNPARSEABLE),
        (b'{"seq": 3}\n', BreakKind.MALFORMED),
    ],
)
def test_a_line_that_is_not_a_record_is_named(
    trail_path: Path, garbage: bytes, kind: BreakKind
) -> None:
    def replace_third(lines: list[bytes]) -> list[bytes]:
        lines[2] = garbage
        return lines

    edit_lines(trail_path, replace_third)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (kind, 3, 3)


def test_a_record_with_an_extra_field_or_a_float_is_malformed(trail_path: Path) -> None:
    def add_field(lines: list[bytes]) -> list[bytes]:
        lines[1] = rehashed(lines[1], note="added later")
        return lines

    edit_lines(trail_path, add_field)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None and (broken.kind, broken.line) == (BreakKind.MALFORMED, 2)

    line = b'{"actor":"a","data":{"page":1.0},"hash":"' + b"0" * 64 + b'","kind":"page_seen",'
    line += b'"prev":"' + b"0" * 64 + b'","seq":1,"time":"t","v":1}\n'
    trail_path.write_bytes(line)
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None and broken.kind == BreakKind.MALFORMED
    assert "floating-point" in broken.detail


def test_a_duplicated_key_is_refused_rather_than_read_one_way(trail_path: Path) -> None:
    once, twice = b'"actor":"anna",', b'"actor":"anna","actor":"x",'
    edit_lines(trail_path, lambda lines: [lines[0].replace(once, twice), *lines[1:]])
    broken = verify_file(trail_path, KEY).broken
    assert broken is not None and (broken.kind, broken.line) == (BreakKind.UNPARSEABLE, 1)


def checkpoint_of(path: Path) -> Checkpoint:
    last = verify_file(path, KEY).last
    assert last is not None
    return Checkpoint.of(last)


def test_a_deleted_last_line_is_caught_only_with_a_checkpoint(trail_path: Path) -> None:
    checkpoint = checkpoint_of(trail_path)
    last_line = json.loads(trail_path.read_bytes().splitlines()[-1])
    assert str(checkpoint) == f"{RECORDS}:{last_line['hash'][:16]}"
    edit_lines(trail_path, lambda lines: lines[:-1])
    assert verify_file(trail_path, KEY).sound  # the chain alone cannot tell: nothing follows it
    broken = verify_file(trail_path, KEY, checkpoint).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (
        BreakKind.CHECKPOINT_MISSING, RECORDS, RECORDS
    )  # fmt: skip


def test_a_trail_rewritten_with_fresh_hashes_fails_its_checkpoint(trail_path: Path) -> None:
    checkpoint = checkpoint_of(trail_path)

    def rewrite_from_record_2(lines: list[bytes]) -> list[bytes]:
        prev = json.loads(lines[0])["hash"]
        rewritten = lines[:1]
        for line in lines[1:]:
            forged = rehashed(line.replace(b'"verdict":"review"', b'"verdict":"ok"'), prev=prev)
            prev = json.loads(forged)["hash"]
            rewritten.append(forged)
        return rewritten

    edit_lines(trail_path, rewrite_from_record_2)
    assert verify_file(trail_path, KEY).sound  # a consistent forgery: only the checkpoint shows it
    broken = verify_file(trail_path, KEY, checkpoint).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (
        BreakKind.CHECKPOINT_MISMATCH, RECORDS, RECORDS
    )  # fmt: skip


def test_a_checkpoint_is_a_record_number_and_at_least_16_hex_digits() -> None:
    assert Checkpoint.parse(" 9:05FD1AE37592C43D ") == Checkpoint(9, "05fd1ae37592c43d")
    assert Checkpoint.parse("9:" + "a" * 64) == Checkpoint(9, "a" * 64)
    for bad in ("9", "0:05fd1ae37592c43d", "9:05fd1ae3", "9:05fd1ae37592c43g", "x:" + "a" * 16):
        assert Checkpoint.parse(bad) is None, bad


def test_every_kind_of_break_has_a_sentence_in_both_languages() -> None:
    for kind in BreakKind:
        entry = texts.catalogue().get(f"audit.break.{kind.value}")
        assert entry is not None and set(entry) == {"sv", "en"}, kind


def test_every_single_byte_changed_anywhere_is_caught(trail_path: Path) -> None:
    # Exhaustive rather than sampled: each byte of a sound trail, changed in its lowest
    # bit and in its case bit, must break the chain (and never crash the checker).
    sound = trail_path.read_bytes()
    missed: list[tuple[int, int]] = []
    for position in range(len(sound)):
        for flip in (0x01, 0x20):
            changed = bytearray(sound)
            changed[position] ^= flip
            if verify_stream(io.BytesIO(bytes(changed)), KEY).sound:
                missed.append((position, flip))
    assert missed == []


def test_every_line_deleted_or_swapped_with_the_next_is_caught(trail_path: Path) -> None:
    lines = trail_path.read_bytes().splitlines(keepends=True)
    for index in range(len(lines) - 1):  # the last line's removal needs a checkpoint
        without = lines[:index] + lines[index + 1 :]
        broken = verify_stream(io.BytesIO(b"".join(without)), KEY).broken
        assert broken is not None and broken.seq == index + 1, index
        swapped = list(lines)
        swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
        broken = verify_stream(io.BytesIO(b"".join(swapped)), KEY).broken
        assert broken is not None and broken.seq == index + 1, index
