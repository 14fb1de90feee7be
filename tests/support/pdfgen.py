"""A tiny PDF writer for tests and benchmarks: text pages in a base-14 font.

Why our own: tests need PDFs with known text (identifiers in known places, N pages)
without a PDF library that could hide what is in the file. Each page is one content
stream of Helvetica text lines.

By default the file is what the region's instruction asks for, as Word writes it with
"Dokumentstruktur för hjälpmedel" on: tagged (a ``Document`` element holding one ``P``
per line, each line marked content with its MCID, a parent tree, ``MarkInfo/Marked``),
in Swedish (``/Lang``), with a title shown instead of the file name, and the PDF/UA
identifier in an XMP packet (the one ``pdf_strip`` keeps), so that inspection finds
nothing to warn about and staging nothing to repair. ``tagged=False``, ``title=None``
and ``lang=None`` leave each out, for the tests about those findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.inspection.pdf_strip import minimal_xmp

DEFAULT_TITLE = "Brev från mottagningen"
DEFAULT_LANGUAGE = "sv-SE"


def _pdf_string(text: str) -> bytes:
    # WinAnsiEncoding covers Swedish letters (å ä ö) in cp1252.
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _stream(body: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d%s >>\nstream\n" % (len(body), extra) + body + b"\nendstream"


def text_pdf(
    pages: Sequence[Sequence[str]],
    *,
    title: str | None = DEFAULT_TITLE,
    lang: str | None = DEFAULT_LANGUAGE,
    tagged: bool = True,
    font_size: int = 12,
) -> bytes:
    """A PDF with one A4 page per item of ``pages``, each a list of text lines."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    def reserve() -> int:
        return add(b"")  # filled in once the objects it refers to have numbers

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_ref = reserve()
    tree_ref = reserve() if tagged else 0
    document_ref = reserve() if tagged else 0
    page_refs: list[int] = []
    paragraphs: list[int] = []
    parent_tree: list[bytes] = []
    leading = font_size + 4
    for index, lines in enumerate(pages):
        page_ref = reserve()
        ops = [b"BT", b"/F1 %d Tf" % font_size, b"%d TL" % leading, b"56 790 Td"]
        on_page: list[int] = []
        for line in lines:
            if not line:
                ops.append(b"T*")  # a blank line draws nothing: no paragraph, no content
                continue
            shown = _pdf_string(line) + b" Tj T*"
            if tagged:
                mcid = len(on_page)
                shown = b"/P << /MCID %d >> BDC " % mcid + shown + b" EMC"
                on_page.append(
                    add(
                        b"<< /Type /StructElem /S /P /P %d 0 R /Pg %d 0 R /K %d >>"
                        % (document_ref, page_ref, mcid)
                    )
                )
            ops.append(shown)
        ops.append(b"ET")
        content = add(_stream(b"\n".join(ops)))
        structure = b" /StructParents %d" % index if tagged else b""
        objects[page_ref - 1] = (
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R%s >>"
            % (pages_ref, font, content, structure)
        )
        page_refs.append(page_ref)
        paragraphs += on_page
        parent_tree.append(b"%d [%s]" % (index, _refs(on_page)))
    objects[pages_ref - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        _refs(page_refs),
        len(page_refs),
    )
    catalog_entries = b"/Type /Catalog /Pages %d 0 R" % pages_ref
    if tagged:
        objects[document_ref - 1] = b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>" % (
            tree_ref,
            _refs(paragraphs),
        )
        objects[tree_ref - 1] = (
            b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree << /Nums [%s] >> "
            b"/ParentTreeNextKey %d >>" % (document_ref, b" ".join(parent_tree), len(page_refs))
        )
        catalog_entries += b" /StructTreeRoot %d 0 R /MarkInfo << /Marked true >>" % tree_ref
    if lang:
        catalog_entries += b" /Lang " + _pdf_string(lang)
    if title:
        # As Word writes it with the title chosen: otherwise Bifoga repairs it at staging.
        catalog_entries += b" /ViewerPreferences << /DisplayDocTitle true >>"
    if tagged and title and lang:
        # Declared PDF/UA, in the packet pdf_strip keeps as it is: nothing to repair.
        xmp = minimal_xmp(title, [lang], "1")
        metadata = add(_stream(xmp, b" /Type /Metadata /Subtype /XML"))
        catalog_entries += b" /Metadata %d 0 R" % metadata
    catalog = add(b"<< " + catalog_entries + b" >>")
    info = add(b"<< /Title " + _pdf_string(title) + b" >>") if title else None

    return assemble_pdf(objects, catalog, info)


def _refs(numbers: Sequence[int]) -> bytes:
    return b" ".join(b"%d 0 R" % number for number in numbers)


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
