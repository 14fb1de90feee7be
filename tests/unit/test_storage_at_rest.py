"""Nothing Bifoga keeps with personal data lies on disk in clear: a real PDF with personal
data staged, rewritten and inspected by the real worker, a draft to 250 residents and its
outbox job, all in the user's data folder; then every file there is searched. Clear files
written by an earlier Bifoga are sealed when read. And the search itself finds what it
must (tests/support/storage_evidence.py, which runs after the whole suite too)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config.settings import data_dir
from app.drafts.draft_store import DraftStore
from app.drafts.message_draft import Attachment, Draft
from app.inspection.isolated import InspectClient, inspect_isolated
from app.isolation.worker import IsolatedWorker
from app.outbox import JobFile, Outbox
from app.protocol.model import MAX_BULK_RECIPIENTS, MessageKind
from app.send.sending import outgoing_message
from app.storage import sealed
from app.storage.sealed import Role
from app.storage.staging import StagingArea
from tests.gateway.helpers import bulk_personnummer
from tests.support.leaks import LONG_LIVED_WORKERS
from tests.support.pdfgen import text_pdf
from tests.support.storage_evidence import find_clear_personal_data

RESIDENTS = bulk_personnummer()[:MAX_BULK_RECIPIENTS]
KARIN = "19680102-9288"  # a test personnummer, written as a clinician writes it


@pytest.fixture(scope="module")
def worker() -> Iterator[IsolatedWorker]:
    with IsolatedWorker(timeout_s=60, memory_limit_mb=1024) as isolated:
        LONG_LIVED_WORKERS.add(isolated)  # the module's, not the first test's leftover
        yield isolated


def _letter(tmp_path: Path) -> Path:
    # Hidden content too (data after the end), so the worker rewrites the working copy.
    chosen = tmp_path / "Provsvar.pdf"
    pdf = text_pdf([["Provsvar för Karin Berg", f"Personnummer {KARIN}"]], title="Provsvar")
    chosen.write_bytes(pdf + b"\n% kommentar efter slutet " + KARIN.encode() + b"\n")
    return chosen


def test_a_staged_letter_a_bulk_draft_and_its_job_leave_nothing_in_clear(
    tmp_path: Path, worker: IsolatedWorker
) -> None:
    staging = StagingArea(data_dir() / "staging", max_bytes=20 * 1024 * 1024)
    staged = staging.stage(_letter(tmp_path))
    sanitized = InspectClient(worker).sanitize(staged.path)
    assert sanitized.changed, "the text after the end was removed"
    staged = staging.rehash(staged)
    report = inspect_isolated(
        worker, staged.path, [], "new_case", name=staged.filename, removed=sanitized.removed
    )
    assert report.sha256 == staged.sha256, "the worker read the plain bytes of the copy"
    assert report.personal_data_found and report.pages == 1

    draft = Draft(
        MessageKind.NEW_CASE,
        new_case_recipients=list(RESIDENTS),
        subject="Kallelse",
        body=f"Hej! Gäller även {KARIN}.",
    )
    draft.attachments.append(Attachment(staged))
    store = DraftStore(staging.drafts_folder, "anna")
    store.save([draft], draft)
    with Outbox(data_dir() / "outbox.sqlite3") as outbox:
        files = [JobFile(staged.sha256, staged.path, staged.media_type, staged.size, "a.pdf")]
        job = outbox.add(outgoing_message(draft), files, draft.idempotency_key, "anna")
        assert outbox.job(job.job_id) == job
        assert list(outbox.job(job.job_id).message.recipients) == RESIDENTS  # type: ignore[union-attr]

    written = sorted(p.name for p in data_dir().rglob("*") if p.is_file())
    assert {"file", "anna.json", "outbox.sqlite3"} <= set(written), written
    assert find_clear_personal_data([data_dir()], [staging.root]) == []
    restored = store.load()
    assert restored is not None
    assert restored.drafts[0].draft.new_case_recipients == RESIDENTS


def test_the_search_names_a_clear_personnummer_and_a_clear_working_copy(tmp_path: Path) -> None:
    # (Not named "staging": the search after the whole run would find these, as it must.)
    home, staging = tmp_path / "home", tmp_path / "working-copies"
    (home / "data").mkdir(parents=True)
    (staging / "abc").mkdir(parents=True)
    (home / "data" / "notes.json").write_text(json.dumps({"to": RESIDENTS[7]}))
    (home / "data" / "ok.json").write_text(json.dumps({"masked": RESIDENTS[7][:8] + "-****"}))
    (staging / "abc" / "file").write_bytes(text_pdf([["Hej"]]))
    sealed.write_sealed(staging / "abc" / "sealed", text_pdf([["Hej"]]), Role.STAGED_FILE)

    found = find_clear_personal_data([home], [staging])
    assert [(f.path.name, f.what) for f in found] == [
        ("notes.json", f"personnummer {RESIDENTS[7]}"),
        ("file", "a working copy in clear (application/pdf)"),
    ]


@pytest.mark.parametrize("written", [KARIN, KARIN.replace("-", ""), KARIN[2:], "196801029288"])
def test_the_search_finds_each_written_form(tmp_path: Path, written: str) -> None:
    (tmp_path / "log.txt").write_text(f"till {written}.")
    assert len(find_clear_personal_data([tmp_path])) == 1


def test_clear_drafts_from_before_are_read_once_and_sealed(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts", "anna")
    store.folder.mkdir()
    clear = {
        "schema_version": 2,
        "current": None,
        "drafts": [
            {
                "draft_id": "d1",
                "kind": "new_case",
                "case": None,
                "new_case_recipients": RESIDENTS,
                "body": f"Gäller {KARIN}",
                "idempotency_key": "k1",
            }
        ],
    }
    store.path.write_text(json.dumps(clear), encoding="utf-8")
    assert len(find_clear_personal_data([store.folder])) == 1

    restored = store.load()
    assert restored is not None and restored.drafts[0].draft.new_case_recipients == RESIDENTS
    assert sealed.is_sealed(store.path.read_bytes())
    assert find_clear_personal_data([store.folder]) == []
    again = store.load()
    assert again is not None and again.drafts[0].draft.body == f"Gäller {KARIN}"


def test_drafts_sealed_under_another_key_are_set_aside_sealed(tmp_path: Path) -> None:
    from app.storage import storage_key

    other = storage_key.for_this_run()  # a sandbox run's key, gone with its run
    DraftStore(tmp_path, "anna", key=other).save([Draft(MessageKind.NEW_CASE, body=KARIN)])
    assert DraftStore(tmp_path, "anna").load() is None
    assert [p.name for p in tmp_path.iterdir()] == ["anna.unreadable"]
    assert find_clear_personal_data([tmp_path]) == []


def test_a_clear_journal_from_before_is_sealed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    draft = Draft(MessageKind.NEW_CASE, new_case_recipients=RESIDENTS[:3], subject="Kallelse")
    with Outbox(path) as outbox:
        job = outbox.add(outgoing_message(draft), [], "k1", "anna")
    # What schema 1 wrote: the request body and the rest in clear JSON.
    with sqlite3.connect(path) as db:
        db.execute(
            "UPDATE jobs SET request = ?, files = '[]', deliveries = '[]'",
            (json.dumps(job.message.to_json()),),
        )
        db.execute("PRAGMA user_version=1")
    db.close()
    assert find_clear_personal_data([tmp_path]) != []

    with Outbox(path) as reopened:
        assert reopened.job(job.job_id) == job
    assert find_clear_personal_data([tmp_path]) == []
    with sqlite3.connect(path) as db:
        kinds = db.execute("SELECT typeof(request), typeof(deliveries) FROM jobs").fetchall()
    db.close()
    assert kinds == [("blob", "blob")]


def test_a_worker_opens_working_copies_with_the_key_it_was_given_only(
    tmp_path: Path, worker: IsolatedWorker
) -> None:
    from app.storage import storage_key

    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    staged = staging.stage(_letter(tmp_path))
    strangers_key = storage_key.for_this_run()
    with IsolatedWorker(timeout_s=60, key=strangers_key) as stranger:
        refused = inspect_isolated(stranger, staged.path, name=staged.filename)
        stranger_pid = stranger.pid
        assert stranger_pid is not None
        environment = Path(f"/proc/{stranger_pid}/environ").read_bytes()  # Linux
    assert [f.code for f in refused.findings] == ["file.unreadable"]
    assert strangers_key.secret.hex().encode() not in environment  # given over the pipe
    assert worker.call("page_count", str(staged.path)) == 1
