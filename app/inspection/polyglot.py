"""A second format in the same bytes (a polyglot): what a browser, an unzipper or an
operating system would take the file for besides the picture or document it shows.

Each signature needs more than a few bytes by chance (compressed streams, photos and scans
hold every byte value), and every scan starts from fixed bytes so that a 20 MB file is
read in milliseconds. See docs/inspection.md, "Hidden content".
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

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
