"""Hostile files for the inspection tests, generated here (no file of unknown origin
is kept in the repository): bytes hidden after the end, polyglots, unused objects,
earlier revisions, and actions that reach outside the document, also inside object
streams and incremental updates.

Every hidden payload carries ``MARKER``, so a test can show that it is gone from the
copy that would be sent.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

from PIL import Image, PngImagePlugin

from tests.support import inspection_samples as samples
from tests.support.pdfgen import assemble_pdf

MARKER = b"HIDDEN-PAYLOAD-4711"

# -- payloads ------------------------------------------------------------------------


def html() -> bytes:
    return b"<html><body><script>alert('" + MARKER + b"')</script></body></html>\n"


def zip_archive() -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        zipped.writestr("payload.txt", MARKER)
    return archive.getvalue()


def windows_executable() -> bytes:
    """A DOS stub whose header points to a PE signature, as every .exe has."""
    dos = b"MZ" + b"\0" * 58 + struct.pack("<I", 64)
    return dos + b"PE\0\0" + struct.pack("<HH", 0x014C, 1) + b"\0" * 64 + MARKER


def elf_executable() -> bytes:
    return b"\x7fELF\x02\x01\x01" + b"\0" * 57 + MARKER


def shell_script() -> bytes:
    return b"\n#!/bin/sh\necho " + MARKER + b"\n"


def random_bytes(size: int = 100 * 1024) -> bytes:
    """Incompressible-looking data (deterministic, so a failure can be repeated)."""
    out = bytearray(MARKER)
    state = 4711
    while len(out) < size:
        state = (state * 6364136223846793005 + 1442695040888963407) % 2**64
        out += state.to_bytes(8, "little")
    return bytes(out[:size])


# -- PDFs ----------------------------------------------------------------------------

_PAGE_TEXT = b"BT /F1 12 Tf 56 790 Td (Hej! Ett vanligt brev.) Tj ET"


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _marked(page_text: bytes) -> bytes:
    """The page's text as one paragraph of marked content (MCID 0), as a tagged file has it."""
    return b"/P << /MCID 0 >> BDC\n" + page_text + b"\nEMC"


def _tagged_catalog(font: int, entries: bytes = b"") -> bytes:
    """The letter's catalog: Swedish, tagged (its tree follows the font object)."""
    return (
        b"<< /Type /Catalog /Pages 2 0 R /Lang (sv-SE) /StructTreeRoot %d 0 R "
        b"/MarkInfo << /Marked true >> " % (font + 1) + entries + b" >>"
    )


def letter(
    *,
    catalog: bytes = b"",
    annotations: Sequence[bytes] = (),
    extra: Sequence[bytes] = (),
    page_text: bytes = _PAGE_TEXT,
) -> bytes:
    """A one-page tagged letter (the untagged one is refused since issue 23): the catalog
    holds ``catalog`` entries, the page holds ``annotations`` (objects 5 on), then
    ``extra`` objects, then the font, then the structure tree: a Document holding a P
    (the page text) and one Link (or Annot) element per annotation, as Word tags them."""
    first_extra = 5 + len(annotations)
    font = first_extra + len(extra)
    tree, document, paragraph = font + 1, font + 2, font + 3
    holders = [paragraph + 1 + i for i in range(len(annotations))]
    annots = b""
    if annotations:
        refs = b" ".join(b"%d 0 R" % (5 + i) for i in range(len(annotations)))
        annots = b"/Tabs /S /Annots [" + refs + b"]"
    marked = [
        # Each annotation knows its place in the parent tree (1 on; 0 is the page's).
        b"<< /StructParent %d " % (i + 1) + body.removeprefix(b"<<").lstrip()
        for i, body in enumerate(annotations)
    ]
    elements = [
        b"<< /Type /StructElem /S /%s /P %d 0 R /Pg 3 0 R /K << /Type /OBJR /Obj %d 0 R >> >>"
        % (b"Link" if b"/Subtype /Link" in body else b"Annot", document, 5 + i)
        for i, body in enumerate(annotations)
    ]
    parents = b" ".join(b"%d %d 0 R" % (i + 1, ref) for i, ref in enumerate(holders))
    objects = [
        _tagged_catalog(font, catalog),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/StructParents 0 /Resources << /Font << /F1 %d 0 R >> >> " % font + annots + b" >>",
        _stream(_marked(page_text)),
        *marked,
        *extra,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /StructTreeRoot /K %d 0 R /ParentTree << /Nums [0 [%d 0 R] %s] >> "
        b"/ParentTreeNextKey %d >>" % (document, paragraph, parents, len(annotations) + 1),
        b"<< /Type /StructElem /S /Document /P %d 0 R /K [%s] >>"
        % (tree, b" ".join(b"%d 0 R" % ref for ref in [paragraph, *holders])),
        b"<< /Type /StructElem /S /P /P %d 0 R /Pg 3 0 R /K 0 >>" % document,
        *elements,
    ]
    return assemble_pdf(objects, 1)


def link(action: bytes) -> bytes:
    return b"<< /Type /Annot /Subtype /Link /Rect [56 780 300 800] /Border [0 0 0] /A " + (
        action + b" >>"
    )


def annotation(subtype: bytes) -> bytes:
    return b"<< /Type /Annot /Subtype /" + subtype + b" /Rect [56 700 300 760] >>"


def with_header_comment(pdf: bytes, comment: bytes) -> bytes:
    """``pdf`` with ``comment`` as a comment line after its header (offsets shifted)."""
    header_end = pdf.index(b"\n") + 1
    inserted = b"%" + comment.replace(b"\n", b" ") + b"\n"
    shifted = pdf[:header_end] + inserted + pdf[header_end:]
    return _shift_offsets(shifted, len(inserted))


def _shift_offsets(pdf: bytes, by: int) -> bytes:
    xref = pdf.rindex(b"\nxref\n") + 1
    head, table = pdf[:xref], pdf[xref:]

    def entry(match: re.Match[bytes]) -> bytes:
        return b"%010d 00000 n " % (int(match.group(1)) + by)

    table = re.sub(rb"(\d{10}) 00000 n ", entry, table)
    table = re.sub(rb"startxref\n(\d+)", lambda m: b"startxref\n%d" % (int(m.group(1)) + by), table)
    return head + table


def incremental_update(
    base: bytes, objects: Mapping[int, bytes], *, root: int = 1, size: int | None = None
) -> bytes:
    """``base`` with an incremental update appended that (re)defines ``objects``."""
    previous = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    out = bytearray(base)
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, offset in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, offset)
    total = size or max(max(objects) + 1, int(re.findall(rb"/Size (\d+)", base)[-1]))
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (total, root, previous)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def letter_revised() -> bytes:
    """A letter whose page text was replaced in an update: the old text stays behind."""
    old = letter(page_text=b"BT /F1 12 Tf 56 790 Td (" + MARKER + b") Tj ET")
    return incremental_update(old, {4: _stream(_marked(_PAGE_TEXT))})


def letter_with_unused_stream(size: int = 512 * 1024) -> bytes:
    """A letter with a large stream that no page refers to (object 5)."""
    return letter(extra=[_stream(MARKER + random_bytes(size))])


def letter_with_xmp(xmp: bytes) -> bytes:
    return letter(
        catalog=b"/Metadata 5 0 R",
        extra=[_stream(xmp, b"/Type /Metadata /Subtype /XML")],
    )


def in_object_stream(catalog: Mapping[str, Any]) -> bytes:
    """A letter saved with object streams, whose catalog (in one) holds ``catalog``:
    values are made indirect, so the actions themselves sit in the object stream."""
    import pikepdf

    with pikepdf.open(io.BytesIO(samples.letter_pdf())) as pdf:
        for key, value in catalog.items():
            pdf.Root[key] = pdf.make_indirect(value)
        out = io.BytesIO()
        pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def update_adding_to_catalog(entries: bytes, extra: Mapping[int, bytes] | None = None) -> bytes:
    """A clean letter, then an update whose new catalog holds ``entries``."""
    base = letter()
    return incremental_update(base, {1: _tagged_catalog(5, entries), **(extra or {})})


# -- images --------------------------------------------------------------------------


def png_with_text(text: bytes) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode("latin-1"))
    return samples.png(pnginfo=info)


def png_with_html_pixels() -> bytes:
    """A valid grey PNG whose pixel rows, stored without compression, spell HTML: the
    bytes are the picture, so no rewrite can take them out."""
    row = html()
    header = struct.pack(">IIBBBBB", len(row), 1, 8, 0, 0, 0, 0)
    data = zlib.compress(b"\x00" + row, 0)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


def jpeg_with_comment(comment: bytes) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 200)).save(out, "JPEG", comment=comment)
    return out.getvalue()


def gif_with_comment(comment: bytes) -> bytes:
    return samples.gif([0, 0], comment=comment)


def linearized_letter() -> bytes:
    """A clean letter saved linearized ("fast web view"): two cross-reference sections
    and a hint stream nothing refers to, and nothing hidden."""
    import pikepdf

    with pikepdf.open(io.BytesIO(samples.long_letter_pdf(3))) as pdf:
        out = io.BytesIO()
        pdf.save(out, linearize=True)
    return out.getvalue()


def linearized_then_updated() -> bytes:
    """A linearized letter with an update appended that replaces its first page's text."""
    import pikepdf

    base = linearized_letter()
    with pikepdf.open(io.BytesIO(base)) as pdf:
        content = pdf.pages[0].obj["/Contents"].objgen[0]
        size = int(pdf.trailer["/Size"])
    return incremental_update(
        base, {content: _stream(_marked(_PAGE_TEXT))}, root=_root(base), size=size
    )


def _root(pdf: bytes) -> int:
    return int(re.findall(rb"/Root (\d+) 0 R", pdf)[-1])
