"""Checks on the file as bytes and name, before any parser sees it.

The content decides the type (magic bytes at offset 0, via ``app.filetypes``); the
name's extension must agree, so that the resident's device opens the file with the
right program. Names with control or direction-override characters are refused: a
name like ``faktura\u202efdp.exe`` shows as ``fakturaexe.pdf`` and hides what it is.
"""

from __future__ import annotations

import hashlib
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

from app import filetypes
from app.inspection.findings import FindingSink

_CHUNK = 1024 * 1024
#: A ZIP's end-of-central-directory record sits within the last 64 KiB + 22 bytes.
_ZIP_TAIL = 65_535 + 22

#: Characters that change how the rest of a name is shown, or are not seen at all.
_INVISIBLE = frozenset(
    [
        *(0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0xFEFF),
        *range(0x202A, 0x202F),  # LRE, RLE, PDF, LRO, RLO
        *range(0x2066, 0x206A),  # LRI, RLI, FSI, PDI
    ]
)


@dataclass(frozen=True, slots=True)
class FileBytes:
    size: int
    sha256: str
    head: bytes
    tail: bytes


def read_file(path: Path) -> FileBytes:
    """Size, SHA-256, the first bytes and the last 64 KiB, in one pass over the file."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            if not head:
                head = chunk[:16]
            digest.update(chunk)
            size += len(chunk)
            tail = (tail + chunk)[-_ZIP_TAIL:]
    return FileBytes(size, digest.hexdigest(), head, tail)


def bad_name_characters(name: str) -> list[str]:
    """The offending characters of ``name`` as ``U+XXXX``, in order of appearance."""
    bad = []
    for char in name:
        point = ord(char)
        if point in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            bad.append(f"U+{point:04X}")
    return list(dict.fromkeys(bad))


def looks_like_zip(tail: bytes) -> bool:
    """True when the file ends in a well-formed ZIP directory (a polyglot).

    Offsets are taken relative to the record rather than from its fields, because an
    appended ZIP (the usual polyglot) does not start at offset 0.
    """
    position = tail.rfind(b"PK\x05\x06")
    while position >= 0:
        record = tail[position : position + 22]
        if len(record) == 22:
            directory_size, _offset, comment_length = struct.unpack("<IIH", record[12:22])
            directory_start = position - directory_size
            if (
                directory_size > 0
                and position + 22 + comment_length <= len(tail)
                and directory_start >= 0
                and tail[directory_start : directory_start + 4] == b"PK\x01\x02"
            ):
                return True
        position = tail.rfind(b"PK\x05\x06", 0, position)
    return False


def check_file(name: str, facts: FileBytes, sink: FindingSink) -> str | None:
    """File-level findings; the media type when the content may be parsed, else ``None``."""
    limits = sink.policy.limits
    bad = bad_name_characters(name)
    if bad:
        sink.add("file.name_bad_characters", name=name, characters=" ".join(bad))
    if facts.size == 0:
        sink.add("file.empty", name=name)
        return None
    media_type = filetypes.sniff(facts.head)
    if media_type is None:
        sink.add("file.type_not_allowed", name=name)
        return None
    if not filetypes.extension_agrees(name, media_type):
        sink.add(
            "file.extension_mismatch",
            name=name,
            extension=PurePath(name).suffix or "-",
            expected=filetypes.EXTENSIONS[media_type][0],
        )
    if facts.size > limits.max_bytes:
        sink.add(
            "file.too_large",
            name=name,
            size_mb=f"{facts.size / 1024 / 1024:.1f}",
            limit_mb=f"{limits.max_bytes / 1024 / 1024:.0f}",
        )
        return None  # too large to send anyway: do not spend the worker's time on it
    if looks_like_zip(facts.tail):
        sink.add("file.polyglot", name=name)
    return media_type
