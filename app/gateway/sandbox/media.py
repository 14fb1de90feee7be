"""Which of the four allowed types a body is, judged by its first bytes.

The sandbox trusts neither the file name nor the Content-Type (docs/requirements.md R3): it sniffs
the magic bytes itself. The app's inspection goes much further; the gateway only needs to
refuse what is plainly not a PDF, PNG, JPEG or GIF.
"""

from __future__ import annotations

_PNG = b"\x89PNG\r\n\x1a\n"
_JPEG = b"\xff\xd8\xff"
_GIFS = (b"GIF87a", b"GIF89a")
#: PDF readers accept the header anywhere in the first KiB; so do we.
_PDF_WINDOW = 1024


def sniff_media_type(head: bytes) -> str | None:
    if head.startswith(_PNG):
        return "image/png"
    if head.startswith(_JPEG):
        return "image/jpeg"
    if head.startswith(_GIFS):
        return "image/gif"
    if b"%PDF-" in head[:_PDF_WINDOW]:
        return "application/pdf"
    return None


def is_image(media_type: str) -> bool:
    return media_type.startswith("image/")
