"""A whole sign-in against oidc-provider-mock (PyPI): the system-browser flow through the
real loopback listener, driven by a robot at the mock's page; then refresh, revocation and
the end of the provider's session."""

from __future__ import annotations

import socket
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from app.identity import IdentityError, Provider, SignedIn, sign_in_attempt
from app.identity.session import KEYRING_SERVICE, keyring_entry
from tests.support.keyrings import MemoryKeyring
from tests.support.mock_idp import MOCK_WARNINGS, MockBrowser, MockIdp

pytestmark = MOCK_WARNINGS


def _refused(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def test_a_clinician_signs_in_through_the_loopback_listener(mock_provider: Provider) -> None:
    attempt = sign_in_attempt(mock_provider)
    browser = MockBrowser("anna")
    assert browser.open(attempt.url)
    tokens = attempt.wait()

    assert tokens.person.staff_id == "anna"
    assert tokens.person.name == "Anna Andersson"
    assert tokens.person.unit == "Vårdcentralen Lund"
    assert tokens.person.roles == ("sender", "reviewer")
    assert tokens.claims["nonce"] == attempt.nonce
    assert tokens.access_token and tokens.refresh_token
    # The browser was told, in Swedish, that it can go back to Bifoga.
    page = browser.pages[0]
    assert page.status_code == 200
    assert "Du kan stänga fliken och gå tillbaka till Bifoga" in page.text
    assert 'lang="sv"' in page.text
    assert page.headers["Cache-Control"] == "no-store"
    # One answer, then closed: the port takes nothing more.
    port = urlsplit(attempt.redirect_uri).port
    assert port is not None and _refused(port)


def test_the_request_is_a_pkce_code_request_to_a_loopback_address(
    mock_provider: Provider,
) -> None:
    with sign_in_attempt(mock_provider) as attempt:
        query = {k: v[0] for k, v in parse_qs(urlsplit(attempt.url).query).items()}
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43  # base64url of a SHA-256, no padding
    assert query["redirect_uri"].startswith("http://127.0.0.1:")
    assert query["redirect_uri"].endswith("/callback")
    assert query["scope"].split() == ["openid", "profile", "offline_access"]
    assert query["acr_values"] == "http://id.sambi.se/loa/loa3"
    assert len(query["state"]) >= 40 and len(query["nonce"]) >= 40
    assert "code_verifier" not in query


def test_refresh_gives_a_new_access_token_and_sign_out_revokes_the_refresh_token(
    mock_idp: MockIdp, mock_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    attempt = sign_in_attempt(mock_provider)
    MockBrowser("anna").open(attempt.url)
    tokens = attempt.wait()
    session = SignedIn.start(mock_provider, tokens, keyring=memory_keyring)
    entry = (KEYRING_SERVICE, keyring_entry(mock_provider))
    assert session.refresh_kept
    assert memory_keyring.entries[entry] == tokens.refresh_token

    first = session.access_token()
    assert first == tokens.access_token  # fresh: no refresh
    second = session.refresh(rejected=first)
    assert second != first
    # The mock does not rotate refresh tokens (tests/identity/test_session.py: one that does).
    kept = memory_keyring.entries[entry]
    assert kept == tokens.refresh_token
    assert session.person.staff_id == "anna"

    end_session = session.sign_out()
    assert [r["token"] for r in mock_idp.revoked] == [kept]
    assert mock_idp.revoked[0]["token_type_hint"] == "refresh_token"
    assert entry not in memory_keyring.entries
    assert end_session is not None
    assert end_session.startswith(mock_provider.metadata().end_session_endpoint or "?")
    assert "client_id=bifoga" in end_session
    assert tokens.id_token not in end_session  # the address goes to a browser's argv
    # The revoked token no longer works at the provider.
    refused = requests.post(
        mock_provider.metadata().token_endpoint,
        data={"grant_type": "refresh_token", "refresh_token": kept, "client_id": "bifoga"},
        timeout=10,
    )
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    with pytest.raises(IdentityError) as ended:
        session.access_token()
    assert ended.value.code == "identity.session_expired"


def test_a_denial_without_state_is_not_taken_for_this_request(mock_provider: Provider) -> None:
    # The mock's "Deny" redirects with error=access_denied but without the state (RFC
    # 6749 §4.1.2.1 wants it): an answer not bound to this request is refused as such.
    # (With the state it is a cancel: tests/identity/test_login_attempt.py.)
    attempt = sign_in_attempt(mock_provider)
    browser = MockBrowser("anna", deny=True)
    browser.open(attempt.url)
    with pytest.raises(IdentityError) as denied:
        attempt.wait()
    assert denied.value.code == "identity.state_mismatch"
    assert "Du kan stänga fliken" in browser.pages[0].text
