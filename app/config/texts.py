"""Sentences for people, looked up by the codes the domain returns.

The domain speaks in codes (``pdf.scanned_page``, ``send.page_unseen``); the window and
the command line turn them into Swedish (first) or English with this catalogue. Each
``resources/texts/*.json`` file maps a code to ``{"sv": ..., "en": ...}`` templates with
``{name}`` placeholders; all files are merged. A catalogue is named by the prefix of the
codes it holds (``file.json`` holds ``file.*``, ``ui.preview.pane.json`` ``ui.preview.pane.*``), so
a code's text is found from the code alone; a code in the wrong catalogue, or twice
(in one file or in two), is refused when the catalogue is loaded.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files

from app.config.strict_json import DuplicateKeyError, refuse_duplicate_keys

LANGUAGES = ("sv", "en")
DEFAULT_LANGUAGE = "sv"


class CatalogueError(ValueError):
    """A text catalogue that would make a code's text depend on which file wins."""


def merge_catalogues(named: Iterable[tuple[str, str]]) -> dict[str, dict[str, str]]:
    """``(file name, JSON text)`` pairs merged into one catalogue; CatalogueError for a
    code given twice or held by a catalogue its prefix does not name."""
    merged: dict[str, dict[str, str]] = {}
    for name, text in named:
        prefix = name.removesuffix(".json") + "."
        try:
            entries = json.loads(text, object_pairs_hook=refuse_duplicate_keys)
        except DuplicateKeyError as error:
            raise CatalogueError(f"{name}: {error.key!r} twice") from None
        for code, entry in entries.items():
            if not code.startswith(prefix):
                raise CatalogueError(f"{name}: {code!r} belongs in a catalogue of its prefix")
            if code in merged:
                raise CatalogueError(f"{name}: {code!r} is in another catalogue too")
            merged[code] = entry
    return merged


@cache
def catalogue() -> dict[str, dict[str, str]]:
    folder = files("resources").joinpath("texts")
    return merge_catalogues(
        (entry.name, entry.read_text(encoding="utf-8"))
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".json")
    )


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
