"""Every code the outbox can leave on a job, or refuse a send with, has a Swedish and an
English sentence."""

from __future__ import annotations

import re
from pathlib import Path

from app.config import texts

ROOT = Path(__file__).resolve().parents[2]


def test_every_outbox_code_has_a_text_in_both_languages() -> None:
    codes: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        codes.update(re.findall(r'"(outbox\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert {"outbox.gateway_unreachable", "outbox.already_sent"} <= codes, "the scan works"
    catalogue = texts.catalogue()
    assert sorted(c for c in codes if set(catalogue.get(c, {})) != {"sv", "en"}) == []
    assert "Försök igen" in texts.message("outbox.gateway_unreachable", "sv")
