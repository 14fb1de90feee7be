"""Drafts survive a crash, each with its own case, without what was only true for a moment."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from app.drafts.draft_store import DraftStore, has_content
from app.drafts.message_draft import Attachment, Draft, SignOff
from app.protocol.model import Case, MessageKind, Resident
from app.storage.staging import StagingArea
from tests.support.pdfgen import text_pdf

CASE = Case("2024-118", Resident("196801029288", "Karin Berg"), "Provsvar", "2024-11-18", "open")
OTHER = Case("2024-119", Resident("194107086995", "Gunnar Ek"), "Recept", "2024-11-19", "open")


def test_saved_drafts_come_back_as_written_each_with_its_own_case(tmp_path: Path) -> None:
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    source = tmp_path / "Provsvar.pdf"
    source.write_bytes(text_pdf([["Hej"]]))
    staged = staging.stage(source)
    draft = Draft(MessageKind.PARTIAL_REPLY, CASE, subject="Sv: Provsvar", body="Hej Karin!")
    attachment = Attachment(staged, page_count=1, seen_pages={0}, original=source)
    attachment.original_sha256 = staged.sha256
    attachment.declared_personal_data = True
    draft.attachments.append(attachment)
    draft.sign_off = SignOff("r1", "bertil", "Bertil Berg", "d" * 64, 2e9)
    other = Draft(MessageKind.REPLY, OTHER, subject="Sv: Recept", body="Hej Gunnar!")

    store = DraftStore(tmp_path / "staging" / "drafts", "anna")
    store.save([draft, other], current=other)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    restored = store.load()
    assert restored is not None and len(restored.drafts) == 2
    assert restored.current is not None and restored.current.draft.body == "Hej Gunnar!"
    first = next(r for r in restored.drafts if r.draft.draft_id == draft.draft_id)
    assert first.missing_files == ()
    again = first.draft
    assert (again.kind, again.case, again.subject, again.body) == (
        draft.kind,
        draft.case,
        draft.subject,
        draft.body,
    )
    assert again.idempotency_key == draft.idempotency_key, "a resend is still delivered once"
    (file,) = again.attachments
    assert (file.staged, file.declared_personal_data) == (staged, True)
    # The chosen file too: the offer to delete it after sending survives a restart.
    assert (file.original, file.original_sha256) == (source, staged.sha256)
    assert file.seen_pages == set() and again.sign_off is None, "previewed and signed again"
    second = next(r.draft for r in restored.drafts if r.draft.draft_id == other.draft_id)
    assert second.case == OTHER and second.attachments == []


def test_each_clinician_has_their_own_drafts(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    DraftStore(folder, "anna").save([Draft(MessageKind.NEW_CASE, body="Annas utkast")])
    assert DraftStore(folder, "bertil").load() is None
    restored = DraftStore(folder, "anna").load()
    assert restored is not None and restored.drafts[0].draft.body == "Annas utkast"


def test_a_case_draft_with_only_the_cases_own_subject_is_not_kept(tmp_path: Path) -> None:
    untouched = Draft(
        MessageKind.REPLY, CASE, subject="Sv: Provsvar", initial_subject="Sv: Provsvar"
    )
    assert not has_content(untouched)
    store = DraftStore(tmp_path / "drafts", "anna")
    store.save([untouched])
    assert not store.path.exists()
    untouched.subject = "Sv: Provsvar från i går"
    assert has_content(untouched), "a subject the clinician changed is their work"


def test_an_empty_draft_leaves_no_file_and_a_gone_working_copy_is_named(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts", "anna")
    store.save([Draft()])
    assert not store.path.exists()
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    source = tmp_path / "Brev.pdf"
    source.write_bytes(text_pdf([["Hej"]]))
    draft = Draft(MessageKind.REPLY, CASE, body="Hej")
    draft.attachments.append(Attachment(staging.stage(source)))
    store.save([draft])
    staging.discard(draft.attachments[0].staged)
    restored = store.load()
    assert restored is not None
    (only,) = restored.drafts
    assert only.draft.attachments == [] and only.missing_files == ("Brev.pdf",)


def test_a_draft_saved_by_the_earlier_single_draft_format_is_still_read(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, "anna")
    old = {
        "schema_version": 1,
        "kind": "new_case",
        "case": None,
        "new_case_recipients": ["191212121212"],
        "rejected_recipients": [],
        "subject": "Kallelse",
        "body": "Välkommen",
        "idempotency_key": "3f1e0c5e-8a7b-4d0e-9a51-1c2b3d4e5f60",
        "attachments": [],
    }
    store.path.write_text(json.dumps(old), encoding="utf-8")
    restored = store.load()
    assert restored is not None and restored.current is not None
    draft = restored.current.draft
    assert (draft.body, draft.new_case_recipients) == ("Välkommen", ["191212121212"])
    assert draft.idempotency_key == old["idempotency_key"]


def test_unreadable_drafts_are_set_aside_not_fatal(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, "anna")
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() is None
    assert not store.path.exists() and store.path.with_suffix(".unreadable").exists()
