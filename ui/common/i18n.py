"""The window's language: every sentence comes from the text catalogue by its code."""

from __future__ import annotations

from app.config import texts

_language = texts.DEFAULT_LANGUAGE


def set_language(language: str) -> None:
    global _language
    _language = language if language in texts.LANGUAGES else texts.DEFAULT_LANGUAGE


def language() -> str:
    return _language


def tr(code: str, **params: object) -> str:
    return texts.message(code, _language, params)


def tr_plain(code: str, **params: object) -> str:
    """A sentence without its keyboard mnemonic (``S&var`` -> ``Svar``), for labels and
    lists that show a button's words as text."""
    return strip_mnemonic(tr(code, **params))


def strip_mnemonic(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def size_text(size: int) -> str:
    """A file size as the clinician reads it: ``1,2 MB`` or ``340 kB`` (Swedish comma)."""
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB".replace(".", ",")
    return f"{max(1, round(size / 1000))} kB"


def shortened(text: str, limit: int = 40) -> str:
    """What the clinician typed, cut to a readable length where a sentence quotes it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
