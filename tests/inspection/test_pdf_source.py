"""One PDF opened once per inspection (app/inspection/pdf_source.py): the hidden-content
scan and the document checks share qpdf's reading, and find what each found apart."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest

from app.inspection import inspect_file
from app.inspection.pdf_source import PdfSource
from tests.inspection.conftest import codes
from tests.support import hostile
from tests.support import inspection_samples as samples


def _counting_opens(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    opened: list[object] = []
    real_open = pikepdf.open

    def counted(*args: object, **kwargs: object) -> pikepdf.Pdf:
        opened.append(args[0])
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pikepdf, "open", counted)
    return opened


def test_one_inspection_opens_the_pdf_with_qpdf_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the hidden-content scan refuses (old revisions, data after the end) and what
    the document checks find (JavaScript), each from one opened file."""
    path = tmp_path / "brev.pdf"
    path.write_bytes(hostile.letter_revised() + hostile.random_bytes(2048))
    script = tmp_path / "skript.pdf"
    script.write_bytes(samples.javascript_pdf())
    opened = _counting_opens(monkeypatch)

    revised = inspect_file(path)
    assert {"file.hidden_after_end", "pdf.hidden_old_revisions"} <= codes(revised)
    assert len(opened) == 1
    assert "pdf.javascript" in codes(inspect_file(script))
    assert len(opened) == 2


def test_a_file_qpdf_cannot_open_is_tried_once_and_refused_to_every_check() -> None:
    source = PdfSource(b"%PDF-1.7\nnot a PDF at all")
    with source, pytest.raises(pikepdf.PdfError) as first:
        source.qpdf()
    with pytest.raises(pikepdf.PdfError) as again:
        source.qpdf()
    assert again.value is first.value


def test_the_opened_file_is_closed_with_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[pikepdf.Pdf] = []
    real_close = pikepdf.Pdf.close

    def recorded(pdf: pikepdf.Pdf) -> None:
        closed.append(pdf)
        real_close(pdf)

    monkeypatch.setattr(pikepdf.Pdf, "close", recorded)
    with PdfSource(samples.letter_pdf()) as source:
        pdf = source.qpdf()
        assert source.qpdf() is pdf
        assert len(pdf.pages) == 1
        assert closed == []
    assert closed == [pdf]
