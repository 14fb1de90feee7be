"""PDF checks on generated files: scans, active content, encryption, personal data."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from app.config.texts import message
from app.inspection import inspect_file
from app.inspection.report import Severity, Verdict
from tests.inspection.conftest import codes
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]


def test_full_page_image_without_text_is_a_scan(write: Write) -> None:
    report = inspect_file(write("skannad.pdf", samples.scanned_pdf()))
    assert report.verdict is Verdict.BLOCKED
    scan = next(f for f in report.findings if f.code == "pdf.scanned_page")
    assert (scan.page, scan.severity) == (1, Severity.BLOCK)


def test_invisible_ocr_text_does_not_make_a_scan_accessible(write: Write) -> None:
    data = samples.scanned_pdf(ocr_text="Detta är osynlig OCR-text som en skanner lagt dit")
    assert "pdf.scanned_page" in codes(inspect_file(write("ocr.pdf", data)))


def test_an_image_with_real_visible_text_on_top_is_not_a_scan(write: Write) -> None:
    data = samples.scanned_pdf(visible_text="En sida med riktig text ovanpå en bakgrundsbild")
    assert "pdf.scanned_page" not in codes(inspect_file(write("bakgrund.pdf", data)))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (samples.javascript_pdf(), "pdf.javascript"),
        (samples.launch_pdf(), "pdf.launch_action"),
        (samples.embedded_file_pdf(), "pdf.embedded_file"),
    ],
    ids=["javascript", "launch-in-next-chain", "embedded-file"],
)
def test_active_content_blocks(write: Write, data: bytes, code: str) -> None:
    report = inspect_file(write("aktiv.pdf", data))
    assert code in codes(report)
    assert report.blocked


def test_encryption_blocks(write: Write) -> None:
    # qpdf always sets the accessibility bit when it encrypts (R >= 3), so the denied case
    # is covered by the veraPDF file 7.16-t01-fail-a in the corpus tests.
    report = inspect_file(write("krypterad.pdf", samples.encrypted_pdf()))
    assert "pdf.encrypted" in codes(report)
    assert "pdf.accessibility_denied" not in codes(report)
    assert report.blocked


def test_password_protected_pdf_is_blocked(write: Write) -> None:
    report = inspect_file(write("losen.pdf", samples.encrypted_pdf(user_password="hemligt")))
    assert codes(report) == {"pdf.password_protected"}


def test_tagged_letter_passes_with_nothing_to_improve(write: Write) -> None:
    report = inspect_file(write("brev.pdf", samples.letter_pdf()))
    assert report.verdict is Verdict.OK
    # Helvetica is one of the 14 standard fonts: said, never a warning.
    assert {f.severity for f in report.findings} <= {Severity.INFO}


def test_untagged_letter_is_blocked_and_says_how_to_export_it(write: Write) -> None:
    from tests.support.pdfgen import text_pdf

    report = inspect_file(write("brev.pdf", text_pdf([["Hej"]], tagged=False)))
    assert report.blocked
    (finding,) = [f for f in report.findings if f.severity is Severity.BLOCK]
    assert finding.code == "pdf.untagged"
    assert "Dokumentstrukturtaggar för hjälpmedel" in message("pdf.untagged", "sv")


def test_missing_language_and_title_are_warnings(write: Write) -> None:
    from tests.support.pdfgen import text_pdf

    report = inspect_file(write("brev.pdf", text_pdf([["Hej"]], title=None, lang=None)))
    by_code = {f.code: f.severity for f in report.findings}
    assert by_code["pdf.no_language"] is Severity.WARN
    assert by_code["pdf.no_title"] is Severity.WARN


def test_personal_data_hits_carry_page_and_rectangle(write: Write) -> None:
    data = samples.letter_pdf(["Patient: Tolvan Tolvansson", "Personnummer 19121212-1212"])
    report = inspect_file(write("brev.pdf", data))
    assert report.personal_data_found is True
    assert report.verdict is Verdict.REVIEW
    hit = next(h for h in report.hits if h.kind == "personnummer")
    assert hit.page == 1
    assert hit.masked.startswith("19121212")
    assert "1212" not in hit.masked[8:]
    assert hit.rect is not None
    left, top, right, bottom = hit.rect
    # Second line: baseline at 790 - 16 pt from the bottom, so about 52-62 pt from the top.
    assert 50 < top < bottom < 70
    assert 56 < left < right < 300


def test_text_pdf_without_personal_data_is_ok(write: Write) -> None:
    report = inspect_file(write("info.pdf", samples.letter_pdf(["Välkommen till mottagningen."])))
    assert report.personal_data_found is False
    assert report.hits == ()


def test_a_file_naming_another_resident_is_flagged(write: Write) -> None:
    path = write("brev.pdf", samples.letter_pdf(["Personnummer 19121212-1212"]))
    same = inspect_file(path, recipients=["191212121212"], kind="reply")
    assert "personal_data.other_person" not in codes(same)
    other = inspect_file(path, recipients=["200001012384"], kind="reply")
    assert "personal_data.other_person" in codes(other)


def test_two_processes_read_the_same_facts_as_one(write: Write, tmp_path: Path) -> None:
    lines = ["Personnummer 19121212-1212"]
    pages = [[f"Sida {n}"] + (lines if n % 7 == 0 else []) for n in range(1, 41)]
    from tests.support.pdfgen import text_pdf

    path = write("lang.pdf", text_pdf(pages, title="Lång", lang="sv"))
    serial = tmp_path / "serial.json"
    serial.write_text(json.dumps({"limits": {"parallel_min_pages": 100000}}))
    parallel = tmp_path / "parallel.json"
    parallel.write_text(json.dumps({"limits": {"parallel_min_pages": 2}}))
    one = inspect_file(path, policy_path=str(serial))
    two = inspect_file(path, policy_path=str(parallel))
    assert one == two
    assert [h.page for h in two.hits] == [7, 14, 21, 28, 35]


def test_too_many_pages_is_refused_without_reading_them(write: Write, tmp_path: Path) -> None:
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({"limits": {"max_pages": 3}}))
    report = inspect_file(write("lang.pdf", samples.long_letter_pdf(5)), policy_path=str(policy))
    assert "pdf.too_many_pages" in codes(report)
    assert report.pages == 5
