"""Real files from public test suites (OCRmyPDF, veraPDF PDF/UA-1), with the verdicts
recorded in tests/files/corpus/MANIFEST.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from app.inspection import inspect_file, pdf_strip
from app.inspection.report import InspectionReport, Severity
from tests.inspection.conftest import CORPUS, codes, staged_copy

MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))["files"]
ACCESSIBLE_PDFS = [
    e for e in MANIFEST if not e["expected"]["blocked"] and e["file"].endswith(".pdf")
]
#: Files refused only because they are untagged (issue 23): nothing hidden may block
#: them either.
UNTAGGED_PDFS = [e for e in MANIFEST if e["expected"].get("blocks") == ["pdf.untagged"]]


def _blocking(report: InspectionReport) -> set[str]:
    return {f.code for f in report.findings if f.severity is Severity.BLOCK}


def _as_staged(name: str, folder: Path) -> tuple[InspectionReport, tuple[str, ...]]:
    copy, removed = staged_copy(CORPUS / name, folder)
    return inspect_file(copy, name=Path(name).name, removed=removed), removed


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_corpus_file_gets_the_expected_verdict(entry: dict[str, Any], tmp_path: Path) -> None:
    path = CORPUS / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    report, removed = _as_staged(entry["file"], tmp_path)
    expected = entry["expected"]
    found = codes(report)
    assert report.blocked is expected["blocked"], report.findings
    assert set(expected["codes"]) <= found
    assert not set(expected["absent"]) & found
    if "blocks" in expected:
        assert _blocking(report) == set(expected["blocks"]), report.findings
    if not removed:
        assert report.sha256 == entry["sha256"]


CLEAN_PDFS = ACCESSIBLE_PDFS + UNTAGGED_PDFS


@pytest.mark.parametrize("entry", CLEAN_PDFS, ids=[e["file"] for e in CLEAN_PDFS])
def test_no_accessible_corpus_pdf_is_blocked_for_hidden_content(
    entry: dict[str, Any], tmp_path: Path
) -> None:
    """What is removed is said as information; nothing hidden is left to refuse the file
    for, and the rewritten copy still draws the same number of pages. (An untagged file
    is refused for that alone.)"""
    report, removed = _as_staged(entry["file"], tmp_path)
    hidden = [f for f in report.findings if "hidden" in f.code or f.code == "file.polyglot"]
    assert all(f.severity is Severity.INFO for f in hidden), hidden
    assert _blocking(report) <= set(entry["expected"].get("blocks", ()))
    # Properties and XMP the resident does not need go too (pdf_strip), said as
    # information, and accessibility is repaired (pdf_repair): neither is hidden content.
    removed_hidden = [
        kind for kind in removed if kind not in pdf_strip.KINDS and not kind.startswith("pdf.")
    ]
    assert bool(removed_hidden) is bool(hidden), (removed, hidden)
    import pypdfium2

    original = pypdfium2.PdfDocument(str(CORPUS / entry["file"]))
    try:
        assert report.pages == len(original)
    finally:
        original.close()


def test_every_ocrmypdf_scan_is_blocked_as_a_scan_on_every_page(tmp_path: Path) -> None:
    for name, pages in [
        ("skew.pdf", 1),
        ("ccitt.pdf", 1),
        ("jbig2.pdf", 1),
        ("multipage.pdf", 6),
        ("graph_ocred.pdf", 1),
        ("hugemono.pdf", 1),
    ]:
        report = inspect_file(staged_copy(CORPUS / "ocrmypdf" / name, tmp_path / name)[0])
        scanned = [f for f in report.findings if f.code == "pdf.scanned_page"]
        assert [f.page for f in scanned] == list(range(1, pages + 1)), name
        assert all(f.severity is Severity.BLOCK for f in scanned)


def test_tagged_pdf_is_not_blocked_and_has_no_accessibility_findings(tmp_path: Path) -> None:
    report, _removed = _as_staged("ocrmypdf/tagged.pdf", tmp_path)
    assert not report.blocked
    assert report.pages == 2
    assert report.personal_data_found is False
    assert not {"pdf.untagged", "pdf.no_language", "pdf.no_title"} & codes(report)


def test_every_manifest_file_exists_and_nothing_is_unlisted() -> None:
    listed = {e["file"] for e in MANIFEST}
    present = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file() and p.suffix != ".json"
    }
    assert listed == present
    assert all(e["licence"] and e["source"].startswith("https://") for e in MANIFEST)
