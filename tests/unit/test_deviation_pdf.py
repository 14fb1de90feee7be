"""The deviation report as a tagged, accessible PDF: Bifoga's own inspection passes it
(`bifoga inspect --json`: verdict ok, no finding), in Swedish and English, and its
structure, language, title, font and text are what a screen reader needs."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium
import pytest

from app.deviation import DeviationReport, StaffMember
from app.deviation.report_pdf import BODY_SIZE, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, report_pdf
from tests.support.deviation_samples import (
    NOW,
    PORTAL,
    WRONG_SHA,
    contacts,
    sample_report,
    sample_residents,
)

_MCID = re.compile(rb"<</MCID (\d+)>> BDC")


def _pdf(report: DeviationReport, lang: str) -> bytes:
    return report_pdf(report, contacts=contacts(), portal_url=PORTAL, now=NOW, lang=lang)


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One report per language and a bulk send of 250 residents, written to files."""
    folder = tmp_path_factory.mktemp("deviation-pdf")
    bulk = sample_report(kind="new_case", recipients=sample_residents(250))
    made = {
        "sv": _pdf(sample_report(), "sv"),
        "en": _pdf(sample_report(), "en"),
        "bulk_sv": _pdf(bulk, "sv"),
        "bulk_en": _pdf(bulk, "en"),
    }
    paths = {}
    for name, data in made.items():
        paths[name] = folder / f"avvikelse-{name}.pdf"
        paths[name].write_bytes(data)
    return paths


def test_bifoga_inspect_passes_every_report_with_verdict_ok_and_no_finding(
    reports: dict[str, Path],
) -> None:
    # The command a person would run, as its own process (with its isolated worker).
    command = [
        sys.executable,
        "-c",
        "import sys; from ui.shell.launcher import main; sys.exit(main())",
    ]
    done = subprocess.run(
        [*command, "inspect", "--json", *map(str, reports.values())],
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [r["file"] for r in results] == [str(p) for p in reports.values()]
    for result in results:
        assert result["media_type"] == "application/pdf"
        assert result["verdict"] == "ok", result
        assert result["findings"] == [], result
        assert result["personal_data"] == {"found": False, "hits": []}
    pages = {Path(r["file"]).stem: r["pages"] for r in results}
    assert pages["avvikelse-sv"] == pages["avvikelse-en"] == 1
    assert pages["avvikelse-bulk_sv"] > 1  # 250 recipients run over several pages


@pytest.mark.parametrize(("lang", "tag"), [("sv", "sv-SE"), ("en", "en-GB")])
def test_language_title_and_tagging_are_declared(
    reports: dict[str, Path], lang: str, tag: str
) -> None:
    title = {"sv": "Avvikelserapport: fel fil skickad", "en": "Deviation report: wrong file sent"}
    with pikepdf.open(reports[lang]) as pdf:
        assert pdf.pdf_version == "1.7"
        root = pdf.Root
        assert str(root.Lang) == tag
        assert bool(root.MarkInfo.Marked) is True
        assert bool(root.ViewerPreferences.DisplayDocTitle) is True
        assert str(pdf.docinfo.Title) == title[lang]
        assert str(pdf.open_metadata().get("dc:title")) == title[lang]
        document = root.StructTreeRoot.K
        assert document.S == "/Document"
        roles = [str(kid.S) for kid in document.K]
        assert roles[:4] == ["/H1", "/P", "/H2", "/Table"]
        assert roles.count("/H1") == 1 and roles.count("/H2") == 6
        assert "/L" in roles


def _elements(node: Any) -> Iterator[Any]:
    for kid in node.K:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from _elements(kid)


def test_tables_have_row_headers_and_lists_have_labels_and_bodies(
    reports: dict[str, Path],
) -> None:
    with pikepdf.open(reports["sv"]) as pdf:
        elements = list(_elements(pdf.Root.StructTreeRoot.K))
        rows = [e for e in elements if e.S == "/TR"]
        assert len(rows) == 8
        for row in rows:
            assert [str(cell.S) for cell in row.K] == ["/TH", "/TD"]
            assert row.K[0].A.Scope == "/Row"
        items = [e for e in elements if e.S == "/LI"]
        assert items and all([str(k.S) for k in item.K] == ["/Lbl", "/LBody"] for item in items)


@pytest.mark.parametrize("name", ["sv", "bulk_en"])
def test_every_line_is_marked_content_owned_by_exactly_one_element(
    reports: dict[str, Path], name: str
) -> None:
    with pikepdf.open(reports[name]) as pdf:
        parent_tree = pdf.Root.StructTreeRoot.ParentTree.Nums
        owners = {int(parent_tree[i]): parent_tree[i + 1] for i in range(0, len(parent_tree), 2)}
        referenced: set[tuple[int, int]] = set()
        for element in _elements(pdf.Root.StructTreeRoot.K):
            for kid in element.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    page_index = pdf.pages.index(pikepdf.Page(kid.Pg))
                    key = (page_index, int(kid.MCID))
                    assert key not in referenced
                    referenced.add(key)
                    # The parent tree leads from the page's MCID back to this element.
                    assert owners[page_index][int(kid.MCID)].objgen == element.objgen
        in_content = set()
        for number, page in enumerate(pdf.pages):
            assert int(page.obj.StructParents) == number
            assert page.obj.Tabs == "/S"
            mcids = [int(m) for m in _MCID.findall(page.obj.Contents.read_bytes())]
            assert mcids == list(range(len(mcids))) and len(owners[number]) == len(mcids)
            in_content |= {(number, m) for m in mcids}
        assert in_content == referenced


def test_the_font_is_embedded_with_a_map_to_unicode(reports: dict[str, Path]) -> None:
    with pikepdf.open(reports["sv"]) as pdf:
        fonts = list(pdf.pages[0].Resources.Font.values())
        assert len(fonts) == 1
        font = fonts[0]
        assert font.Subtype == "/Type0" and "/ToUnicode" in font
        assert str(font.BaseFont).endswith("+DejaVuSans")
        assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor
    assert reports["sv"].stat().st_size < 100_000  # a subset, not the 750 KB font


def _text(path: Path) -> str:
    document = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(pages)
    finally:
        document.close()


def test_the_text_reads_back_with_swedish_letters_and_masked_identifiers_only(
    reports: dict[str, Path],
) -> None:
    # Lines are wrapped in the PDF: compare with single spaces between the words.
    text = " ".join(_text(reports["sv"]).split())
    resident = sample_residents(1)[0]
    for expected in (
        "Avvikelserapport: fel fil skickad",
        "Provsvar blodstatus åäö.pdf",
        f"SHA-256 {WRONG_SHA}",
        f"{resident[:8]}-****",
        "Närmaste chef, Åsa Öberg.",
        "Integritetsskyddsmyndigheten (IMY) inom 72 timmar",
        "senast 2026-03-31 kl. 16:50",
        PORTAL,
    ):
        assert expected in text, expected
    assert resident not in text and resident[2:] not in text and resident[8:] not in text
    order = ["Vad som skickades", "Mottagare", "Filer", "Kontakta", "Begäran om radering"]
    assert [text.index(s) for s in order] == sorted(text.index(s) for s in order)
    english = _text(reports["en"])
    assert "Deviation report: wrong file sent" in english and "Vad som" not in english


def test_every_page_is_numbered_outside_the_structure(reports: dict[str, Path]) -> None:
    text = _text(reports["bulk_en"])
    with pikepdf.open(reports["bulk_en"]) as pdf:
        pages = len(pdf.pages)
        for page in pdf.pages:
            content = page.obj.Contents.read_bytes()
            assert content.count(b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC") == 1
    for number in range(1, pages + 1):
        assert f"Deviation report: wrong file sent, page {number} of {pages}" in text
    assert "Avvikelserapport: fel fil skickad, sida 1 av 1" in _text(reports["sv"])


def test_no_identifier_of_a_bulk_send_is_in_clear(reports: dict[str, Path]) -> None:
    text = _text(reports["bulk_sv"])
    residents = sample_residents(250)
    assert not any(r[2:] in text.replace("-", "") for r in residents)
    assert all(f"{r[:8]}-****" in text for r in residents)


def test_a_character_the_font_lacks_is_shown_as_a_replacement_not_dropped(
    tmp_path: Path,
) -> None:
    report = dataclasses.replace(sample_report(), sender=StaffMember("li", "Li 漢"))
    path = tmp_path / "avvikelse.pdf"
    path.write_bytes(_pdf(report, "en"))
    assert "Sent by Li \ufffd (li)" in _text(path)


def test_the_same_report_gives_the_same_bytes() -> None:
    assert _pdf(sample_report(), "sv") == _pdf(sample_report(), "sv")


#: Where each line of the content (not the page number) is drawn.
_LINE_AT = re.compile(rb"<</MCID \d+>> BDC BT /F1 [\d.]+ Tf ([\d.]+) ([\d.]+) Td")


def test_a_value_longer_than_a_page_runs_on_within_the_margins_and_loses_no_word(
    tmp_path: Path,
) -> None:
    words = [f"ord{n}" for n in range(1200)]
    report = sample_report(subject="\t".join(words))
    path = tmp_path / "avvikelse.pdf"
    path.write_bytes(_pdf(report, "sv"))
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) > 1
        for page in pdf.pages:
            for x, y in _LINE_AT.findall(page.obj.Contents.read_bytes()):
                assert MARGIN <= float(x) < PAGE_WIDTH - MARGIN
                assert MARGIN - BODY_SIZE <= float(y) <= PAGE_HEIGHT - MARGIN
    # The page numbers sit between the pages' lines in the text; leave them out.
    footers = re.compile(r"Avvikelserapport: fel fil skickad, sida \d+ av \d+")
    text = " ".join(footers.sub(" ", _text(path)).split())
    assert " ".join(words) in text
