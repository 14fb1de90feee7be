"""Type by content, names, sizes, polyglots: the checks before any parser runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.inspection import inspect_file
from app.inspection.polyglot import second_format
from app.inspection.report import Verdict
from app.inspection.sniff import bad_name_characters
from tests.inspection.conftest import codes
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]


@pytest.mark.parametrize(
    "name",
    [
        "faktura\u202efdp.exe",  # right-to-left override
        "a\u202ab.pdf",
        "a\u2066b.pdf",
        "a\u2069b.pdf",
        "a\u200eb.pdf",
        "a\u200fb.pdf",
        "tab\there.pdf",
        "nul\x00.pdf",
        "zero\u200bwidth.pdf",
    ],
)
def test_names_with_control_or_direction_characters_are_refused(name: str) -> None:
    assert bad_name_characters(name)


def test_ordinary_swedish_names_pass() -> None:
    assert bad_name_characters("Provsvar för Åsa Öberg – 2024.pdf") == []


def test_a_refused_name_blocks_the_file(write: Write) -> None:
    report = inspect_file(write("brev\u202efdp.pdf", samples.letter_pdf()))
    assert report.verdict is Verdict.BLOCKED
    finding = next(f for f in report.findings if f.code == "file.name_bad_characters")
    assert "U+202E" in str(finding.param_dict["characters"])


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("tom.pdf", b"", "file.empty"),
        ("text.pdf", b"Hej, detta ar bara text.\n", "file.type_not_allowed"),
        ("dokument.docx", b"PK\x03\x04rest-of-a-zip", "file.type_not_allowed"),
        ("brev.png", samples.letter_pdf(), "file.extension_mismatch"),
        ("bild.pdf", samples.png(), "file.extension_mismatch"),
        ("utan_andelse", samples.letter_pdf(), "file.extension_mismatch"),
    ],
)
def test_type_is_decided_by_content_and_the_name_must_agree(
    write: Write, name: str, data: bytes, code: str
) -> None:
    report = inspect_file(write(name, data))
    assert code in codes(report)
    assert report.blocked


def test_media_type_comes_from_content(write: Write) -> None:
    assert inspect_file(write("a.JPG", samples.jpeg())).media_type == "image/jpeg"
    assert inspect_file(write("a.jpeg", samples.jpeg())).media_type == "image/jpeg"
    assert inspect_file(write("a.gif", samples.slow_fade_gif())).media_type == "image/gif"


def test_size_limit_comes_from_the_policy(write: Write, tmp_path: Path) -> None:
    policy = tmp_path / "region.json"
    policy.write_text(json.dumps({"limits": {"max_bytes": 1000}}))
    report = inspect_file(write("stor.pdf", samples.long_letter_pdf(3)), policy_path=str(policy))
    assert "file.too_large" in codes(report)
    assert report.blocked


def test_pdf_with_a_zip_appended_is_a_polyglot(write: Write) -> None:
    report = inspect_file(write("brev.pdf", samples.polyglot_pdf_zip()))
    assert "file.polyglot" in codes(report)
    assert report.blocked


def test_zip_detection_needs_a_real_directory_or_header() -> None:
    assert second_format(b"some PDF bytes PK\x05\x06 and PK\x03\x04 more") is None
    assert second_format(samples.polyglot_pdf_zip()[-2000:]) == "ZIP"


def test_missing_file_is_blocked_not_raised(tmp_path: Path) -> None:
    report = inspect_file(tmp_path / "finns-inte.pdf")
    assert report.verdict is Verdict.BLOCKED
    assert codes(report) == {"file.unreadable"}
    assert report.sha256 is None
