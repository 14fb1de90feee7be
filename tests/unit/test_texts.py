"""Every code the window or the send gate can show has a Swedish and an English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.config import texts

ROOT = Path(__file__).resolve().parents[2]


def _codes_in(folder: str, pattern: str) -> set[str]:
    found: set[str] = set()
    for path in (ROOT / folder).rglob("*.py"):
        found.update(re.findall(pattern, path.read_text(encoding="utf-8")))
    return found


def test_every_text_the_window_asks_for_exists_in_both_languages() -> None:
    codes = _codes_in("ui", r'\btr(?:_plain)?\(\s*"([a-z_]+\.[a-z_.]+)"')
    assert codes, "the scan found the window's texts"
    catalogue = texts.catalogue()
    missing = sorted(c for c in codes if c not in catalogue)
    assert missing == []
    incomplete = sorted(c for c in codes if set(catalogue[c]) != {"sv", "en"})
    assert incomplete == []


def test_every_send_gate_reason_and_staging_refusal_has_a_text() -> None:
    codes = _codes_in("app", r'(?:Reason|StagingError)\(\s*"([a-z_]+\.[a-z_.]+)"')
    assert "send.page_unseen" in codes and "file.empty" in codes
    assert sorted(c for c in codes if not texts.has_message(c)) == []


def test_a_missing_parameter_shows_the_placeholder_instead_of_failing() -> None:
    assert "{pages}" in texts.message("send.page_unseen", "sv", {"page": 2, "name": "a.pdf"})
    assert texts.message("no.such.code", "en") == "no.such.code"


def test_the_shipped_catalogues_load_each_code_once_in_the_catalogue_of_its_prefix() -> None:
    """Loading refuses what the test below shows; the shipped files load, and every
    ``file.*`` text (staging's refusals and the inspection's) is in ``file.json``."""
    texts.catalogue.cache_clear()
    catalogue = texts.catalogue()
    folder = ROOT / "resources" / "texts"
    assert {p.name for p in folder.glob("file*.json")} == {"file.json"}
    assert "file.too_large" in catalogue and "file.inspection_crashed" in catalogue


def test_a_code_twice_or_in_the_wrong_catalogue_is_refused_at_load() -> None:
    entry = '{"sv": "x", "en": "x"}'
    with pytest.raises(texts.CatalogueError, match="twice"):
        texts.merge_catalogues([("file.json", f'{{"file.a": {entry}, "file.a": {entry}}}')])
    with pytest.raises(texts.CatalogueError, match="another catalogue"):
        texts.merge_catalogues(
            [
                ("ui.json", f'{{"ui.preview.pane.a": {entry}}}'),
                ("ui.preview.pane.json", f'{{"ui.preview.pane.a": {entry}}}'),
            ]
        )
    with pytest.raises(texts.CatalogueError, match="prefix"):
        texts.merge_catalogues([("send.json", f'{{"gateway.unreachable": {entry}}}')])
    merged = texts.merge_catalogues(
        [
            ("ui.json", f'{{"ui.a": {entry}}}'),
            ("ui.preview.pane.json", f'{{"ui.preview.pane.b": {entry}}}'),
        ]
    )
    assert sorted(merged) == ["ui.a", "ui.preview.pane.b"]
