"""A tiny PDF writer for tests and benchmarks: text pages in a base-14 font.

Why our own: tests need PDFs with known text (identifiers in known places, N pages)
without a PDF library that could hide what is in the file. Each page is one content
stream of Helvetica text lines; optional document language and title.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def _pdf_string(text: str) -> bytes:
    # WinAnsiEncoding covers Swedish letters (å ä ö) in cp1252.
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def text_pdf(
    pages: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    lang: str | None = None,
    font_size: int = 12,
) -> bytes:
    """A PDF with one A4 page per item of ``pages``, each a list of text lines."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_ref = len(objects) + 1
    add(b"")  # placeholder for the Pages tree, filled in below
    page_refs: list[int] = []
    leading = font_size + 4
    for lines in pages:
        ops = [b"BT", b"/F1 %d Tf" % font_size, b"%d TL" % leading, b"56 790 Td"]
        for line in lines:
            ops.append(_pdf_string(line) + b" Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        page_refs.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
                b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                % (pages_ref, font, content)
            )
        )
    kids = b" ".join(b"%d 0 R" % ref for ref in page_refs)
    objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(page_refs))
    catalog_entries = b"/Type /Catalog /Pages %d 0 R" % pages_ref
    if lang:
        catalog_entries += b" /Lang " + _pdf_string(lang)
    if title:
        # As Word writes it with the title chosen: otherwise Bifoga repairs it at staging.
        catalog_entries += b" /ViewerPreferences << /DisplayDocTitle true >>"
    catalog = add(b"<< " + catalog_entries + b" >>")
    info = add(b"<< /Title " + _pdf_string(title) + b" >>") if title else None

    return assemble_pdf(objects, catalog, info)


def assemble_pdf(objects: Sequence[bytes], root: int, info: int | None = None) -> bytes:
    """A PDF file from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root)
    if info:
        trailer += b" /Info %d 0 R" % info
    out += b"trailer\n<< " + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write_text_pdf(path: Path, pages: Sequence[Sequence[str]], **kwargs: object) -> Path:
    path.write_bytes(text_pdf(pages, **kwargs))  # type: ignore[arg-type]
    return path


def numbered_pages(count: int, lines_per_page: int = 40) -> list[list[str]]:
    """``count`` pages of plausible Swedish letter text, each naming its page number."""
    body = "Vi har tagit emot dina provsvar och går igenom dem tillsammans med dig vid nästa besök."
    return [
        [f"Sida {n} av {count}"] + [f"{body} Rad {i}." for i in range(1, lines_per_page)]
        for n in range(1, count + 1)
    ]
