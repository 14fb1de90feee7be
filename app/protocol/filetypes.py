"""What a file is, by its first bytes: the only types 1177 accepts (docs/requirements.md R3).

The name can lie (a text file renamed ``.pdf``); the content decides. This is the
cheap check done when a file is staged, before any parser sees it; the inspector in
the worker process then opens the file for real.
"""

from __future__ import annotations

from pathlib import PurePath

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"GIF87a", GIF),
    (b"GIF89a", GIF),
)

EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    GIF: (".gif",),
}

#: Enough bytes for every signature above.
SNIFF_BYTES = 8


def sniff(head: bytes) -> str | None:
    """The media type the leading bytes announce, or ``None`` for anything else."""
    for signature, media_type in _MAGIC:
        if head.startswith(signature):
            return media_type
    return None


def extension_agrees(filename: str, media_type: str) -> bool:
    return PurePath(filename).suffix.lower() in EXTENSIONS.get(media_type, ())


def is_image(media_type: str | None) -> bool:
    return media_type in (PNG, JPEG, GIF)
