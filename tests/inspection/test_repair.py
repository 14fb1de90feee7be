"""Safe accessibility repairs at staging (app/inspection/pdf_repair.py, through
hidden.remove_hidden): each made, reported as pdf.repaired_*, deterministic, and the
PDF/UA identifier only for a file that passes every check."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest

from app.inspection import inspect_file
from app.inspection.hidden import remove_hidden
from app.inspection.pdf_repair import clearly_swedish, repair_pdf
from app.inspection.report import Severity
from tests.inspection.conftest import codes
from tests.support.tagged_pdf import El, letter, tagged_pdf

SWEDISH = (
    "Vi har tagit emot dina provsvar och det är inget som är avvikande. Du får gärna "
    "höra av dig till mottagningen om du har frågor, eller boka en tid för att gå "
    "igenom svaren med mig. Ta med legitimation när du kommer till oss efter jul."
)
ENGLISH = (
    "We have received your test results and there is nothing unusual in them. Please "
    "contact the clinic if you have any questions, or book a time to go through the "
    "results with me. Bring identification when you come to see us after Christmas."
)


def _staged(tmp_path: Path, data: bytes) -> tuple[Path, tuple[str, ...]]:
    copy = tmp_path / "file"
    copy.write_bytes(data)
    return copy, remove_hidden(copy).removed


@pytest.mark.parametrize(
    ("repair", "before", "data"),
    [
        (
            "pdf.repaired_display_title",
            "pdf.title_not_displayed",
            tagged_pdf([El("P", "Text")], display_title=False),
        ),
        ("pdf.repaired_marked", "pdf.not_marked", tagged_pdf([El("P", "Text")], marked=False)),
        (
            "pdf.repaired_tab_order",
            "pdf.tab_order",
            tagged_pdf([El("P", "Se")], link="https://www.1177.se", tabs=False),
        ),
        ("pdf.repaired_language", "pdf.no_language", tagged_pdf([El("P", SWEDISH)], lang=None)),
    ],
)
def test_each_repair_is_made_before_the_preview_and_reported(
    tmp_path: Path, repair: str, before: str, data: bytes
) -> None:
    original = tmp_path / "original.pdf"
    original.write_bytes(data)
    assert before in codes(inspect_file(original))
    copy, done = _staged(tmp_path, data)
    assert repair in done
    report = inspect_file(copy, removed=done)
    found = {f.code: f.severity for f in report.findings}
    assert found[repair] is Severity.INFO
    assert before not in found
    assert report.sha256 != inspect_file(original).sha256


def test_the_language_is_set_only_for_clearly_swedish_text(tmp_path: Path) -> None:
    copy, done = _staged(tmp_path, tagged_pdf([El("P", ENGLISH)], lang=None))
    assert "pdf.repaired_language" not in done
    assert "pdf.no_language" in codes(inspect_file(copy, removed=done))
    with pikepdf.open(io.BytesIO(repair_pdf(tagged_pdf([El("P", SWEDISH)], lang=None))[0])) as pdf:  # type: ignore[index]
        assert str(pdf.Root.Lang) == "sv-SE"
    assert clearly_swedish(SWEDISH) and not clearly_swedish(ENGLISH)
    assert not clearly_swedish("1 2 3 Hb 140 g/L")


def test_the_pdfua_identifier_only_when_every_check_passes(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    copy, done = _staged(tmp_path / "a", letter(embed_font=True))
    assert done == ("pdf.repaired_pdfua_identifier",)
    with pikepdf.open(copy) as pdf:
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
    report = inspect_file(copy, name="brev.pdf", removed=done)
    assert [f.code for f in report.findings] == ["pdf.repaired_pdfua_identifier"]
    (tmp_path / "b").mkdir()
    figure_without_alt = tagged_pdf([El("H1", "Provsvar"), El("Figure", "")], embed_font=True)
    _copy, done = _staged(tmp_path / "b", figure_without_alt)
    assert "pdf.repaired_pdfua_identifier" not in done
    (tmp_path / "c").mkdir()
    _copy, done = _staged(tmp_path / "c", letter())  # Helvetica, not embedded: not PDF/UA
    assert "pdf.repaired_pdfua_identifier" not in done


def test_a_repaired_copy_is_the_same_bytes_every_time() -> None:
    data = tagged_pdf(
        [El("P", SWEDISH)], lang=None, display_title=False, marked=False,
        link="https://www.1177.se", tabs=False,
    )  # fmt: skip
    first, made = repair_pdf(data)  # type: ignore[misc]
    second, _ = repair_pdf(data)  # type: ignore[misc]
    assert first == second
    assert set(made) >= {
        "pdf.repaired_display_title",
        "pdf.repaired_marked",
        "pdf.repaired_tab_order",
        "pdf.repaired_language",
    }
    assert (
        repair_pdf(first) == (first, ["pdf.repaired_pdfua_identifier"]) or repair_pdf(first) is None
    )


def test_a_signed_file_is_never_repaired() -> None:
    pdf = pikepdf.open(io.BytesIO(tagged_pdf([El("P", "Text")], display_title=False)))
    pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(), SigFlags=3)
    out = io.BytesIO()
    pdf.save(out)
    assert repair_pdf(out.getvalue()) is None
