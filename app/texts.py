"""Sentences for people, looked up by the codes the domain returns.

The domain speaks in codes (``pdf.scanned_page``, ``send.page_unseen``); the window and
the command line turn them into Swedish (first) or English with this catalogue. Each
``resources/texts/*.json`` file maps a code to ``{"sv": ..., "en": ...}`` templates with
``{name}`` placeholders; all files are merged.
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from importlib.resources import files

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


@cache
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    folder = files("resources").joinpath("texts")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            merged.update(json.loads(entry.read_text(encoding="utf-8")))
    return merged


class _Lenient(string.Formatter):
    # A missing parameter must not turn a refusal into a crash: show the placeholder.
    def get_value(self, key: int | str, args: object, kwargs: Mapping[str, object]) -> object:
        if isinstance(key, str):
            return kwargs.get(key, "{" + key + "}")
        return super().get_value(key, args, kwargs)  # type: ignore[arg-type]


_formatter = _Lenient()


def message(
    code: str, lang: str = DEFAULT_LANGUAGE, params: Mapping[str, object] | None = None
) -> str:
    """The sentence for ``code`` in ``lang``; the code itself when no text exists."""
    entry = catalogue().get(code)
    if not entry:
        return code
    template = entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or code
    return _formatter.vformat(template, (), dict(params or {}))


def has_message(code: str) -> bool:
    return code in catalogue()
