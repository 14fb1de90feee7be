"""Checks on the file as bytes and name, before any parser sees it.

The content decides the type (magic bytes at offset 0, via ``app.protocol.filetypes``); the
name's extension must agree, so that the resident's device opens the file with the
right program. Names with control or direction-override characters are refused: a
name like ``faktura\u202efdp.exe`` shows as ``fakturaexe.pdf`` and hides what it is.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePath

from app.inspection.findings import FindingSink
from app.protocol import filetypes
from app.storage.sealed import MAGIC, is_sealed, read_plain

_CHUNK = 1024 * 1024

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


def read_file(path: Path) -> FileBytes:
    """Size, SHA-256 and the first bytes, in one pass over the file. (Polyglots and other
    hidden content are looked for in ``app.inspection.hidden``.)

    A sealed working copy is opened (its facts are of its plain bytes); a user's own clear
    file (``bifoga inspect``) is read as it is, in chunks, however large."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with path.open("rb") as stream:
        if is_sealed(stream.read(len(MAGIC))):
            plain = read_plain(path)
            return FileBytes(len(plain), hashlib.sha256(plain).hexdigest(), plain[:16])
        stream.seek(0)
        while chunk := stream.read(_CHUNK):
            if not head:
                head = chunk[:16]
            digest.update(chunk)
            size += len(chunk)
    return FileBytes(size, digest.hexdigest(), head)


def bad_name_characters(name: str) -> list[str]:
    """The offending characters of ``name`` as ``U+XXXX``, in order of appearance."""
    bad = []
    for char in name:
        point = ord(char)
        if point in _INVISIBLE or unicodedata.category(char) in ("Cc", "Cf", "Cs"):
            bad.append(f"U+{point:04X}")
    return list(dict.fromkeys(bad))


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
    return media_type
