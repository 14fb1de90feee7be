"""The client library against the sandbox's own provider (/sandbox/idp): a clinician signs
in with card and PIN through the real loopback listener, the session refreshes (the
provider rotates) and signs out (revoked), a colleague approves a sign-off bound to its
digest with the sign message on the page, the lock opens for the same person only, and
Avbryt at the provider is a cancel."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from app.identity import (
    IdentityError,
    Provider,
    ProviderSettings,
    SignedIn,
    approval_attempt,
    approval_from,
    sign_in_attempt,
    unlock_attempt,
)
from app.identity.session import KEYRING_SERVICE, keyring_entry
from sandbox.runner import SandboxHandle
from tests.support.idp_robot import read_login_form, robot_browser, sandbox_pins
from tests.support.keyrings import MemoryKeyring

DIGEST = "5d" * 32
SIGN_MESSAGE = "Anna Andersson skickar provsvar.pdf (2 sidor) till 1 invånare i ärende 2024-118."


@pytest.fixture
def provider(sandbox: SandboxHandle) -> Iterator[Provider]:
    with Provider(ProviderSettings(sandbox.issuer, "bifoga")) as chosen:
        yield chosen


@pytest.fixture
def pins(sandbox: SandboxHandle) -> dict[str, str]:
    return sandbox_pins(sandbox.base_url)


def _signed_in(provider: Provider, pins: dict[str, str], keyring: MemoryKeyring) -> SignedIn:
    attempt = sign_in_attempt(provider)
    browser = robot_browser("anna", pins["anna"])
    assert browser.open(attempt.url), browser.errors
    browser.close()
    return SignedIn.start(provider, attempt.wait(), keyring=keyring)


def test_a_clinician_signs_in_refreshes_and_signs_out(
    provider: Provider, pins: dict[str, str]
) -> None:
    keyring = MemoryKeyring()
    session = _signed_in(provider, pins, keyring)
    person = session.person
    assert (person.staff_id, person.name) == ("anna", "Anna Andersson")
    assert "reviewer" in person.roles and person.unit
    entry = (KEYRING_SERVICE, keyring_entry(provider))
    first_refresh = keyring.entries[entry]

    first = session.access_token()
    second = session.refresh(rejected=first)
    assert second != first
    rotated = keyring.entries[entry]
    assert rotated != first_refresh  # the sandbox rotates; the keyring keeps the new one

    end_session = session.sign_out()
    assert entry not in keyring.entries
    refused = requests.post(
        provider.metadata().token_endpoint,
        data={"grant_type": "refresh_token", "refresh_token": rotated, "client_id": "bifoga"},
        timeout=10,
    )
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert end_session is not None
    ended = requests.get(end_session, timeout=10)
    assert ended.status_code == 200 and "utloggad" in ended.text


def test_a_colleague_approves_exactly_this_sign_off(
    provider: Provider, pins: dict[str, str]
) -> None:
    attempt = approval_attempt(provider, DIGEST, SIGN_MESSAGE)
    page = requests.get(attempt.url, timeout=10)
    form = read_login_form(page.text)
    assert "Du godkänner" in page.text and SIGN_MESSAGE in page.text
    assert "Godkänn och signera" in page.text and "bertil" in form.cards
    browser = robot_browser("bertil", pins["bertil"])
    assert browser.open(attempt.url), browser.errors
    browser.close()
    approval = approval_from(attempt.wait())
    assert approval.person.staff_id == "bertil"
    assert approval.claims["nonce"] == DIGEST
    assert approval.claims["acr"] == "http://id.sambi.se/loa/loa3"
    assert time.time() - approval.claims["auth_time"] < 60


def test_the_lock_opens_for_the_same_person_only(provider: Provider, pins: dict[str, str]) -> None:
    session = _signed_in(provider, pins, MemoryKeyring())
    unlock = unlock_attempt(session)
    form = read_login_form(requests.get(unlock.url, timeout=10).text)
    assert form.cards  # prompt=login: the page, even with the provider's session
    browser = robot_browser("anna", pins["anna"])
    assert browser.open(unlock.url), browser.errors
    browser.close()
    session.unlock(unlock.wait())

    other = unlock_attempt(session)
    browser = robot_browser("bertil", pins["bertil"])
    assert browser.open(other.url), browser.errors
    browser.close()
    with pytest.raises(IdentityError) as refused:
        session.unlock(other.wait())
    assert refused.value.code == "identity.wrong_person"
    assert session.person.staff_id == "anna"
    session.sign_out()


def test_avbryt_at_the_provider_is_a_cancel(provider: Provider, pins: dict[str, str]) -> None:
    attempt = sign_in_attempt(provider)
    browser = robot_browser("anna", pins["anna"], action="cancel")
    assert browser.open(attempt.url), browser.errors
    browser.close()
    with pytest.raises(IdentityError) as cancelled:
        attempt.wait()
    assert cancelled.value.code == "identity.cancelled"
