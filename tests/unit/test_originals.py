"""After a send: which of the clinician's own files may be offered for deletion, and deleting
them, with real files (app/after_send/originals.py); the audit record and the setting that
go with it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.after_send.originals import (
    OriginalCheck,
    OriginalCode,
    SentOriginal,
    check_originals,
    delete_originals,
    sent_originals,
)
from app.audit import TRAIL_FILE_NAME, AuditError, AuditTrail, verify_file
from app.config import settings as settings_module
from app.config import texts
from app.drafts.message_draft import Attachment
from app.storage.staging import StagedFile, StagingArea
from tests.support.inspection_samples import exif, jpeg
from tests.support.pdfgen import text_pdf

ROOT = Path(__file__).resolve().parents[2]
TEST_NUMBERS = (ROOT / "tests" / "files" / "testpersonnummer.txt").read_text("ascii").split()


@pytest.fixture
def staging(tmp_path: Path) -> StagingArea:
    return StagingArea(tmp_path / "staging", max_bytes=1024 * 1024)


def picked(folder: Path, name: str = "Provsvar.pdf", words: str = "Hej") -> SentOriginal:
    """A file the clinician picked, and the hash of what was sent for it (its bytes)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(text_pdf([[words]]))
    return SentOriginal(path, hashlib.sha256(path.read_bytes()).hexdigest())


def only(checks: list[OriginalCheck]) -> OriginalCheck:
    [check] = checks
    return check


# -- which originals are offered -------------------------------------------------------------


def test_an_unchanged_original_is_offered_with_its_size(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path / "Skrivbord")
    check = only(check_originals([original], staging.root))
    assert check.code is OriginalCode.OFFERED and check.offered
    assert check.size == original.path.stat().st_size
    assert original.folder == str(tmp_path / "Skrivbord") and original.name == "Provsvar.pdf"
    assert original.path.exists(), "checking deletes nothing"


def test_an_original_changed_since_it_was_sent_is_not_offered(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path)
    with original.path.open("ab") as changed:
        changed.write(b"% a line added after sending\n")
    check = only(check_originals([original], staging.root))
    assert check.code is OriginalCode.NOT_AS_SENT and not check.offered


def test_another_file_now_under_the_name_is_not_offered(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path)
    original.path.unlink()
    original.path.write_bytes(text_pdf([["Ett annat brev, till en annan patient"]]))
    assert only(check_originals([original], staging.root)).code is OriginalCode.NOT_AS_SENT


def test_a_moved_or_deleted_original_is_gone(tmp_path: Path, staging: StagingArea) -> None:
    original = picked(tmp_path)
    original.path.rename(tmp_path / "Flyttad.pdf")
    assert only(check_originals([original], staging.root)).code is OriginalCode.GONE


def test_a_link_or_a_folder_under_the_name_is_not_a_file(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path)
    kept = tmp_path / "elsewhere" / "Provsvar.pdf"
    kept.parent.mkdir()
    original.path.rename(kept)
    original.path.symlink_to(kept)  # the same bytes, through a link: never followed
    folder = picked(tmp_path / "b")
    folder.path.unlink()
    folder.path.mkdir()
    checks = check_originals([original, folder], staging.root)
    assert [c.code for c in checks] == [OriginalCode.NOT_A_FILE, OriginalCode.NOT_A_FILE]
    assert delete_originals(checks)[0].code is OriginalCode.NOT_A_FILE
    assert kept.exists() and original.path.is_symlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_under_the_name_is_refused_without_waiting_for_a_writer(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path)
    original.path.unlink()
    os.mkfifo(original.path)
    assert only(check_originals([original], staging.root)).code is OriginalCode.NOT_A_FILE


def test_a_file_in_the_staging_area_is_never_offered(tmp_path: Path, staging: StagingArea) -> None:
    source = picked(tmp_path)
    staged = staging.stage(source.path)
    inside = SentOriginal(staged.path, staged.sha256)
    # The same file named by a way round through another folder.
    roundabout = SentOriginal(
        tmp_path / "x" / ".." / "staging" / staged.path.parent.name / "file", staged.sha256
    )
    checks = check_originals([inside, roundabout], staging.root)
    assert {c.code for c in checks} == {OriginalCode.IN_STAGING_AREA}
    assert delete_originals(checks)[0].code is OriginalCode.IN_STAGING_AREA
    assert staged.path.exists()


def test_originals_come_from_attachments_that_know_theirs(
    tmp_path: Path, staging: StagingArea
) -> None:
    source = picked(tmp_path)
    staged = staging.stage(source.path)
    with_original = Attachment(staged, original=source.path)
    restored = Attachment(staged)  # restored after a crash: its original is not known
    assert sent_originals([with_original, restored]) == [SentOriginal(source.path, staged.sha256)]


def test_a_photo_whose_location_left_the_sent_copy_is_still_offered_as_chosen(
    tmp_path: Path, staging: StagingArea
) -> None:
    # The copy sent lost the photo's EXIF; the clinician's own file is still the one chosen.
    photo = tmp_path / "Sår.jpg"
    photo.write_bytes(jpeg(exif_data=exif(gps=True)))
    chosen = hashlib.sha256(photo.read_bytes()).hexdigest()
    staged = staging.stage(photo)
    sent_copy = StagedFile(staged.path, "0" * 64, staged.size, staged.filename, staged.media_type)
    attachment = Attachment(sent_copy, original=photo, original_sha256=chosen)
    (check,) = check_originals(sent_originals([attachment]), staging.root)
    assert check.code is OriginalCode.OFFERED
    photo.write_bytes(jpeg())  # changed since it was chosen: not offered
    (check,) = check_originals(sent_originals([attachment]), staging.root)
    assert check.code is OriginalCode.NOT_AS_SENT


# -- deleting --------------------------------------------------------------------------------


def test_an_offered_original_is_deleted(tmp_path: Path, staging: StagingArea) -> None:
    first, second = picked(tmp_path, "a.pdf", "A"), picked(tmp_path, "b.pdf", "B")
    results = delete_originals(check_originals([first, second], staging.root))
    assert [r.code for r in results] == [OriginalCode.DELETED, OriginalCode.DELETED]
    assert all(r.deleted for r in results)
    assert not first.path.exists() and not second.path.exists()


def test_a_file_edited_after_the_offer_is_kept(tmp_path: Path, staging: StagingArea) -> None:
    original = picked(tmp_path)
    checks = check_originals([original], staging.root)
    with original.path.open("r+b") as edited:  # the same file, other bytes
        edited.seek(0)
        edited.write(b"%PDF-1.4\n% edited\n")
    [result] = delete_originals(checks)
    assert result.code is OriginalCode.NOT_AS_SENT and not result.deleted
    assert original.path.exists()


def test_a_file_replaced_after_the_offer_is_kept_even_with_the_same_bytes(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path)
    checks = check_originals([original], staging.root)
    copy = tmp_path / "copy.pdf"
    shutil.copyfile(original.path, copy)
    copy.replace(original.path)  # another file under the name, as an editor saves
    [result] = delete_originals(checks)
    assert result.code is OriginalCode.REPLACED
    assert original.path.exists()


def test_a_file_gone_after_the_offer_is_said_so(tmp_path: Path, staging: StagingArea) -> None:
    original = picked(tmp_path)
    checks = check_originals([original], staging.root)
    original.path.unlink()
    assert delete_originals(checks)[0].code is OriginalCode.GONE


def test_what_was_not_offered_is_left_alone_with_its_own_code(
    tmp_path: Path, staging: StagingArea
) -> None:
    changed, offered = picked(tmp_path, "a.pdf", "A"), picked(tmp_path, "b.pdf", "B")
    changed.path.write_bytes(b"%PDF-1.4\n% not what was sent\n")
    results = delete_originals(check_originals([changed, offered], staging.root))
    assert [r.code for r in results] == [OriginalCode.NOT_AS_SENT, OriginalCode.DELETED]
    assert changed.path.exists() and not offered.path.exists()


def test_a_file_that_may_not_be_deleted_is_not_permitted(
    tmp_path: Path, staging: StagingArea
) -> None:
    original = picked(tmp_path / "Delad mapp")
    checks = check_originals([original], staging.root)
    with _undeletable(original.path.parent):
        [result] = delete_originals(checks)
    assert result.code is OriginalCode.NOT_PERMITTED
    assert original.path.exists()


@contextlib.contextmanager
def _undeletable(folder: Path) -> Iterator[None]:
    """A folder whose files cannot be deleted: read-only to its user, or (for root, who
    ignores permissions) immutable. (POSIX: a read-only folder does not stop Windows.)"""
    if getattr(os, "geteuid", lambda: 0)() != 0:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], check=False).returncode:
        pytest.skip("root, and the file system cannot make a folder immutable")
    try:
        yield
    finally:
        subprocess.run([chattr, "-i", str(folder)], check=True)


# -- the texts, the audit record and the setting ---------------------------------------------


def test_every_code_has_a_sentence_in_both_languages() -> None:
    catalogue = texts.catalogue()
    for original_code in OriginalCode:
        assert set(catalogue.get(original_code.value, {})) == {"sv", "en"}, original_code
    assert "journalen" in texts.message("ui.originals.confirm", "sv")
    # The dialog's words for one file and for several (asked for by a built name).
    for word in ("confirm", "delete", "keep"):
        for code in (f"ui.originals.{word}", f"ui.originals.{word}_many"):
            assert set(catalogue.get(code, {})) == {"sv", "en"}, code


def test_a_deletion_is_recorded_by_hash_only(tmp_path: Path) -> None:
    folder = tmp_path / "audit"
    sha256 = hashlib.sha256(b"the file").hexdigest()
    with AuditTrail.open(folder, lambda: bytes(range(32))) as trail:
        session = trail.sign_in("anna")
        session.original_deleted(sha256)
        with pytest.raises(AuditError) as refused:  # a name is not a hash
            session.original_deleted(f"Provsvar {TEST_NUMBERS[0]}.pdf")
        assert refused.value.code == "audit.bad_value"
    lines = (folder / TRAIL_FILE_NAME).read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[-1])
    assert record["kind"] == "original_deleted" and record["data"] == {"sha256": sha256}
    assert TEST_NUMBERS[0] not in "".join(lines)
    assert verify_file(folder / TRAIL_FILE_NAME, bytes(range(32))).sound_records == 2


def test_the_offer_is_on_unless_the_user_or_the_region_turns_it_off(tmp_path: Path) -> None:
    gateway = {"gateway_url": "https://gateway.region.example"}
    user, policy = tmp_path / "settings.json", tmp_path / "policy.json"
    user.write_text(json.dumps(gateway), encoding="utf-8")
    assert settings_module.load(user, policy_path=policy).offer_to_delete_originals is True
    user.write_text(json.dumps(gateway | {"offer_to_delete_originals": False}), "utf-8")
    assert settings_module.load(user, policy_path=policy).offer_to_delete_originals is False
    user.write_text(json.dumps(gateway), encoding="utf-8")
    policy.write_text(json.dumps({"offer_to_delete_originals": False}), encoding="utf-8")
    loaded = settings_module.load(user, policy_path=policy)
    assert loaded.offer_to_delete_originals is False
    assert "offer_to_delete_originals" in loaded.set_by_region


@pytest.mark.parametrize("value", ["false", 0, None])
def test_the_offer_setting_takes_true_or_false_only(tmp_path: Path, value: object) -> None:
    user = tmp_path / "settings.json"
    values = {"gateway_url": "https://gateway.region.example", "offer_to_delete_originals": value}
    user.write_text(json.dumps(values), encoding="utf-8")
    with pytest.raises(settings_module.SettingsError) as raised:
        settings_module.load(user, policy_path=tmp_path / "policy.json")
    [problem] = raised.value.problems
    assert (problem.code, problem.field) == ("settings.wrong_type", "offer_to_delete_originals")
    assert "true eller false" in problem.text("sv") and "true or false" in problem.text("en")
