"""Real files from public test suites (OCRmyPDF, veraPDF PDF/UA-1), with the verdicts
recorded in tests/files/corpus/MANIFEST.json."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from app.inspection import inspect_file
from app.inspection.report import Severity
from tests.inspection.conftest import CORPUS, codes

MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))["files"]


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_corpus_file_gets_the_expected_verdict(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["file"]
    assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
    report = inspect_file(path)
    expected = entry["expected"]
    found = codes(report)
    assert report.blocked is expected["blocked"], report.findings
    assert set(expected["codes"]) <= found
    assert not set(expected["absent"]) & found
    assert report.sha256 == entry["sha256"]


def test_every_ocrmypdf_scan_is_blocked_as_a_scan_on_every_page() -> None:
    for name, pages in [
        ("skew.pdf", 1),
        ("ccitt.pdf", 1),
        ("jbig2.pdf", 1),
        ("multipage.pdf", 6),
        ("graph_ocred.pdf", 1),
        ("hugemono.pdf", 1),
    ]:
        report = inspect_file(CORPUS / "ocrmypdf" / name)
        scanned = [f for f in report.findings if f.code == "pdf.scanned_page"]
        assert [f.page for f in scanned] == list(range(1, pages + 1)), name
        assert all(f.severity is Severity.BLOCK for f in scanned)


def test_tagged_pdf_is_not_blocked_and_has_no_accessibility_findings() -> None:
    report = inspect_file(CORPUS / "ocrmypdf" / "tagged.pdf")
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
