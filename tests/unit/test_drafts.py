"""A draft survives a crash, without what was only true for a moment."""

from __future__ import annotations

import stat
from pathlib import Path

from app.draft import Attachment, Draft, SignOff
from app.drafts import DraftStore
from app.model import Case, MessageKind, Resident
from app.staging import StagingArea
from tests.support.pdfgen import text_pdf

CASE = Case("2024-118", Resident("196801029288", "Karin Berg"), "Provsvar", "2024-11-18", "open")


def test_a_saved_draft_comes_back_as_written(tmp_path: Path) -> None:
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    source = tmp_path / "Provsvar.pdf"
    source.write_bytes(text_pdf([["Hej"]]))
    staged = staging.stage(source)
    draft = Draft(MessageKind.PARTIAL_REPLY, CASE, subject="Sv: Provsvar", body="Hej Karin!")
    attachment = Attachment(staged, page_count=1, seen_pages={0})
    attachment.declared_personal_data = True
    draft.attachments.append(attachment)
    draft.sign_off = SignOff("r1", "bertil", "Bertil Berg", "d" * 64, 2e9)

    store = DraftStore(tmp_path / "staging" / "drafts", "anna")
    store.save(draft)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    restored = store.load()
    assert restored is not None and restored.missing_files == ()
    again = restored.draft
    assert (again.kind, again.case, again.subject, again.body) == (
        draft.kind,
        draft.case,
        draft.subject,
        draft.body,
    )
    assert again.idempotency_key == draft.idempotency_key, "a resend is still delivered once"
    (file,) = again.attachments
    assert (file.staged, file.declared_personal_data) == (staged, True)
    assert file.seen_pages == set() and again.sign_off is None, "previewed and signed again"


def test_each_clinician_has_their_own_draft(tmp_path: Path) -> None:
    folder = tmp_path / "drafts"
    DraftStore(folder, "anna").save(Draft(MessageKind.NEW_CASE, body="Annas utkast"))
    assert DraftStore(folder, "bertil").load() is None
    restored = DraftStore(folder, "anna").load()
    assert restored is not None and restored.draft.body == "Annas utkast"


def test_an_empty_draft_leaves_no_file_and_a_gone_working_copy_is_named(tmp_path: Path) -> None:
    store = DraftStore(tmp_path / "drafts", "anna")
    store.save(Draft())
    assert not store.path.exists()
    staging = StagingArea(tmp_path / "staging", max_bytes=1 << 20)
    source = tmp_path / "Brev.pdf"
    source.write_bytes(text_pdf([["Hej"]]))
    draft = Draft(MessageKind.REPLY, CASE, body="Hej")
    draft.attachments.append(Attachment(staging.stage(source)))
    store.save(draft)
    staging.discard(draft.attachments[0].staged)
    restored = store.load()
    assert restored is not None
    assert restored.draft.attachments == [] and restored.missing_files == ("Brev.pdf",)


def test_an_unreadable_draft_is_set_aside_not_fatal(tmp_path: Path) -> None:
    store = DraftStore(tmp_path, "anna")
    store.path.write_text("{not json", encoding="utf-8")
    assert store.load() is None
    assert not store.path.exists() and store.path.with_suffix(".unreadable").exists()
