"""Which attachment file names a gateway accepts (docs/protocol.md 1.1).

The resident's inbox offers the file under this name, and their computer decides what to
do with it by the name: ``provsvar.pdf`` must not arrive as ``setup.exe``, ``CON`` or a name
whose bidi characters show ``exe.pdf`` while it ends in ``.exe``. So a name ends in an
extension of its media type, is no reserved device name, and holds no path separator,
control, bidi or zero-width character.
"""

from __future__ import annotations

import unicodedata

MAX_FILENAME = 255

#: The extensions each accepted media type may carry (any case).
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
}

#: Windows reserves these as devices, with any extension (``CON.pdf`` too).
_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{port}{n}" for port in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")}
)
#: Path separators, and what Windows refuses in a name (":" also opens a data stream).
_FORBIDDEN = frozenset('/\\<>:"|?*')
#: Control (Cc), format (Cf: bidi controls, zero-width characters, the BOM), line and
#: paragraph separators: none of them shows, and each can make a name read as another.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})

INVALID = "invalid_filename"
UNSAFE_CHARACTER = "filename_unsafe_character"
RESERVED_NAME = "filename_reserved_name"
EXTENSION_MISMATCH = "filename_extension_mismatch"


def filename_problem(filename: object, media_type: object) -> str | None:
    """The code of what is wrong with ``filename`` for a file of ``media_type``, or None.

    ``media_type`` that is not an accepted type is left to its own check."""
    if not isinstance(filename, str) or not filename.strip() or len(filename) > MAX_FILENAME:
        return INVALID
    if any(c in _FORBIDDEN or unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in filename):
        return UNSAFE_CHARACTER
    stem = filename.split(".", 1)[0]
    # Windows ignores trailing spaces and dots: "CON .pdf" is the device too.
    if stem.rstrip(" .").upper() in _DEVICES:
        return RESERVED_NAME
    extensions = EXTENSIONS.get(media_type) if isinstance(media_type, str) else None
    if extensions is not None:
        lowered = filename.lower()
        ending = next((e for e in extensions if lowered.endswith(e)), None)
        if ending is None:
            return EXTENSION_MISMATCH
        if not filename[: -len(ending)].strip(" ."):
            return INVALID  # ".pdf", " .pdf": no name before the extension
    return None
