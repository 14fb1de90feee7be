"""Issue 21: whoever can write the trail's file but does not hold the key in the keyring
cannot rewrite it quietly. Each way of doing it is caught: by the keyed hashes at the
first record touched, or by the last checkpoint the gateway keeps."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.audit import TRAIL_FILE_NAME, AuditTrail, BreakKind, Checkpoint, verify_file
from app.audit.checkpoints import CheckpointPublisher
from app.audit.records import GENESIS, canonical_json

KEY = bytes(range(32))
PDF_SHA = hashlib.sha256(b"provsvar.pdf").hexdigest()
RESIDENT = "196801029288"


def forge_hash(record: dict[str, Any]) -> str:
    """The best one can do without the key: the format is public, the key is not."""
    body = {k: v for k, v in record.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def forge_chain(records: list[dict[str, Any]], start: int) -> list[dict[str, Any]]:
    """``records`` with every link and hash from index ``start`` on made again, as one
    who has the format but not the key would."""
    for index in range(start, len(records)):
        records[index]["prev"] = records[index - 1]["hash"] if index else GENESIS
        records[index]["hash"] = forge_hash(records[index])
    return records


def line_of(record: dict[str, Any]) -> bytes:
    return canonical_json(record) + b"\n"


@pytest.fixture
def trail(tmp_path: Path) -> tuple[Path, list[Checkpoint]]:
    """A trail of ten records, and the checkpoints it sent as it was written."""
    kept: list[Checkpoint] = []

    def post(trail_id: str, seq: int, hash_hex: str, time: str) -> None:
        kept.append(Checkpoint(seq, hash_hex))

    with AuditTrail.open(tmp_path / "audit", lambda: KEY) as written:
        publisher = CheckpointPublisher(written.trail_id, post)
        written.on_record = publisher.noticed
        session = written.sign_in("anna")
        session.attach(PDF_SHA, "application/pdf", "review")
        session.page_seen(PDF_SHA, 1)
        session.sign_off("bertil", "d" * 64)
        session.send("msg-1", "reply", "2024-118", [RESIDENT], [PDF_SHA])
        session.page_seen(PDF_SHA, 2)
        session.retraction("msg-1", [PDF_SHA], "requested")
        session.retraction("msg-1", [PDF_SHA], "done")
        session.deviation_report("msg-1", [PDF_SHA])
        session.sign_out()
        publisher.close()
    return tmp_path / "audit" / TRAIL_FILE_NAME, kept


def records_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def rewrite(path: Path, change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    path.write_bytes(b"".join(line_of(r) for r in change(records_of(path))))


def broken_at(path: Path, checkpoint: Checkpoint | None = None) -> tuple[BreakKind, int, int]:
    result = verify_file(path, KEY, checkpoint)
    assert result.broken is not None, "not caught"
    return result.broken.kind, result.broken.line, result.broken.seq


def test_the_sound_trail_passes_and_its_last_checkpoint_is_its_last_record(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, kept = trail
    result = verify_file(path, KEY, kept[-1])
    assert result.sound and result.sound_records == 10 and result.legacy_records == 0
    assert kept[-1].seq == 10  # the sign-out asked for one
    assert [c.seq for c in kept] == sorted({c.seq for c in kept})


def test_a_truncated_tail_is_caught_against_the_last_checkpoint(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, kept = trail
    rewrite(path, lambda records: records[:-3])
    assert verify_file(path, KEY).sound  # the chain alone cannot tell: nothing follows
    assert broken_at(path, kept[-1]) == (BreakKind.CHECKPOINT_MISSING, 8, 8)


def test_an_edit_with_every_hash_after_it_recomputed_is_caught_at_the_edit(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, _kept = trail

    def other_reviewer(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert records[3]["kind"] == "sign_off"
        records[3]["data"]["reviewer"] = "cecilia"  # record 4: who signed off
        return forge_chain(records, 3)

    rewrite(path, other_reviewer)
    assert broken_at(path) == (BreakKind.HASH_MISMATCH, 4, 4)


def test_a_deleted_send_with_the_rest_renumbered_is_caught_where_it_was(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, _kept = trail

    def delete_send_and_renumber(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        assert records[4]["kind"] == "send"
        kept = records[:4] + records[5:]
        for number, record in enumerate(kept[4:], start=5):
            record["seq"] = number
        return forge_chain(kept, 4)

    rewrite(path, delete_send_and_renumber)
    assert broken_at(path) == (BreakKind.HASH_MISMATCH, 5, 5)


def test_an_appended_forged_send_is_caught_with_or_without_a_checkpoint(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, kept = trail
    last = records_of(path)[-1]
    forged = {
        "v": 2,
        "seq": 11,
        "time": "2026-12-07T10:00:00.000Z",
        "kind": "send",
        "actor": "anna",
        "data": {"message_id": "msg-2", "kind": "reply", "case_id": None, "count": 1,
                 "recipients": [{"ref": "0" * 64}], "sha256s": [PDF_SHA]},
        "prev": last["hash"],
    }  # fmt: skip
    forged["hash"] = forge_hash(forged)
    path.write_bytes(path.read_bytes() + line_of(forged))
    assert broken_at(path) == (BreakKind.HASH_MISMATCH, 11, 11)
    assert broken_at(path, kept[-1]) == (BreakKind.HASH_MISMATCH, 11, 11)


def test_an_appended_forgery_in_the_old_unkeyed_format_is_caught(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, _kept = trail
    last = records_of(path)[-1]
    forged = {"v": 1, "seq": 11, "time": last["time"], "kind": "sign_in", "actor": "eve",
              "data": {}, "prev": last["hash"]}  # fmt: skip
    forged["hash"] = forge_hash(forged)
    path.write_bytes(path.read_bytes() + line_of(forged))
    assert broken_at(path) == (BreakKind.LEGACY_BOUNDARY, 11, 11)


def test_a_whole_trail_rewritten_in_the_old_format_is_caught_by_its_checkpoint(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, kept = trail

    def downgrade(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for record in records:
            record["v"] = 1
        return forge_chain(records, 0)

    rewrite(path, downgrade)
    result = verify_file(path, KEY)
    assert result.sound and result.legacy_records == 10  # what the summary then says
    assert broken_at(path, kept[-1]) == (BreakKind.CHECKPOINT_MISMATCH, 10, 10)


def test_a_checkpoint_of_a_trail_holds_nothing_about_it(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, _kept = trail
    text = path.read_text(encoding="utf-8")
    assert RESIDENT not in text and RESIDENT[:8] not in text  # not even the date of birth
    send = next(r for r in records_of(path) if r["kind"] == "send")
    assert send["data"]["recipients"] == [{"ref": send["data"]["recipients"][0]["ref"]}]


# ------------------------------------------------------------------ an older, unkeyed trail


def legacy_trail(folder: Path, count: int) -> Path:
    """A trail as Bifoga wrote it before the key (format 1: plain SHA-256)."""
    folder.mkdir(parents=True)
    records = [
        {"v": 1, "seq": seq, "time": "2026-11-30T04:30:00.000Z", "kind": "purge",
         "actor": None, "data": {"count": seq}}
        for seq in range(1, count + 1)
    ]  # fmt: skip
    path = folder / TRAIL_FILE_NAME
    path.write_bytes(b"".join(line_of(r) for r in forge_chain(records, 0)))
    return path


def test_an_old_trail_is_kept_as_legacy_up_to_a_keyed_boundary(tmp_path: Path) -> None:
    path = legacy_trail(tmp_path / "audit", 4)
    with AuditTrail.open(tmp_path / "audit", lambda: KEY) as trail:
        trail.sign_in("anna").sign_out()
    records = records_of(path)
    assert [r["v"] for r in records] == [1, 1, 1, 1, 2, 2, 2]
    assert records[4]["kind"] == "keyed_from_here"
    assert records[4]["data"] == {"legacy_records": 4, "legacy_last_hash": records[3]["hash"]}
    result = verify_file(path, KEY)
    assert result.sound and (result.sound_records, result.legacy_records) == (7, 4)
    with AuditTrail.open(tmp_path / "audit", lambda: KEY):
        pass  # opened again: no second boundary
    assert len(records_of(path)) == 7


def test_a_legacy_record_changed_after_the_boundary_was_written_is_caught(
    tmp_path: Path,
) -> None:
    path = legacy_trail(tmp_path / "audit", 3)
    AuditTrail.open(tmp_path / "audit", lambda: KEY).close()

    def recount(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        records[2]["data"]["count"] = 99
        records[2]["hash"] = forge_hash(records[2])  # legacy: anyone can
        records[3]["prev"] = records[2]["hash"]  # the boundary's MAC cannot follow
        return records

    rewrite(path, recount)
    assert broken_at(path) == (BreakKind.HASH_MISMATCH, 4, 4)


def test_verify_with_another_key_names_the_first_keyed_record(
    trail: tuple[Path, list[Checkpoint]],
) -> None:
    path, _kept = trail
    broken = verify_file(path, bytes(32)).broken
    assert broken is not None and (broken.kind, broken.seq) == (BreakKind.HASH_MISMATCH, 1)


# ------------------------------------------------------------------ when checkpoints go


def test_checkpoints_go_every_so_many_records_and_a_failed_one_is_covered_by_the_next(
    tmp_path: Path,
) -> None:
    tried: list[int] = []

    def post(trail_id: str, seq: int, hash_hex: str, time: str) -> None:
        tried.append(seq)
        if seq == 3:
            raise ConnectionError("the gateway is away")

    with AuditTrail.open(tmp_path / "audit", lambda: KEY) as trail:
        publisher = CheckpointPublisher(trail.trail_id, post, every=3)
        trail.on_record = publisher.noticed
        session = trail.sign_in("anna")  # record 1
        for page in range(1, 8):  # records 2..8
            session.page_seen(PDF_SHA, page)
        publisher.close()
        session.page_seen(PDF_SHA, 8)  # after close: nothing more is sent
    # 3 failed, so 4 is due at once; then 7 (three after 4). Never one already sent.
    assert tried[0] == 3
    assert tried[-1] in (7, 8) and tried == sorted(set(tried))
    assert all(seq <= 8 for seq in tried)
