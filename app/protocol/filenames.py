r"""Which attachment file names a gateway accepts (docs/protocol.md 1.1).

The resident's inbox offers the file under this name, and their computer decides what to
do with it by the name: ``provsvar.pdf`` must not arrive as ``setup.exe``, ``CON`` or a name
whose bidi characters show ``exe.pdf`` while it ends in ``.exe``. So a name ends in an
extension of its media type, is no reserved device name, and holds no path separator,
control, bidi or zero-width character.

The name is checked as Unicode NFKC makes it, since that is what many file systems and
programs compare (``．．／x.pdf`` is ``../x.pdf`` after NFKC), and it may hold no
character that does not show or that reads as a slash:

- every Default_Ignorable_Code_Point (zero-width characters, U+034F, variation selectors,
  the Hangul fillers U+115F, U+1160, U+3164, U+FFA0, tags...) and every control, format,
  line or paragraph separator; the standard library has no Default_Ignorable property, so
  it comes from mrab's ``regex`` (``\p{DI}``), kept to the Unicode version it ships with;
- blank-looking characters that are not ignorable: any space other than U+0020 (NFKC
  makes most of them U+0020; U+1680 stays) and U+2800 BRAILLE PATTERN BLANK, the one
  visible-width blank symbol (category So) Unicode has;
- any character written in the name whose Unicode name says it is a slash or solidus
  (U+2044, U+2215, U+29F8, the combining overlays...), other than in a letter: the Name
  property is the only one that tells a slash look-alike, and a hand list would miss the
  next one.

The same rules serve the client (``app.send.send_gate``) and the gateway
(``sandbox.messages``), and :func:`has_visible_text` tells an alternative text made only
of such characters (U+200B alone) from a real one.
"""

from __future__ import annotations

import unicodedata

import regex

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
_DEFAULT_IGNORABLE = regex.compile(r"\p{Default_Ignorable_Code_Point}")
_BRAILLE_BLANK = "\u2800"
_SLASH_WORDS = ("SOLIDUS", "SLASH")

INVALID = "invalid_filename"
UNSAFE_CHARACTER = "filename_unsafe_character"
RESERVED_NAME = "filename_reserved_name"
EXTENSION_MISMATCH = "filename_extension_mismatch"


def filename_problem(filename: object, media_type: object) -> str | None:
    """The code of what is wrong with ``filename`` for a file of ``media_type``, or None.

    ``media_type`` that is not an accepted type is left to its own check."""
    if not isinstance(filename, str) or not filename.strip() or len(filename) > MAX_FILENAME:
        return INVALID
    normal = unicodedata.normalize("NFKC", filename)
    if len(normal) > MAX_FILENAME:
        return INVALID
    # Both forms: NFKC may make a character unsafe ("／" to "/") or hide one ("\u00a0").
    # Slash look-alikes only as written: NFKC makes "½" "1⁄2" (FRACTION SLASH), a fraction.
    if any(_unsafe(c) or _slash_like(c) for c in filename) or any(map(_unsafe, normal)):
        return UNSAFE_CHARACTER
    # The rest holds for both too: one program shows the name as written, another NFKC's.
    return _name_problem(filename, media_type) or _name_problem(normal, media_type)


def _name_problem(filename: str, media_type: object) -> str | None:
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


def has_visible_text(text: object) -> bool:
    """Whether ``text`` (an alternative text) holds anything a reader sees or hears: after
    NFKC, something other than white space and the characters a file name may not hold
    for not showing (a text of U+200B alone, or of Hangul fillers, is empty)."""
    if not isinstance(text, str):
        return False
    normal = unicodedata.normalize("NFKC", text)
    return any(not c.isspace() and not _invisible(c) and not _blank(c) for c in normal)


def _unsafe(char: str) -> bool:
    return char in _FORBIDDEN or _invisible(char) or _blank(char)


def _invisible(char: str) -> bool:
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or _DEFAULT_IGNORABLE.match(char) is not None
    )


def _blank(char: str) -> bool:
    return char == _BRAILLE_BLANK or (char != " " and unicodedata.category(char) == "Zs")


def _slash_like(char: str) -> bool:
    if char.isascii() or unicodedata.category(char).startswith("L"):
        return False  # ASCII "/" and "\\" are _FORBIDDEN already; "ø" is a letter
    name = unicodedata.name(char, "")
    return any(word in name for word in _SLASH_WORDS)
