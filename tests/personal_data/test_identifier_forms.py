"""Every Skatteverket test number is found in every written form, in running text and PDF."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pikepdf
import pypdfium2 as pdfium
import pytest

from app.inspection.personal_data import Detector, TextHit
from tests.personal_data.helpers import TODAY, hundred_or_older, skatteverket_numbers

DETECTOR = Detector(today=TODAY)
IDENTIFIERS = ("personnummer", "samordningsnummer")


def ten(n: str, sep: str = "-") -> str:
    """``YYMMDD-NNNC`` with ``+`` for those 100 or older, as Skatteverket writes it."""
    if sep == "-" and hundred_or_older(n):
        sep = "+"
    return f"{n[2:8]}{sep}{n[8:]}"


FORMS: dict[str, Callable[[str], str]] = {
    "YYYYMMDD-NNNC": lambda n: f"{n[:8]}-{n[8:]}",
    "YYYYMMDDNNNC": lambda n: n,
    "YYYYMMDD NNNC": lambda n: f"{n[:8]} {n[8:]}",
    "YYMMDD-NNNC / YYMMDD+NNNC": ten,
    "YYMMDD NNNC": lambda n: ten(n, " "),
    "YYMMDDNNNC": lambda n: ten(n, ""),
    "YYMMDD–NNNC (en dash)": lambda n: ten(n, "\u2013"),
    "YYMMDD‑NNNC (non-breaking hyphen)": lambda n: ten(n, "\u2011"),
    "YYMMDD−NNNC (minus sign)": lambda n: ten(n, "\u2212"),
    "YYMMDD NNNC (no-break space)": lambda n: ten(n, "\u00a0"),
    "YYYYMMDD – NNNC (spaced dash)": lambda n: f"{n[:8]} \u2013 {n[8:]}",
}
# Forms that cannot say the century: the last ten digits are what must match.
CENTURY_LOST = {"YYMMDD NNNC", "YYMMDDNNNC", "YYMMDD–NNNC (en dash)",
                "YYMMDD‑NNNC (non-breaking hyphen)", "YYMMDD−NNNC (minus sign)",
                "YYMMDD NNNC (no-break space)"}  # fmt: skip

SENTENCES = (
    "Patienten {} söker för hosta sedan 3 dagar, CRP 45 mg/L.",
    "Remiss avseende {}, besök 2024-03-12 kl 08:30.",
    "Pnr: {}\r\n",
    "({}), återbesök om 4-6 veckor.",
)


def running_text(numbers: tuple[str, ...], form: Callable[[str], str]) -> str:
    return " ".join(SENTENCES[i % len(SENTENCES)].format(form(n)) for i, n in enumerate(numbers))


def identifiers(hits: list[TextHit]) -> list[str]:
    return [h.identifier or "" for h in hits if h.kind in IDENTIFIERS]


@pytest.mark.parametrize("form_name", list(FORMS))
def test_every_test_number_is_found_in_running_text(form_name: str) -> None:
    numbers = skatteverket_numbers()
    assert len(numbers) == 41_493
    text = running_text(numbers, FORMS[form_name])
    hits = DETECTOR.find(text)
    found = identifiers(hits)
    assert len(found) == len(numbers), form_name
    if form_name in CENTURY_LOST:
        assert [f[2:] for f in found] == [n[2:] for n in numbers]
    else:
        assert found == list(numbers)
    assert all(h.kind == "personnummer" for h in hits if h.kind in IDENTIFIERS)
    # What may be shown never holds the serial.
    assert all(h.masked.endswith("-****") for h in hits if h.kind in IDENTIFIERS)


def _pdf_with_lines(lines: list[str]) -> bytes:
    """A small PDF, Helvetica with WinAnsiEncoding (en dash 0x96, no-break space 0xA0)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )
    per_page = 60
    for first in range(0, len(lines), per_page):
        ops = [b"BT /F1 9 Tf 12 TL 40 800 Td"]
        for line in lines[first : first + per_page]:
            escaped = line.encode("cp1252").replace(b"\\", b"\\\\")
            escaped = escaped.replace(b"(", b"\\(").replace(b")", b"\\)")
            ops.append(b"(" + escaped + b") Tj T*")
        ops.append(b"ET")
        page = pikepdf.Page(
            pikepdf.Dictionary(
                Type=pikepdf.Name.Page,
                MediaBox=[0, 0, 595, 842],
                Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                Contents=pdf.make_stream(b"\n".join(ops)),
            )
        )
        pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def _pdf_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return texts
    finally:
        document.close()


PDF_FORMS = [
    "YYYYMMDD-NNNC", "YYYYMMDDNNNC", "YYMMDD-NNNC / YYMMDD+NNNC", "YYMMDD NNNC",
    "YYMMDD–NNNC (en dash)", "YYMMDD NNNC (no-break space)",
]  # fmt: skip


def test_a_sample_is_found_in_a_generated_pdf() -> None:
    numbers = skatteverket_numbers()[::200]  # ~200, spread over every birth year
    expected: list[str] = []
    lines: list[str] = []
    for i, n in enumerate(numbers):
        form = PDF_FORMS[i % len(PDF_FORMS)]
        lines.append(f"Patient {FORMS[form](n)} provsvar CRP 45 mg/L, kl 08:30.")
        expected.append(n[2:] if form in CENTURY_LOST else n)
    text_per_page = _pdf_text(_pdf_with_lines(lines))
    assert len(text_per_page) > 1
    found: list[str] = []
    for text in text_per_page:
        found.extend(identifiers(DETECTOR.find(text)))
    assert len(found) == len(numbers)
    assert [f if len(e) == 12 else f[2:] for f, e in zip(found, expected, strict=True)] == expected


def test_ten_digit_century_follows_skatteverket() -> None:
    detector = Detector(today=dt.date(2026, 6, 1))
    (hit,) = detector.find("pnr 121212-1212")
    assert hit.identifier == "201212121212"
    (hit,) = detector.find("pnr 121212+1212")
    assert hit.identifier == "191212121212"
    # A date later this year belongs to the previous century.
    (hit,) = detector.find("pnr 261231-1239")  # 2026-12-31 is in the future
    assert hit.identifier is not None and hit.identifier.startswith("1926")
