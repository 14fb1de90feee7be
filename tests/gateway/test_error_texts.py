"""Every refusal a clinician can meet from protocol 1.1 has a sentence that says what to
do, in Swedish and English, and each such code is one the gateway code really uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import texts

_REPO = Path(__file__).resolve().parents[2]
#: The sandbox gateway, and the protocol's parts it shares with the client (file names).
_GATEWAY_SOURCES = (_REPO / "sandbox", _REPO / "app" / "gateway", _REPO / "app" / "protocol")

_CODES = (
    "case_not_open",
    "case_not_awaiting_resident",
    "invalid_message_sha256",
    "invalid_filename",
    "filename_extension_mismatch",
    "filename_reserved_name",
    "filename_unsafe_character",
    "payload_too_large",
    "json_too_deep",
    "incomplete_body",
    "too_many_connections",
    "invalid_status",
    "body_required",
    "body_too_long",
)


def _source() -> str:
    files = (path for folder in _GATEWAY_SOURCES for path in sorted(folder.rglob("*.py")))
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


@pytest.mark.parametrize("code", _CODES)
def test_the_code_has_a_sentence_in_both_languages(code: str) -> None:
    assert f'"{code}"' in _source(), f"{code} is no longer a code the gateway uses"
    entry = texts.catalogue().get(f"gateway.{code}")
    assert entry is not None and set(entry) == {"sv", "en"}
    assert all(sentence.strip().endswith(".") for sentence in entry.values())
    assert entry["sv"] != entry["en"]
