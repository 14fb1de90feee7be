"""One authorization request's loopback listener and answer: state, errors, the time
limit, cancel, one answer only, and what an approval and an unlock ask of the provider."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from app.identity import (
    IdentityError,
    LoginAttempt,
    Provider,
    SignedIn,
    approval_attempt,
    approval_from,
    sign_in_attempt,
    unlock_attempt,
)
from app.identity.login import USER_MESSAGE_PARAM, Options
from tests.support.fake_idp import FakeIdp, RedirectingBrowser
from tests.support.keyrings import MemoryKeyring


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _answer(attempt: LoginAttempt, **params: str) -> requests.Response:
    """What a browser brings back to the listener."""
    return requests.get(f"{attempt.redirect_uri}?{urlencode(params)}", timeout=10)


def _refused(url: str) -> bool:
    port = urlsplit(url).port
    assert port is not None
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _code_of(attempt: LoginAttempt, **params: str) -> str:
    with pytest.raises(IdentityError) as failed:
        attempt.wait()
    return failed.value.code


def test_an_answer_with_another_state_is_refused(fake_provider: Provider) -> None:
    attempt = sign_in_attempt(fake_provider)
    page = _answer(attempt, code="c", state="someone-elses")
    assert "blev inte klar" in page.text
    assert _code_of(attempt) == "identity.state_mismatch"


def test_a_state_that_is_not_ascii_is_a_mismatch_too(fake_provider: Provider) -> None:
    attempt = sign_in_attempt(fake_provider)
    page = _answer(attempt, code="c", state="åäö")
    assert page.status_code == 200 and "blev inte klar" in page.text
    assert _code_of(attempt) == "identity.state_mismatch"


def test_access_denied_with_the_state_is_a_cancel(fake_provider: Provider) -> None:
    attempt = sign_in_attempt(fake_provider)
    _answer(attempt, error="access_denied", state=_query(attempt.url)["state"])
    assert _code_of(attempt) == "identity.cancelled"


def test_another_error_is_a_refusal(fake_provider: Provider) -> None:
    attempt = sign_in_attempt(fake_provider)
    _answer(attempt, error="login_required", state=_query(attempt.url)["state"])
    assert _code_of(attempt) == "identity.token_refused"


def test_an_answer_naming_another_issuer_is_refused(fake_provider: Provider) -> None:
    # RFC 9207: a mix-up attack sends a code from another provider.
    attempt = sign_in_attempt(fake_provider)
    _answer(attempt, code="c", state=_query(attempt.url)["state"], iss="https://evil.example")
    assert _code_of(attempt) == "identity.token_refused"


def test_no_answer_in_time_is_a_timeout_and_the_listener_closes(fake_provider: Provider) -> None:
    attempt = LoginAttempt(fake_provider, time_limit_s=0.2)
    assert _code_of(attempt) == "identity.timed_out"
    assert _refused(attempt.redirect_uri)


def test_cancel_from_another_thread_ends_the_wait(fake_provider: Provider) -> None:
    attempt = sign_in_attempt(fake_provider)
    outcome: list[str] = []
    waiting = threading.Thread(target=lambda: outcome.append(_code_of(attempt)))
    waiting.start()
    attempt.cancel()
    waiting.join()
    assert outcome == ["identity.cancelled"]
    assert _refused(attempt.redirect_uri)


def test_one_answer_only_then_the_port_is_closed(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    attempt = sign_in_attempt(fake_provider)
    # Something else on this machine asking first changes nothing.
    assert (
        requests.get(attempt.redirect_uri.replace("/callback", "/"), timeout=10).status_code == 404
    )
    browser = RedirectingBrowser()
    browser.open(attempt.url)
    tokens = attempt.wait()
    assert tokens.person.staff_id == "anna"
    assert browser.pages[0].status_code == 200
    with pytest.raises(requests.ConnectionError):
        _answer(attempt, code="again", state=_query(attempt.url)["state"])
    assert fake_idp.hits["/token"] == 1


def test_the_code_is_exchanged_with_the_verifier_of_the_challenge(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    import base64
    import hashlib

    seen: list[dict[str, str]] = []
    original = fake_provider.token_request

    def noting(form: Mapping[str, str]) -> dict[str, Any]:
        seen.append(dict(form))
        return original(form)

    fake_provider.token_request = noting  # type: ignore[method-assign]
    attempt = sign_in_attempt(fake_provider)
    RedirectingBrowser().open(attempt.url)
    attempt.wait()
    verifier = seen[0]["code_verifier"]
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    assert fake_idp.last_authorize["code_challenge"] == digest.decode()
    assert 43 <= len(verifier) <= 128
    assert seen[0]["redirect_uri"] == attempt.redirect_uri
    assert seen[0]["client_id"] == "bifoga"


def test_an_approval_is_a_fresh_authentication_bound_to_the_digest(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    digest = "ab" * 32
    attempt = approval_attempt(fake_provider, digest, "Anna skickar 2 filer till 1 invånare.")
    query = _query(attempt.url)
    assert query["prompt"] == "login"
    assert query["max_age"] == "0"
    assert query["acr_values"] == "http://id.sambi.se/loa/loa3"
    assert query["nonce"] == digest
    assert "offline_access" not in query["scope"].split()
    assert json.loads(query[USER_MESSAGE_PARAM]) == {
        "message": {"sv": "Anna skickar 2 filer till 1 invånare."},
        "mime_type": "text/plain",
    }
    fake_idp.mint = lambda nonce: fake_idp.signed(
        fake_idp.claims(nonce, sub="bertil", employeeHsaId="bertil", name="Bertil Berg")
    )
    RedirectingBrowser().open(attempt.url)
    approval = approval_from(attempt.wait())
    assert approval.person.staff_id == "bertil"
    assert approval.claims["nonce"] == digest
    assert approval.id_token.count(".") == 2
    assert "access" not in repr(approval) and approval.id_token not in repr(approval)


def test_unlock_takes_the_same_person_and_refuses_another(
    fake_idp: FakeIdp, fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    sign_in = sign_in_attempt(fake_provider)
    RedirectingBrowser().open(sign_in.url)
    session = SignedIn.start(fake_provider, sign_in.wait(), keyring=memory_keyring)

    unlock = unlock_attempt(session)
    query = _query(unlock.url)
    assert query["login_hint"] == "anna" and query["prompt"] == "login"
    assert "offline_access" not in query["scope"].split()
    RedirectingBrowser().open(unlock.url)
    session.unlock(unlock.wait())
    assert session.person.staff_id == "anna"

    fake_idp.mint = lambda nonce: fake_idp.signed(
        fake_idp.claims(nonce, sub="bertil", employeeHsaId="bertil")
    )
    other = unlock_attempt(session)
    RedirectingBrowser().open(other.url)
    with pytest.raises(IdentityError) as refused:
        session.unlock(other.wait())
    assert refused.value.code == "identity.wrong_person"
    assert session.person.staff_id == "anna" and session.signed_in


def test_options_are_what_the_request_carries(fake_provider: Provider) -> None:
    with LoginAttempt(fake_provider, Options(login_hint="cecilia", offline=False)) as attempt:
        query = _query(attempt.url)
    assert query["login_hint"] == "cecilia"
    assert query["scope"] == "openid profile"
    assert "prompt" not in query and "max_age" not in query


def test_the_address_given_to_the_browser_holds_no_secret(fake_provider: Provider) -> None:
    # It becomes a browser process's argument: the PKCE verifier must not be in it.
    with sign_in_attempt(fake_provider) as attempt:
        assert attempt._verifier not in attempt.url
        assert "code_verifier" not in attempt.url


@pytest.mark.parametrize(("opened", "expected"), [(True, True), (False, False), (None, False)])
def test_the_system_browser_says_whether_it_opened(
    monkeypatch: pytest.MonkeyPatch, opened: bool | None, expected: bool
) -> None:
    import webbrowser

    from app.identity import SystemBrowser

    asked: list[str] = []

    def fake_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        asked.append(url)
        if opened is None:
            raise webbrowser.Error("no runnable browser")
        return opened

    monkeypatch.setattr(webbrowser, "open", fake_open)
    assert SystemBrowser().open("http://127.0.0.1:1/authorize") is expected
    assert asked == ["http://127.0.0.1:1/authorize"]
