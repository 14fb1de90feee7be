from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest

from app.storage.staging import StagingArea, StagingError
from tests.support.pdfgen import text_pdf


@pytest.fixture
def area(tmp_path: Path) -> StagingArea:
    return StagingArea(tmp_path / "staging", max_bytes=1024 * 1024, retention_s=3600)


def test_a_pdf_is_copied_privately_and_hashed(area: StagingArea, tmp_path: Path) -> None:
    source = tmp_path / "Provsvar.pdf"
    source.write_bytes(text_pdf([["Hej"]]))
    staged = area.stage(source)
    assert area.read(staged) == source.read_bytes()
    assert b"%PDF-" not in staged.path.read_bytes()  # sealed at rest
    assert staged.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
    assert staged.media_type == "application/pdf"
    assert staged.filename == "Provsvar.pdf"
    assert stat.S_IMODE(staged.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(area.root.stat().st_mode) == 0o700
    source.write_bytes(b"changed after staging")
    assert hashlib.sha256(area.read(staged)).hexdigest() == staged.sha256


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("brev.pdf", b"Hej, det har ar bara text.\n", "file.type_not_allowed"),
        ("tom.pdf", b"", "file.empty"),
        ("bild.pdf", b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "file.extension_mismatch"),
        ("arkiv.pdf", b"PK\x03\x04" + b"\0" * 40, "file.type_not_allowed"),
    ],
)
def test_files_that_are_not_what_they_say_are_refused(
    area: StagingArea, tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    with pytest.raises(StagingError) as refused:
        area.stage(source)
    assert refused.value.code == code
    assert area.held() == []  # nothing is left behind


def test_a_file_over_the_limit_is_refused(area: StagingArea, tmp_path: Path) -> None:
    source = tmp_path / "stor.pdf"
    source.write_bytes(b"%PDF-1.7\n" + b"0" * (1024 * 1024))
    with pytest.raises(StagingError) as refused:
        area.stage(source)
    assert refused.value.code == "file.too_large"
    assert refused.value.params["limit_mb"] == "1.0"


def test_a_missing_file_is_refused_not_raised(area: StagingArea, tmp_path: Path) -> None:
    with pytest.raises(StagingError) as refused:
        area.stage(tmp_path / "finns-inte.pdf")
    assert refused.value.code == "file.not_a_file"


def test_discard_and_purge_delete_working_copies(area: StagingArea, tmp_path: Path) -> None:
    source = tmp_path / "a.pdf"
    source.write_bytes(text_pdf([["A"]]))
    kept, old = area.stage(source), area.stage(source)
    area.discard(kept)
    assert not kept.path.exists()
    os.utime(old.path.parent, (0, 0))
    assert area.purge() == 1
    assert area.held() == []


def test_purge_also_deletes_drafts_past_the_retention(area: StagingArea) -> None:
    area.drafts_folder.mkdir()
    old, fresh = area.drafts_folder / "anna.json", area.drafts_folder / "bertil.json"
    old.write_text("{}")
    fresh.write_text("{}")
    os.utime(old, (0, 0))
    assert area.purge() == 1
    assert not old.exists() and fresh.exists()
    assert area.held() == []


def test_a_copy_the_kernel_cannot_make_is_made_by_reading(
    area: StagingArea, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "Remiss.pdf"
    source.write_bytes(text_pdf([["Hej"]]) + b"%" + b"x" * 300_000)

    def refused(*_args: object) -> int:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", refused, raising=False)
    staged = area.stage(source)
    assert area.read(staged) == source.read_bytes()
    assert b"%PDF-" not in staged.path.read_bytes()  # sealed at rest
    assert staged.sha256 == hashlib.sha256(source.read_bytes()).hexdigest()
