"""Writing the audit trail: the records, the chain, the file's privacy, the key in the
keyring, and several writers at once. (Checking a damaged trail: test_audit_verify.py.)"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import re
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from app.audit import (
    GENESIS,
    TRAIL_FILE_NAME,
    AuditError,
    AuditTrail,
    BreakKind,
    KeyringKeyProvider,
    contains_resident_id,
    verify_file,
)
from app.audit.pseudonyms import KEYRING_ENTRY, KEYRING_SERVICE
from app.audit.records import ChainKey, record_hash
from tests.support.keyrings import LockedKeyring, MemoryKeyring

ROOT = Path(__file__).resolve().parents[2]
FILES = ROOT / "tests" / "files"
TEST_NUMBERS = (FILES / "testpersonnummer.txt").read_text(encoding="ascii").split()
KEY = bytes(range(32))
PDF_SHA = "a" * 64
PNG_SHA = "b" * 64
DIGEST = "c" * 64


def fixed_key() -> bytes:
    return KEY


class UnwrappedErrorKeyring(MemoryKeyring):
    """A backend whose OS layer fails with its own exception, not keyring's."""

    def set_password(self, service: str, username: str, password: str) -> None:
        raise ConnectionRefusedError("org.freedesktop.secrets is not running")


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "audit"


def test_every_kind_of_event_is_written_chained_and_verifies(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.purge(2)
        session = trail.sign_in("anna")
        session.attach(PDF_SHA, "application/pdf", "review")
        session.page_seen(PDF_SHA, 1)
        session.page_seen(PDF_SHA, 2)
        session.sign_off("bertil", DIGEST)
        session.send("msg-7", "reply", "2024-118", ["191212121212"], [PDF_SHA])
        session.retraction("msg-7", [PDF_SHA], "requested")
        session.retraction("msg-7", [PDF_SHA], "done")
        session.deviation_report("msg-7", [PDF_SHA], report_sha256=PNG_SHA)
        session.purge(1)
        session.sign_out()
        seq, head = trail.head

    records = lines_of(folder / TRAIL_FILE_NAME)
    assert [r["kind"] for r in records] == [
        "purge", "sign_in", "attach", "page_seen", "page_seen", "sign_off", "send",
        "retraction", "retraction", "deviation_report", "purge", "sign_out",
    ]  # fmt: skip
    assert [r["seq"] for r in records] == list(range(1, 13))
    assert records[0]["prev"] == GENESIS
    for before, after in itertools.pairwise(records):
        assert after["prev"] == before["hash"]
    for record in records:
        body = {k: v for k, v in record.items() if k != "hash"}
        assert record["hash"] == record_hash(body, ChainKey(KEY))
    assert records[0]["actor"] is None  # purge at start: nobody signed in yet
    assert {r["actor"] for r in records[1:]} == {"anna"}
    assert records[2]["data"] == {
        "sha256": PDF_SHA, "media_type": "application/pdf", "verdict": "review"
    }  # fmt: skip
    assert records[5]["data"] == {"reviewer": "bertil", "digest": DIGEST}
    send = records[6]["data"]
    assert send["message_id"] == "msg-7" and send["kind"] == "reply"
    assert send["case_id"] == "2024-118" and send["count"] == 1
    assert set(send["recipients"][0]) == {"ref"}  # no date of birth, no masked form
    assert send["sha256s"] == [PDF_SHA]
    assert records[8]["data"]["status"] == "done"
    assert records[9]["data"]["report_sha256"] == PNG_SHA
    assert (seq, head) == (12, records[-1]["hash"])

    result = verify_file(folder / TRAIL_FILE_NAME, KEY)
    assert result.sound and result.sound_records == 12


def test_each_line_is_the_canonical_json_of_its_record(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").page_seen(PDF_SHA, 3)
    for line in (folder / TRAIL_FILE_NAME).read_bytes().splitlines():
        record = json.loads(line)
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line == canonical.encode()


def test_time_is_rfc3339_utc_from_the_injected_clock(folder: Path) -> None:
    stockholm = dt.timezone(dt.timedelta(hours=1))
    moment = dt.datetime(2026, 11, 30, 6, 7, 8, 912_345, tzinfo=stockholm)
    with AuditTrail.open(folder, fixed_key, clock=lambda: moment) as trail:
        record = trail.sign_in("anna").sign_out()
    assert record.time == "2026-11-30T05:07:08.912Z"
    assert dt.datetime.fromisoformat(record.time) == moment.replace(microsecond=912_000)


def test_a_trail_opened_again_continues_the_chain(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").sign_out()
    with AuditTrail.open(folder, fixed_key) as trail:
        assert trail.head[0] == 2
        record = trail.sign_in("bertil")
    assert record.actor == "bertil"
    result = verify_file(folder / TRAIL_FILE_NAME, KEY)
    assert result.sound and result.sound_records == 3


def test_the_trail_is_private_to_the_user(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna")
    path = folder / TRAIL_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    path.chmod(0o644)  # made by hand, or by an older copy
    with AuditTrail.open(folder, fixed_key):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_default_folder_is_in_the_users_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.audit import default_folder
    from app.config.settings import data_dir

    assert default_folder() == data_dir() / "audit"


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda s: s.attach("not-a-hash", "application/pdf", "ok"), "sha256"),
        (lambda s: s.attach(PDF_SHA, "application/zip", "ok"), "media_type"),
        (lambda s: s.attach(PDF_SHA, "application/pdf", "fine"), "verdict"),
        (lambda s: s.page_seen(PDF_SHA, 0), "page"),
        (lambda s: s.page_seen(PDF_SHA, True), "page"),
        (lambda s: s.sign_off("", DIGEST), "reviewer_id"),
        (lambda s: s.sign_off("bertil\n", DIGEST), "reviewer_id"),
        (lambda s: s.send("m", "letter", None, ["191212121212"], [PDF_SHA]), "kind"),
        (lambda s: s.send("m", "new_case", None, [], [PDF_SHA]), "recipients"),
        (lambda s: s.send("m", "new_case", None, ["191212121212"], ["x"]), "sha256s"),
        (lambda s: s.retraction("m", [PDF_SHA], "maybe"), "status"),
        (lambda s: s.deviation_report("m", [PDF_SHA], "x"), "report"),
    ],
)
def test_a_bad_value_is_refused_with_its_field_and_nothing_is_written(
    folder: Path, call: Any, field: str
) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        session = trail.sign_in("anna")
        before = (folder / TRAIL_FILE_NAME).read_bytes()
        with pytest.raises(AuditError) as refused:
            call(session)
        assert (refused.value.code, refused.value.params) == ("audit.bad_value", {"field": field})
        assert (folder / TRAIL_FILE_NAME).read_bytes() == before


@pytest.mark.parametrize("kind", ["reply", "partial_reply", "counter_question", "new_case"])
def test_a_send_without_files_is_recorded_for_every_kind(folder: Path, kind: str) -> None:
    case_id = None if kind == "new_case" else "2024-118"
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").send("msg-8", kind, case_id, ["191212121212"], [])
    (send,) = [r for r in lines_of(folder / TRAIL_FILE_NAME) if r["kind"] == "send"]
    assert (send["data"]["kind"], send["data"]["sha256s"], send["data"]["count"]) == (kind, [], 1)


def test_nothing_is_recorded_for_a_session_after_sign_out_or_a_closed_trail(
    folder: Path,
) -> None:
    trail = AuditTrail.open(folder, fixed_key)
    session = trail.sign_in("anna")
    session.sign_out()
    with pytest.raises(AuditError) as refused:
        session.page_seen(PDF_SHA, 1)
    assert refused.value.code == "audit.signed_out"
    trail.close()
    with pytest.raises(AuditError) as closed:
        trail.sign_in("anna")
    assert closed.value.code == "audit.closed"
    assert len(lines_of(folder / TRAIL_FILE_NAME)) == 2


def test_a_trail_whose_last_line_is_cut_off_is_not_written_on(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").sign_out()
    path = folder / TRAIL_FILE_NAME
    damaged = path.read_bytes()[:-20]
    path.write_bytes(damaged)
    with pytest.raises(AuditError) as refused:
        AuditTrail.open(folder, fixed_key)
    assert refused.value.code == "audit.trail_damaged"
    assert refused.value.params["fault"] == "truncated_tail"
    assert path.read_bytes() == damaged  # left as it is, for whoever investigates


def test_a_trail_whose_last_record_was_changed_is_not_written_on(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").attach(PDF_SHA, "application/pdf", "blocked")
    path = folder / TRAIL_FILE_NAME
    path.write_bytes(path.read_bytes().replace(b'"blocked"', b'"ok"'))
    with pytest.raises(AuditError) as refused:
        AuditTrail.open(folder, fixed_key)
    assert refused.value.params["fault"] == "hash_mismatch"


def test_after_damage_a_new_trail_starts_and_keeps_the_damaged_one_as_it_was(
    folder: Path,
) -> None:
    moment = dt.datetime(2026, 11, 30, 5, 10, 0, tzinfo=dt.UTC)
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").sign_out()
        last_sound = trail.head
    path = folder / TRAIL_FILE_NAME
    damaged = path.read_bytes() + b'{"seq": 3, "cut off'
    path.write_bytes(damaged)

    with AuditTrail.open_new_after_damage(folder, fixed_key, clock=lambda: moment) as trail:
        trail.sign_in("bertil")
    kept = folder / "trail-damaged-20261130T051000Z.jsonl"
    assert kept.read_bytes() == damaged
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    broken = verify_file(kept, KEY).broken
    assert broken is not None and broken.kind == BreakKind.TRUNCATED_TAIL

    records = lines_of(path)
    assert records[0]["kind"] == "new_after_damage" and records[0]["actor"] is None
    assert records[0]["data"] == {
        "damaged_file": kept.name,
        "last_sound_seq": last_sound[0],
        "last_sound_hash": last_sound[1],
        "break": "truncated_tail",
        "break_line": 3,
    }
    assert verify_file(path, KEY).sound_records == 2


def test_a_sound_trail_is_simply_opened_again_and_nothing_set_aside(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna")
    with AuditTrail.open_new_after_damage(folder, fixed_key) as trail:
        trail.sign_in("bertil")
    assert sorted(p.name for p in folder.iterdir()) == [TRAIL_FILE_NAME]
    assert [r["kind"] for r in lines_of(folder / TRAIL_FILE_NAME)] == ["sign_in", "sign_in"]


def test_a_folder_that_cannot_be_written_gives_a_code(tmp_path: Path) -> None:
    in_the_way = tmp_path / "a-file"
    in_the_way.write_text("not a folder")
    with pytest.raises(AuditError) as refused:
        AuditTrail.open(in_the_way / "audit", fixed_key)
    assert refused.value.code == "audit.unwritable"


# ------------------------------------------------------------------ no personnummer in clear


def _identifier_windows(text: str) -> set[str]:
    """Every 10- and 12-digit window of every run of digits (separators dropped), so a
    personnummer is found in any written form and inside any longer run."""
    windows: set[str] = set()
    for run in re.findall(r"\d[\d+-]{8,}\d", text):  # only runs long enough to hold one
        digits = re.sub(r"\D", "", run)
        for width in (10, 12):
            windows.update(digits[i : i + width] for i in range(len(digits) - width + 1))
    return windows


def test_no_test_personnummer_is_in_clear_in_a_trail_of_events_holding_them(
    folder: Path,
) -> None:
    with AuditTrail.open(folder, fixed_key) as trail:
        # A staff id and a case id that are personnummer: a mistake the trail must survive.
        session = trail.sign_in(TEST_NUMBERS[0])
        session.sign_off(f"{TEST_NUMBERS[1][2:8]}-{TEST_NUMBERS[1][8:]}", DIGEST)
        for start in range(0, len(TEST_NUMBERS), 250):
            bulk = TEST_NUMBERS[start : start + 250]
            session.send(f"msg-{start}", "new_case", f"case {bulk[0]}", bulk, [PDF_SHA])
        session.retraction(f"msg-{TEST_NUMBERS[2]}", [PDF_SHA], "requested")
        session.sign_out()
    text = (folder / TRAIL_FILE_NAME).read_text(encoding="utf-8")

    forms = set(TEST_NUMBERS) | {n[2:] for n in TEST_NUMBERS}
    assert _identifier_windows(text) & forms == set()
    records = lines_of(folder / TRAIL_FILE_NAME)
    sends = [r["data"] for r in records if r["kind"] == "send"]
    assert sum(s["count"] for s in sends) == len(TEST_NUMBERS)  # every recipient is there
    assert records[0]["actor"].startswith("********-****#ref:")
    assert verify_file(folder / TRAIL_FILE_NAME, KEY).sound


def test_a_recipients_reference_matches_only_with_the_key(folder: Path) -> None:
    resident = TEST_NUMBERS[10]
    with AuditTrail.open(folder, fixed_key) as trail:
        trail.sign_in("anna").send("m1", "reply", "c1", [resident], [PDF_SHA])
    with AuditTrail.open(folder.parent / "other", lambda: bytes(32)) as other:
        other.sign_in("anna").send("m2", "reply", "c1", [resident], [PDF_SHA])
    with AuditTrail.open(folder, fixed_key) as again:
        again.sign_in("anna").send("m3", "reply", "c1", [resident], [PDF_SHA])
    with pytest.raises(AuditError) as refused:  # another key cannot go on with the chain
        AuditTrail.open(folder, lambda: bytes(32))
    assert refused.value.code == "audit.trail_damaged"
    sends = [
        r
        for trail in (folder, folder.parent / "other")
        for r in lines_of(trail / TRAIL_FILE_NAME)
        if r["kind"] == "send"
    ]
    refs = [sends[0], sends[2], sends[1]]
    refs = [r["data"]["recipients"][0]["ref"] for r in refs]
    assert refs[0] == refs[2]  # the same key: the same resident is recognised
    assert refs[1] != refs[0]  # another key: no match


def test_only_valid_identifiers_are_taken_for_personnummer() -> None:
    assert contains_resident_id("191212121212")
    assert contains_resident_id("ärende 121212-1212")
    assert contains_resident_id("19121212-1212")
    assert not contains_resident_id("191212121213")  # Luhn fails
    assert not contains_resident_id("msg-5566778899")  # an organisation number's shape
    assert not contains_resident_id("anna")


# ------------------------------------------------------------------ the key in the keyring


def test_the_key_is_made_once_and_kept_in_the_keyring() -> None:
    backend = MemoryKeyring()
    first = KeyringKeyProvider(backend)()
    assert len(first) == 32
    assert backend.entries[(KEYRING_SERVICE, KEYRING_ENTRY)] == first.hex()
    assert KeyringKeyProvider(backend)() == first


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "NoKeyringError"),
        (LockedKeyring(), "KeyringLocked"),
        (null.Keyring(), "not_kept"),
        (UnwrappedErrorKeyring(), "ConnectionRefusedError"),
    ],
)
def test_a_keyring_that_cannot_keep_the_key_is_a_clear_refusal(
    folder: Path, backend: KeyringBackend, reason: str
) -> None:
    with pytest.raises(AuditError) as refused:
        AuditTrail.open(folder, KeyringKeyProvider(backend))
    assert refused.value.code == "audit.key_unavailable"
    assert refused.value.params == {"reason": reason}
    assert not folder.exists()  # asked before anything is written


def test_a_malformed_key_is_refused_and_never_replaced() -> None:
    backend = MemoryKeyring()
    backend.set_password(KEYRING_SERVICE, KEYRING_ENTRY, "not hex")
    with pytest.raises(AuditError) as refused:
        KeyringKeyProvider(backend)()
    assert refused.value.params == {"reason": "malformed"}
    assert backend.entries[(KEYRING_SERVICE, KEYRING_ENTRY)] == "not hex"


# ------------------------------------------------------------------ several writers


def test_concurrent_writers_keep_one_sound_chain(folder: Path) -> None:
    # Two threads on one trail, and a second trail on the same file (as a second window
    # of the same user would have), all writing at once.
    first = AuditTrail.open(folder, fixed_key)
    second = AuditTrail.open(folder, fixed_key)
    per_writer = 40
    start = threading.Barrier(3)
    failures: list[BaseException] = []

    def write(trail: AuditTrail, staff_id: str) -> None:
        try:
            session = trail.sign_in(staff_id)
            start.wait()
            for page in range(1, per_writer + 1):
                session.page_seen(PDF_SHA, page)
        except BaseException as error:  # reported by the test below
            failures.append(error)

    writers = [
        threading.Thread(target=write, args=(first, "anna")),
        threading.Thread(target=write, args=(first, "bertil")),
        threading.Thread(target=write, args=(second, "cecilia")),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    first.close()
    second.close()

    assert failures == []
    result = verify_file(folder / TRAIL_FILE_NAME, KEY)
    assert result.broken is None
    assert result.sound_records == 3 * (per_writer + 1)
    records = lines_of(folder / TRAIL_FILE_NAME)
    for staff_id in ("anna", "bertil", "cecilia"):
        pages = [r["data"]["page"] for r in records if r["actor"] == staff_id and r["data"]]
        assert pages == list(range(1, per_writer + 1))


def test_a_second_writer_chains_to_what_the_first_wrote_since(folder: Path) -> None:
    with AuditTrail.open(folder, fixed_key) as first, AuditTrail.open(folder, fixed_key) as second:
        first.sign_in("anna")
        second.sign_in("bertil")
        bertils_sign_in = second.head
        record = first.purge(1)
        assert (record.seq, record.prev) == (3, bertils_sign_in[1])
        assert second.head == (3, record.hash)  # what the other one wrote counts too
    assert verify_file(folder / TRAIL_FILE_NAME, KEY).sound_records == 3


# ------------------------------------------------------------------ a full disk

_FILL_THE_DISK = """
import resource, signal, sys
from pathlib import Path
from app.audit import AuditError, AuditTrail

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a short write and EFBIG, not a kill
folder = Path(sys.argv[1])
trail = AuditTrail.open(folder, lambda: bytes(32))
session = trail.sign_in("anna")
first = session.page_seen("a" * 64, 1).to_line()
size = (folder / "trail.jsonl").stat().st_size
# The next line fits only half: as on a disk that fills up in the middle of a write.
resource.setrlimit(resource.RLIMIT_FSIZE, (size + len(first) // 2, resource.RLIM_INFINITY))
try:
    session.page_seen("a" * 64, 2)
except AuditError as error:
    print(error.code, error.params["reason"])
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_cut_short_by_a_full_disk_is_an_error_and_then_a_named_break(
    folder: Path,
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _FILL_THE_DISK, str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert (child.returncode, child.stderr) == (0, "")
    assert child.stdout.split() == ["audit.write_failed", "EFBIG"]

    broken = verify_file(folder / TRAIL_FILE_NAME, bytes(32)).broken
    assert broken is not None
    assert (broken.kind, broken.line, broken.seq) == (BreakKind.TRUNCATED_TAIL, 3, 3)
    with pytest.raises(AuditError) as refused:
        AuditTrail.open(folder, fixed_key)
    assert refused.value.code == "audit.trail_damaged"
