"""Hidden content in a PDF: data after its end, earlier revisions kept by incremental
updates, and objects that nothing reached from the trailer uses (through qpdf). Used by
``app.inspection.hidden``; runs in the inspect worker only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.inspection.pdf_source import PdfSource

#: Whitespace (and NUL) some producers pad a file with after its end; more is data.
_PADDING = b" \t\r\n\f\x00"
_MAX_PADDING = 1024
#: Bytes read from the end to find a PDF's last ``%%EOF``.
_PDF_TAIL = 1024 * 1024


def padding_only(rest: bytes) -> bool:
    return len(rest) <= _MAX_PADDING and not rest.strip(_PADDING)


def after_end(data: bytes) -> bool:
    end = data.rfind(b"%%EOF", max(0, len(data) - _PDF_TAIL))
    return end < 0 or not padding_only(data[end + 5 :])


_OBJ = re.compile(rb"obj\b")
#: The "N G" before an ``obj`` keyword, read backwards from it.
_OBJECT_NUMBERS = re.compile(
    rb"(?<![0-9])([0-9]{1,10})[ \t\r\n\f\x00]+([0-9]{1,5})[ \t\r\n\f\x00]+\Z"
)


def _object_headers(data: bytes) -> Iterator[tuple[tuple[int, int], int]]:
    """Every ``N G obj`` in the file: (object number, generation) and where it starts."""
    for match in _OBJ.finditer(data):
        window = data[max(0, match.start() - 40) : match.start()]
        numbers = _OBJECT_NUMBERS.search(window)
        if numbers:
            start = match.start() - len(window) + numbers.start()
            yield (int(numbers.group(1)), int(numbers.group(2))), start


def structure(source: PdfSource) -> tuple[bool, bool] | None:
    """(old revisions, unreferenced objects); ``None`` when qpdf cannot read the file
    (inspection refuses it as damaged or password-protected)."""
    import pikepdf

    try:
        pdf = source.qpdf()
    except (pikepdf.PasswordError, pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return None
    # An encrypted file opened without a password (an owner password alone) is looked
    # at too: it may be sent as it is (pdf.owner_password_only), and what it hides is
    # then refused, since a rewrite would drop the encryption (hidden._rewrite_pdf).
    try:
        xref = pdf.get_xref_table()
        return _old_revisions(source.data, pdf, xref), _unreferenced(pdf, xref)
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return None


def _linearized(data: bytes, pdf: Any) -> bool:
    """Linearized, and still the file that was linearized (its length is the one the
    linearization dictionary states; an update appended later changes it)."""
    if not pdf.is_linearized:
        return False
    match = re.search(rb"/L\s+([0-9]+)", data[:1024])
    return match is not None and int(match.group(1)) == len(data)


def _old_revisions(data: bytes, pdf: Any, xref: dict[Any, Any]) -> bool:
    """Whether the file keeps objects or trailers that the current revision replaced:
    more ``startxref`` than one revision has (two when linearized), an object body at
    an offset the cross-reference table does not point to, or an object stream that
    holds more objects than are taken from it."""
    expected = 2 if _linearized(data, pdf) else 1
    if len(re.findall(rb"startxref", data)) > expected:
        return True
    current = {objgen: entry.offset for objgen, entry in xref.items() if entry.type == 1}
    for objgen, start in _object_headers(data):
        offset = current.get(objgen)
        if offset is None or abs(offset - start) > 16:
            return True
    taken: dict[int, int] = {}
    for entry in xref.values():
        if entry.type == 2:
            taken[entry.obj_stream_number] = taken.get(entry.obj_stream_number, 0) + 1
    for number, count in taken.items():
        held = pdf.get_object((number, 0)).get("/N")
        if isinstance(held, int) and int(held) > count:
            return True
    return False


def _unreferenced(pdf: Any, xref: dict[Any, Any]) -> bool:
    """Whether an object is in the file that nothing reached from the trailer uses."""
    import pikepdf

    reached: set[tuple[int, int]] = set()
    pending: list[Any] = [pdf.trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Stream):
            children: Any = item.stream_dict.values()
        elif isinstance(item, pikepdf.Dictionary):
            children = item.values()
        elif isinstance(item, pikepdf.Array):
            children = list(item)
        else:
            continue
        for child in children:
            if not isinstance(child, pikepdf.Object):
                continue  # numbers, booleans and names come back as Python values
            if child.is_indirect:
                if child.objgen in reached:
                    continue
                reached.add(child.objgen)
            pending.append(child)
    # Object streams are reached through the objects they hold, not by reference.
    holders = {
        number
        for number in {entry.obj_stream_number for entry in xref.values() if entry.type == 2}
        if _is_object_stream(pdf.get_object((number, 0)))
    }
    hint_offset = _hint_stream_offset(pdf)
    for objgen, entry in xref.items():
        if entry.type not in (1, 2) or objgen in reached or objgen[0] in holders:
            continue
        if entry.type == 1 and entry.offset == hint_offset:
            continue  # a linearized file's hint stream, found by its stated offset
        if not _structural(pdf.get_object(objgen)):
            return True
    return False


def _is_object_stream(obj: Any) -> bool:
    import pikepdf

    return isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/ObjStm"


def _hint_stream_offset(pdf: Any) -> int | None:
    """Where a linearized file says its hint stream is (``/H [offset length]``)."""
    import pikepdf

    if not pdf.is_linearized:
        return None
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and "/Linearized" in obj:
            hints = obj.get("/H")
            if isinstance(hints, pikepdf.Array) and len(hints) >= 1:
                first = hints[0]
                return int(first) if isinstance(first, int) else None
    return None


def _structural(obj: Any) -> bool:
    """Objects that belong to the file's structure, not its content (a cross-reference
    stream, a linearization dictionary), or that cannot carry content."""
    import pikepdf

    if isinstance(obj, bool | int | float | pikepdf.Name):
        # pikepdf hands numbers, booleans and names over as values, so a reference to
        # one is not seen by the walk; a few bytes of them hide nothing.
        return True
    if isinstance(obj, pikepdf.Stream) and obj.get("/Type") == "/XRef":
        return True
    return isinstance(obj, pikepdf.Dictionary) and "/Linearized" in obj
