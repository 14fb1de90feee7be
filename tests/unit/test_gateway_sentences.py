"""Every refusal the gateway can give has a sentence that says what to do, in Swedish and
English; one without (a newer gateway's) gets a fallback that shows no raw code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.config import texts
from app.gateway.client import GatewayError
from ui.common.errors import gateway_error_text
from ui.common.i18n import set_language

SANDBOX = Path(__file__).resolve().parents[2] / "sandbox"


def gateway_codes() -> set[str]:
    """The codes the reference gateway answers with: ``ApiError.one(status, "code", ...)``
    and the ``("code", "message", field)`` problems of a 422."""
    codes: set[str] = set()
    for path in SANDBOX.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "one"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                codes.add(str(node.args[1].value))
            if isinstance(node, ast.Tuple) and len(node.elts) >= 2:
                first, second = node.elts[0], node.elts[1]
                if (
                    isinstance(first, ast.Constant)
                    and isinstance(first.value, str)
                    and isinstance(second, ast.Constant)
                    and isinstance(second.value, str)
                    and first.value.replace("_", "").isalpha()
                    and first.value.islower()
                    and "_" in first.value
                    and " " in second.value
                ):
                    codes.add(first.value)
    return codes


def test_the_scan_finds_the_gateways_codes() -> None:
    codes = gateway_codes()
    assert {"review_mismatch", "reviewer_is_sender", "alt_text_required"} <= codes
    assert len(codes) > 30


@pytest.mark.parametrize("code", sorted(gateway_codes()))
def test_every_gateway_code_has_a_sentence_in_both_languages(code: str) -> None:
    entry = texts.catalogue().get(f"gateway.{code}")
    assert entry is not None, f"gateway.{code} has no sentence"
    assert set(entry) >= {"sv", "en"} and all(entry[lang].strip() for lang in ("sv", "en"))


@pytest.mark.parametrize("status", [403, 422, 500, 503])
def test_an_unknown_code_says_what_to_do_and_shows_no_code(status: int) -> None:
    set_language("sv")
    text = gateway_error_text(GatewayError(status, ("brand_new_rule",), "x"))
    assert "brand_new_rule" not in text and str(status) not in text
    assert "Försök igen" in text or "försök igen" in text


def test_a_code_the_outbox_kept_reads_as_a_sentence() -> None:
    from ui.common.errors import code_text

    set_language("sv")
    assert code_text("review_expired") == texts.message("gateway.review_expired", "sv")
    assert code_text("outbox.gateway_unreachable").startswith("Meddelandet kunde inte")
    assert "brand_new" not in code_text("brand_new_rule")
