"""The structure checks a listener notices (app/inspection/pdf_structure.py): for each, a
small tagged PDF made here that fails it and one that passes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pikepdf
import pytest

from app.config.texts import message
from app.inspection import inspect_file
from app.inspection.report import Severity
from tests.inspection.conftest import codes
from tests.support.tagged_pdf import El, letter, tagged_pdf

Write = Callable[[str, bytes], Path]

_STRUCTURE_CODES = {
    "pdf.untagged",
    "pdf.not_marked",
    "pdf.role_not_mapped",
    "pdf.list_item_outside_list",
    "pdf.table_without_headers",
    "pdf.table_headers_unclear",
    "pdf.figure_without_alt",
    "pdf.formula_without_alt",
    "pdf.heading_skipped",
    "pdf.heading_unnumbered",
    "pdf.annotation_not_tagged",
    "pdf.link_without_description",
    "pdf.annotation_without_description",
    "pdf.field_without_name",
    "pdf.tab_order",
    "pdf.no_language",
    "pdf.text_not_unicode",
}


def _found(write: Write, data: bytes) -> set[str]:
    return codes(inspect_file(write("file.pdf", data))) & _STRUCTURE_CODES


def test_an_accessible_letter_has_no_structure_finding(write: Write) -> None:
    report = inspect_file(
        write("brev.pdf", letter(link="https://www.1177.se", field_tooltip="Namn"))
    )
    assert not codes(report) & _STRUCTURE_CODES, report.findings
    assert not report.blocked
    assert all(f.severity is Severity.INFO for f in report.findings), report.findings


@pytest.mark.parametrize(
    ("code", "failing", "passing"),
    [
        (
            "pdf.role_not_mapped",
            tagged_pdf([El("Brodtext", "Text")]),
            tagged_pdf([El("Brodtext", "Text")], role_map={"Brodtext": "P"}),
        ),
        (
            "pdf.list_item_outside_list",
            tagged_pdf([El("LI", [El("LBody", "Punkt")])]),
            tagged_pdf([El("L", [El("LI", [El("LBody", "Punkt")])])]),
        ),
        (
            "pdf.table_without_headers",
            tagged_pdf([El("Table", [El("TR", [El("TD", "a"), El("TD", "b")])])]),
            tagged_pdf([El("Table", [El("TR", [El("TH", "a"), El("TD", "b")])])]),
        ),
        (
            "pdf.figure_without_alt",
            tagged_pdf([El("Figure", "")]),
            tagged_pdf([El("Figure", "", Alt="Karta")]),
        ),
        (
            "pdf.formula_without_alt",
            tagged_pdf([El("Formula", "x=1")]),
            tagged_pdf([El("Formula", "x=1", Alt="x är lika med ett")]),
        ),
        (
            "pdf.heading_skipped",
            tagged_pdf([El("H1", "A"), El("H3", "B")]),
            tagged_pdf([El("H1", "A"), El("H2", "B")]),
        ),
        (
            "pdf.heading_unnumbered",
            tagged_pdf([El("H", "A"), El("H", "B")]),
            tagged_pdf([El("Sect", [El("H", "A")]), El("Sect", [El("H", "B")])]),
        ),
        (
            "pdf.link_without_description",
            tagged_pdf([El("P", "Se")], link="https://www.1177.se", link_contents=None),
            tagged_pdf([El("P", "Se")], link="https://www.1177.se"),
        ),
        (
            "pdf.annotation_not_tagged",
            tagged_pdf([El("P", "Se")], link="https://www.1177.se", tag_link=False),
            tagged_pdf([El("P", "Se")], link="https://www.1177.se"),
        ),
        (
            "pdf.field_without_name",
            tagged_pdf([El("P", "Namn")], field_tooltip=None),
            tagged_pdf([El("P", "Namn")], field_tooltip="Ditt namn"),
        ),
        (
            "pdf.tab_order",
            tagged_pdf([El("P", "Se")], link="https://www.1177.se", tabs=False),
            tagged_pdf([El("P", "Se")], link="https://www.1177.se"),
        ),
        (
            "pdf.not_marked",
            tagged_pdf([El("P", "Text")], marked=False),
            tagged_pdf([El("P", "Text")]),
        ),
        (
            "pdf.untagged",
            tagged_pdf([El("P", "Text")], tagged=False, marked=False),
            tagged_pdf([El("P", "Text")]),
        ),
        (
            "pdf.no_language",
            tagged_pdf([El("P", "Text")], lang=None),
            tagged_pdf([El("P", "Text", Lang="sv-SE")], lang=None),
        ),
    ],
)
def test_each_check_fails_and_passes(
    write: Write, code: str, failing: bytes, passing: bytes
) -> None:
    assert code in _found(write, failing)
    assert code not in _found(write, passing)
    finding = next(f for f in inspect_file(write("f.pdf", failing)).findings if f.code == code)
    # The region's instruction: an untagged PDF is not accessible at all (issue 23).
    assert finding.severity is (Severity.BLOCK if code == "pdf.untagged" else Severity.WARN)
    # What a listener hears and what to do, in Swedish.
    assert message(code, "sv") != code


def test_findings_name_the_page(write: Write) -> None:
    report = inspect_file(write("f.pdf", tagged_pdf([El("Formula", "x")])))
    assert [f.page for f in report.findings if f.code == "pdf.formula_without_alt"] == [1]


def _with_to_unicode(data: bytes, destination: bytes) -> bytes:
    import io

    pdf = pikepdf.open(io.BytesIO(data))
    cmap = (
        b"begincmap\n1 begincodespacerange\n<00> <ff>\nendcodespacerange\n"
        b"1 beginbfchar\n<41> <" + destination + b">\nendbfchar\nendcmap\n"
    )
    pdf.pages[0].Resources.Font.F1.ToUnicode = pdf.make_stream(cmap)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("nothing", [b"0000", b"FFFE", b"feff"])
def test_a_font_mapping_codes_to_nothing_cannot_be_read_aloud(write: Write, nothing: bytes) -> None:
    base = tagged_pdf([El("P", "Text")])
    assert "pdf.text_not_unicode" in _found(write, _with_to_unicode(base, nothing))
    assert "pdf.text_not_unicode" not in _found(write, _with_to_unicode(base, b"0041"))


def test_an_annotation_off_the_page_needs_no_tag(write: Write) -> None:
    import io

    pdf = pikepdf.open(io.BytesIO(tagged_pdf([El("P", "Se")], link="https://x.se", tag_link=False)))
    pdf.pages[0].Annots[0].Rect = pikepdf.Array([800, 900, 820, 920])
    out = io.BytesIO()
    pdf.save(out)
    assert "pdf.annotation_not_tagged" not in _found(write, out.getvalue())


def test_a_table_with_row_and_column_headers_needs_their_scope(write: Write) -> None:
    def table(scope: str | None) -> bytes:
        def th(text: str, which: str) -> El:
            if scope is None:
                return El("TH", text)
            return El(
                "TH", text, A=pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name(which))
            )

        return tagged_pdf(
            [
                El(
                    "Table",
                    [
                        El("TR", [th("", "/Column"), th("Hb", "/Column")]),
                        El("TR", [th("Måndag", "/Row"), El("TD", "140")]),
                    ],
                )
            ]
        )

    assert "pdf.table_headers_unclear" in _found(write, table(None))
    assert "pdf.table_headers_unclear" not in _found(write, table("scoped"))
