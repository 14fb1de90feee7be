"""No token reaches a log: the masking filter (app/runtime/logging_filter.py) replaces JWTs, bearer
tokens and OAuth credentials in messages, arguments and tracebacks, and a whole sign-in,
refresh and sign-out logs none of them."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from app.identity import IdentityError, Provider, SignedIn, sign_in_attempt
from app.runtime.logging_filter import MaskingFilter, mask_tokens
from tests.support.fake_idp import FakeIdp, RedirectingBrowser
from tests.support.keyrings import MemoryKeyring

JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6InJzYS0xIn0"
    ".eyJzdWIiOiJhbm5hIiwiYXVkIjoiYmlmb2dhIn0"
    ".c2lnbmF0dXJlLWJ5dGVzLWhlcmUtYW5kLW1vcmU"
)


@pytest.mark.parametrize(
    "line",
    [
        f"id_token {JWT} received",
        "Authorization: Bearer 3q2-7_abcDEF.ghi~jkl",
        "GET /callback?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz",
        "POST /token grant_type=refresh_token&refresh_token=tGzv3JOkF0XG5Qx2TlKWIA",
        '{"access_token": "2YotnFZFEjr1zCsicMWpAA", "token_type": "Bearer"}',
        "code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
        "{'token': 'opaque-refresh-value', 'token_type_hint': 'refresh_token'}",
    ],
)
def test_a_token_in_a_line_is_masked(line: str) -> None:
    masked = mask_tokens(line)
    for secret in (
        JWT,
        "3q2-7_abcDEF",
        "SplxlOBeZQQYbYS6WxSbIA",
        "tGzv3JOkF0XG5Qx2TlKWIA",
        "2YotnFZFEjr1zCsicMWpAA",
        "dBjftJeZ4CVP",
        "opaque-refresh-value",
    ):
        assert secret not in masked
    assert "[token]" in masked


def test_what_is_not_a_token_stays() -> None:
    line = "GET /v1/cases -> 200; state=open; 3 cases"
    assert mask_tokens(line) == line


@pytest.fixture
def captured() -> Iterator[list[str]]:
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep(level=logging.DEBUG)
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_arguments_and_tracebacks_are_masked(captured: list[str]) -> None:
    log = logging.getLogger("bifoga.test")
    log.info("sent %s with %s", "Bearer abc.def-ghi", {"refresh_token": "r-secret-1"})
    try:
        raise ValueError(f"bad token {JWT}")
    except ValueError:
        log.exception("failed")
    text = "\n".join(captured)
    assert "abc.def-ghi" not in text and "r-secret-1" not in text and JWT not in text
    assert text.count("[token]") >= 3


def test_a_whole_session_logs_no_token(
    captured: list[str], fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    fake_idp.refresh_answers.append(
        {"access_token": "access-2", "token_type": "Bearer", "expires_in": 600}
    )
    attempt = sign_in_attempt(fake_provider)
    RedirectingBrowser().open(attempt.url)  # werkzeug logs the provider's requests
    tokens = attempt.wait()
    session = SignedIn.start(fake_provider, tokens, keyring=MemoryKeyring())
    session.refresh()
    session.sign_out()
    with pytest.raises(IdentityError):
        session.access_token()
    text = "\n".join(captured)
    assert captured, "the provider's requests were logged"
    for secret in (tokens.id_token, "access-1", "access-2", "refresh-1", "the-code"):
        assert secret not in text
