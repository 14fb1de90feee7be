"""The window's language: every sentence comes from the text catalogue by its code."""

from __future__ import annotations

from app import texts

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
