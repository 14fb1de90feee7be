"""What a file carries that its preview never shows, and removing it from the staged copy.

The clinician previews a document; the resident receives bytes. Bytes that no viewer
draws (data after the end of the file, a second format in the same bytes, objects no
page uses, earlier revisions kept by incremental updates) would ride along unseen. So
the staged copy is rewritten before anyone previews it (``remove_hidden``, in the
inspect worker: qpdf and the image walkers parse untrusted input), and what was removed
is written beside the copy so that its inspection report says so. What cannot be
removed is found again by ``hidden_findings`` when the rewritten copy is inspected, and
blocks the file. See docs/inspection.md, "Hidden content", for the choice per case.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import filetypes

#: Whitespace (and NUL) some producers pad a file with after its end; more is data.
_PADDING = b" \t\r\n\f\x00"
_MAX_PADDING = 1024
#: Bytes read from the end to find a PDF's last ``%%EOF``.
_PDF_TAIL = 1024 * 1024

# -- a second format in the same bytes -----------------------------------------------

#: Tags a browser sniffs as HTML (or runs as SVG) anywhere in what it is given.
_HTML = re.compile(
    rb"<\s*(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|script[\s>/]|iframe[\s>]"
    rb"|svg[\s>]|object[\s>]|embed[\s>]|meta\s+http-equiv)",
    re.IGNORECASE,
)
#: Scripts that an interpreter runs from the start of a line: each is found by its fixed
#: first bytes (``bytes.find`` and single-literal patterns stay fast on a 20 MB file).
_SCRIPT_STARTS = (
    (b"#!", re.compile(rb"#![ \t]*/")),
    (b"<?", re.compile(rb"<\?php", re.IGNORECASE)),
    (b"@", re.compile(rb"@echo\s+off", re.IGNORECASE)),
)
_ZIP_LOCAL = re.compile(rb"PK\x03\x04")
_ZIP_END = re.compile(rb"PK\x05\x06")
_ZIP_METHODS = {0, 8, 9, 12, 14, 93, 95, 98, 99}
_DOS_HEADER = re.compile(rb"MZ")
_ELF = b"\x7fELF"
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
_MACH_O_CPUS = {7, 12, 18, 0x01000007, 0x0100000C, 0x01000012}


def _zip_inside(data: bytes) -> bool:
    """A ZIP that an unzipper would open: a plausible local file header, or a
    well-formed end-of-central-directory record (four bytes alone occur by chance in
    compressed data, so the fields around them must make sense too)."""
    for match in _ZIP_LOCAL.finditer(data):
        header = data[match.start() : match.start() + 30]
        if len(header) < 30:
            break
        version, _flags, method = struct.unpack_from("<HHH", header, 4)
        name_length, _extra = struct.unpack_from("<HH", header, 26)
        name = data[match.start() + 30 : match.start() + 30 + name_length]
        if (
            version <= 63
            and method in _ZIP_METHODS
            and 0 < name_length <= 1024
            and len(name) == name_length
            and all(32 <= byte < 127 for byte in name)
        ):
            return True
    for match in _ZIP_END.finditer(data):
        record = data[match.start() : match.start() + 22]
        if len(record) < 22:
            break
        entries, total, directory_size, _offset, comment = struct.unpack_from("<HHIIH", record, 8)
        start = match.start() - directory_size
        if (
            0 < entries <= total
            and directory_size > 0
            and start >= 0
            and data[start : start + 4] == b"PK\x01\x02"
            and match.start() + 22 + comment <= len(data)
        ):
            return True
    return False


def _executable_inside(data: bytes) -> str | None:
    for match in _DOS_HEADER.finditer(data):
        header = data[match.start() : match.start() + 64]
        if len(header) < 64:
            break
        (pe_offset,) = struct.unpack_from("<I", header, 60)
        pe = match.start() + pe_offset
        if 64 <= pe_offset <= 4096 and data[pe : pe + 4] == b"PE\0\0":
            return "EXE"
    for at in _occurrences(data, _ELF):
        # class (32/64 bit), byte order and version must be ones a loader accepts
        if data[at + 4 : at + 5] in (b"\x01", b"\x02") and data[at + 5 : at + 7] in (
            b"\x01\x01",
            b"\x02\x01",
        ):
            return "ELF"
    for magic in _MACH_O:
        order = ">" if magic[0] == 0xFE else "<"
        for at in _occurrences(data, magic):
            cpu = data[at + 4 : at + 8]
            if len(cpu) == 4 and struct.unpack(order + "I", cpu)[0] in _MACH_O_CPUS:
                return "Mach-O"
    return None


def _occurrences(data: bytes, needle: bytes) -> Iterator[int]:
    at = data.find(needle)
    while at >= 0:
        yield at
        at = data.find(needle, at + 1)


def second_format(data: bytes) -> str | None:
    """The other format hidden in ``data`` (a polyglot), by name, or ``None``."""
    if _HTML.search(data):
        return "HTML"
    if _zip_inside(data):
        return "ZIP"
    executable = _executable_inside(data)
    if executable:
        return executable
    for start, pattern in _SCRIPT_STARTS:
        for at in _occurrences(data, start):
            if (at == 0 or data[at - 1] in b"\r\n") and pattern.match(data, at):
                return "script"
    return None


# -- what is hidden ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a file carries that no viewer shows; empty when nothing."""

    after_end: bool = False
    old_revisions: bool = False
    unreferenced: bool = False
    #: "HTML", "ZIP", "EXE", "ELF", "Mach-O" or "script"
    second_format: str | None = None

    def __bool__(self) -> bool:
        return self.after_end or self.old_revisions or self.unreferenced or bool(self.second_format)

    def kinds(self) -> list[str]:
        found = [
            kind
            for kind, present in (
                ("after_end", self.after_end),
                ("old_revisions", self.old_revisions),
                ("unreferenced", self.unreferenced),
            )
            if present
        ]
        if self.second_format:
            found.append(f"second_format:{self.second_format}")
        return found


def _padding_only(rest: bytes) -> bool:
    return len(rest) <= _MAX_PADDING and not rest.strip(_PADDING)


def _pdf_after_end(data: bytes) -> bool:
    end = data.rfind(b"%%EOF", max(0, len(data) - _PDF_TAIL))
    return end < 0 or not _padding_only(data[end + 5 :])


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


def _pdf_structure(data: bytes, path: Path) -> tuple[bool, bool] | None:
    """(old revisions, unreferenced objects); ``None`` when qpdf cannot read the file
    (inspection refuses it as damaged or password-protected)."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PasswordError, pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return None
    with pdf:
        if pdf.is_encrypted:
            return None  # refused anyway (pdf.encrypted); a rewrite would drop the encryption
        try:
            xref = pdf.get_xref_table()
            return _old_revisions(data, pdf, xref), _unreferenced(pdf, xref)
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


def find_hidden(path: Path, media_type: str | None = None) -> Hidden:
    """What the file at ``path`` carries that no viewer shows (PDF, PNG, JPEG, GIF)."""
    data = path.read_bytes()
    media_type = media_type or filetypes.sniff(data[: filetypes.SNIFF_BYTES])
    other = second_format(data)
    if media_type == filetypes.PDF:
        structure = _pdf_structure(data, path) or (False, False)
        return Hidden(_pdf_after_end(data), structure[0], structure[1], other)
    if filetypes.is_image(media_type):
        from app.inspection.image_sanitize import image_end

        end = image_end(data)
        after_end = end is not None and not _padding_only(data[end:])
        return Hidden(after_end=after_end, second_format=other)
    return Hidden(second_format=other)


# -- removing it ---------------------------------------------------------------------


def removal_record(path: Path) -> Path:
    """Where what was removed from the staged copy at ``path`` is written."""
    return path.with_name(path.name + ".removed.json")


def _replace(path: Path, write: Any) -> None:
    """Replace ``path`` atomically with what ``write(temporary_path)`` writes."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".rewrite-", suffix=path.suffix)
    os.close(handle)
    try:
        write(Path(temporary))
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _rewrite_pdf(path: Path) -> bool:
    """Write the PDF again with qpdf: only the objects the current revision uses, no
    earlier revisions, nothing after the end, comments dropped and plain streams
    compressed (so no text in them reads as another format). False when qpdf cannot."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except (pikepdf.PasswordError, pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return False
    with pdf:
        if pdf.is_encrypted:
            return False

        def write(target: Path) -> None:
            pdf.save(
                target,
                compress_streams=True,
                fix_metadata_version=False,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )

        try:
            _replace(path, write)
        except (pikepdf.PdfError, ValueError, RuntimeError):
            return False
    return True


def remove_hidden(path: Path) -> tuple[str, ...]:
    """Rewrite the staged copy at ``path`` without what no viewer shows; return what
    was removed (``Hidden.kinds``; ``("rewritten",)`` when the copy changed otherwise,
    empty when it did not change), and write it beside the copy for its inspection.

    Images always lose their metadata here too. Runs in the inspect worker (qpdf and
    the image walkers parse untrusted input). What a rewrite cannot remove stays, and
    the inspection refuses the file for it.
    """
    record = removal_record(path)
    record.unlink(missing_ok=True)
    head = path.read_bytes()[: filetypes.SNIFF_BYTES]
    media_type = filetypes.sniff(head)
    if media_type is None:
        return ()
    before = find_hidden(path, media_type)
    if media_type == filetypes.PDF:
        # A PDF without hidden content stays byte for byte the file that was chosen.
        changed = bool(before) and _rewrite_pdf(path)
    else:
        from app.inspection.image_sanitize import sanitize_staged_image

        changed = sanitize_staged_image(path)  # metadata, and what follows the image's end
    if not changed:
        return ()
    after = find_hidden(path, media_type) if before else before
    removed = [kind for kind in before.kinds() if kind not in after.kinds()]
    if removed:
        # Bound to the rewritten bytes: a record beside other bytes says nothing.
        content = {"sha256": _sha256(path), "removed": removed}
        record.write_text(json.dumps(content), encoding="utf-8")
    return tuple(removed) or ("rewritten",)


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def removed_from(path: Path, sha256: str | None) -> list[str]:
    """What ``remove_hidden`` removed from the staged copy at ``path``, whose content
    has ``sha256`` (none recorded for these bytes: nothing, or never staged)."""
    try:
        content = json.loads(removal_record(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(content, dict) or content.get("sha256") != sha256 or sha256 is None:
        return []
    kinds = content.get("removed")
    if not isinstance(kinds, list):
        return []
    return [kind for kind in kinds if isinstance(kind, str) and _known(kind)]


def _known(kind: str) -> bool:
    base, _, detail = kind.partition(":")
    if base == "second_format":
        return detail in {"HTML", "ZIP", "EXE", "ELF", "Mach-O", "script"}
    return base in {"after_end", "old_revisions", "unreferenced"}


def iter_findings(hidden: Hidden, removed: list[str]) -> Iterator[tuple[str, str | None]]:
    """(code, the other format's name or None) for what was removed (information) and
    what is still there (refusals: the rewrite could not remove it)."""
    for kind in removed:
        base, _, detail = kind.partition(":")
        if base == "second_format":
            yield "file.hidden_format_removed", detail
        elif base == "after_end":
            yield "file.hidden_after_end_removed", None
        else:
            yield f"pdf.hidden_{base}_removed", None
    if hidden.after_end:
        yield "file.hidden_after_end", None
    if hidden.old_revisions:
        yield "pdf.hidden_old_revisions", None
    if hidden.unreferenced:
        yield "pdf.hidden_unreferenced", None
    if hidden.second_format:
        yield "file.polyglot", hidden.second_format
