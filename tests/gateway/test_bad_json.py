"""JSON that Python reads but no protocol value can be is refused with 400 and a stable
code, never 500 (issue 21): a lone surrogate escape in any text field or key, a number
past Python's 4,300-digit limit or past a float, NaN and Infinity. And bytes that are no
UTF-8 in a path or query string are read as text, not a crash."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping

import pytest

from tests.gateway.helpers import Raw, codes, reply


def _post(raw: Raw, path: str, text: str, token: str | None = None) -> tuple[int, list[str]]:
    response = raw.call(
        "POST",
        path,
        token,
        data=text.encode("utf-8"),
        headers={"Content-Type": "application/json", "Idempotency-Key": f'"{uuid.uuid4()}"'},
    )
    return response.status_code, codes(response)


def _with(template: Mapping[str, object], field: str, json_text: str) -> str:
    """``template`` as JSON text with ``field``'s value written as ``json_text``."""
    marker = "@@hostile@@"
    return json.dumps({**template, field: marker}).replace(f'"{marker}"', json_text)


_SIGN_OFF = {"approval": "x", "digest": "0" * 64}


@pytest.mark.parametrize("field", ["approval", "digest"])
@pytest.mark.parametrize(
    "surrogate", ['"\\ud800"', '"anna\\udfff"', '"\\udc00\\ud800"', '"\\ud83d x"']
)
def test_a_lone_surrogate_in_a_sign_off_is_400(
    raw: Raw, token: str, field: str, surrogate: str
) -> None:
    assert _post(raw, "/v1/reviews", _with(_SIGN_OFF, field, surrogate), token) == (
        400,
        ["invalid_unicode"],
    )


@pytest.mark.parametrize("field", ["subject", "body", "case_id", "review_id"])
def test_a_lone_surrogate_in_any_text_of_a_message_is_400(raw: Raw, token: str, field: str) -> None:
    assert _post(raw, "/v1/messages", _with(reply(), field, '"Ditt \\ud800 provsvar"'), token) == (
        400,
        ["invalid_unicode"],
    )


def test_a_lone_surrogate_deep_in_a_message_or_in_a_key_is_400(raw: Raw, token: str) -> None:
    attachment = '{"sha256": "' + "a" * 64 + '", "filename": "x\\udbff.pdf"}'
    deep = _with(reply(), "attachments", f"[{attachment}]")
    assert _post(raw, "/v1/messages", deep, token) == (400, ["invalid_unicode"])
    key = json.dumps(reply()).replace('"subject"', '"subject\\ud800"')
    assert _post(raw, "/v1/messages", key, token) == (400, ["invalid_unicode"])


def test_a_surrogate_pair_is_one_character_and_fine(raw: Raw, token: str) -> None:
    # "\ud83d\ude00" is U+1F600, one character: the message is read and sent.
    text = _with(reply(), "subject", '"Hej \\ud83d\\ude00"')
    response = raw.call(
        "POST",
        "/v1/messages",
        token,
        data=text.encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": f'"{uuid.uuid4()}"'},
    )
    assert response.status_code == 201, response.text
    stored = raw.call("GET", f"/v1/messages/{response.json()['message_id']}", token)
    assert stored.json()["subject"] == "Hej \U0001f600"


@pytest.mark.parametrize(
    "number",
    ["1" + "0" * 5000, "-" + "9" * 5000, "0." + "1" * 5000, "1" * 101, "1e999", "-1e999"],
    ids=["5000-digits", "negative-5000", "long-fraction", "101-digits", "1e999", "-1e999"],
)
def test_an_overlong_or_infinite_number_is_400(raw: Raw, token: str, number: str) -> None:
    expected = (400, ["number_out_of_range"])
    assert _post(raw, "/v1/reviews", _with(_SIGN_OFF, "approval", number), token) == expected
    assert _post(raw, "/v1/messages", _with(reply(), "subject", number), token) == expected
    assert _post(raw, "/sandbox/faults", _with({"mode": "slow"}, "count", number)) == expected


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(raw: Raw, constant: str) -> None:
    assert _post(raw, "/sandbox/faults", _with({"mode": "slow"}, "delay_s", constant)) == (
        400,
        ["invalid_json"],
    )


def test_a_number_the_protocol_can_hold_still_works(raw: Raw) -> None:
    response = raw.call(
        "POST", "/sandbox/faults", json={"mode": "slow", "count": 2, "delay_s": 1.5}
    )
    assert response.status_code == 200 and response.json()["count"] == 2


@pytest.mark.parametrize(
    "path",
    [
        "/v1/messages/%ED%A0%80",
        "/v1/messages?since=%ED%A0%80",
        "/v1/cases?status=%FF%FE",
        "/sandbox/inbox/%ED%A0%80",
        "/v1/messages?idempotency_key=%ED%A0%80",
    ],
)
def test_bytes_that_are_no_utf8_in_a_path_or_query_are_not_a_crash(
    raw: Raw, token: str, path: str
) -> None:
    response = raw.call("GET", path, token)
    assert response.status_code in (200, 404, 422), response.text
    assert response.headers["Content-Type"] == "application/json"
