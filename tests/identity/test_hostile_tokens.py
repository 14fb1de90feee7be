"""Hostile id_tokens, each refused with ``identity.id_token_invalid``, through the whole
flow: the provider's token endpoint answers with a token minted here (joserfc, or by hand
for ``alg: none``), and the client's checks must catch it whatever a provider sends."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from joserfc.jwk import RSAKey

from app.identity import IdentityError, LoginAttempt, Options, Provider, sign_in_attempt
from app.identity.tokens import Expected, verify_id_token
from tests.support.fake_idp import FakeIdp, RedirectingBrowser

Mint = Callable[[FakeIdp, str], str]
NOW = int(time.time())

HOSTILE: dict[str, Mint] = {
    "alg none": lambda idp, nonce: idp.unsigned(idp.claims(nonce)),
    "HS256 with the provider's public key": lambda idp, nonce: idp.hmac_with_public_key(
        idp.claims(nonce)
    ),
    "wrong iss": lambda idp, nonce: idp.signed(idp.claims(nonce, iss="https://evil.example")),
    "wrong aud": lambda idp, nonce: idp.signed(idp.claims(nonce, aud="another-app", azp=None)),
    "azp another client": lambda idp, nonce: idp.signed(
        idp.claims(nonce, aud=["bifoga", "another-app"], azp="another-app")
    ),
    "several audiences, no azp": lambda idp, nonce: idp.signed(
        idp.claims(nonce, aud=["bifoga", "another-app"], azp=None)
    ),
    "expired": lambda idp, nonce: idp.signed(idp.claims(nonce, exp=NOW - 120, iat=NOW - 600)),
    "iat in the future": lambda idp, nonce: idp.signed(idp.claims(nonce, iat=NOW + 600)),
    "no iat": lambda idp, nonce: idp.signed(idp.claims(nonce, iat=None)),
    "wrong nonce": lambda idp, nonce: idp.signed(idp.claims("another-sign-off")),
    "no nonce": lambda idp, nonce: idp.signed(idp.claims(nonce, nonce=None)),
    "signed by a stranger's key, with the provider's kid": lambda idp, nonce: idp.signed(
        idp.claims(nonce), key=RSAKey.generate_key(2048, {"kid": "rsa-1"})
    ),
    "an unknown kid": lambda idp, nonce: idp.signed(
        idp.claims(nonce), key=RSAKey.generate_key(2048, {"kid": "nobody"})
    ),
    "acr too low": lambda idp, nonce: idp.signed(
        idp.claims(nonce, acr="http://id.sambi.se/loa/loa2")
    ),
    "no acr": lambda idp, nonce: idp.signed(idp.claims(nonce, acr=None)),
    "a garbled token": lambda idp, nonce: "not.a.token",
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_id_token_is_refused(
    case: str, fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    fake_idp.mint = lambda nonce: HOSTILE[case](fake_idp, nonce)
    attempt = sign_in_attempt(fake_provider)
    RedirectingBrowser().open(attempt.url)
    with pytest.raises(IdentityError) as refused:
        attempt.wait()
    assert refused.value.code == "identity.id_token_invalid", refused.value.detail


def test_a_stale_authentication_is_refused_when_a_fresh_one_was_asked(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    fake_idp.mint = lambda nonce: fake_idp.signed(fake_idp.claims(nonce, auth_time=NOW - 3600))
    attempt = LoginAttempt(fake_provider, Options(prompt="login", max_age=0))
    RedirectingBrowser().open(attempt.url)
    with pytest.raises(IdentityError) as refused:
        attempt.wait()
    assert refused.value.code == "identity.id_token_invalid"
    assert "auth_time" in refused.value.detail


@pytest.mark.parametrize(("key_name", "alg"), [("rsa", "RS256"), ("rsa", "PS256"), ("ec", "ES256")])
def test_the_three_asymmetric_algorithms_are_accepted(
    key_name: str, alg: str, fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    key = fake_idp.rsa if key_name == "rsa" else fake_idp.ec
    token = fake_idp.signed(fake_idp.claims("n"), key=key, alg=alg)
    assert verify_id_token(fake_provider, token, Expected(nonce="n"))["sub"] == "anna"


def test_a_new_key_is_fetched_once_when_the_provider_rotates(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    assert verify_id_token(fake_provider, fake_idp.signed(fake_idp.claims("n")), Expected())
    assert fake_idp.hits["/jwks"] == 1
    rotated = RSAKey.generate_key(2048, {"kid": "rsa-2"})
    fake_idp.published = [fake_idp.rsa, rotated]
    token = fake_idp.signed(fake_idp.claims("n"), key=rotated)
    assert verify_id_token(fake_provider, token, Expected(nonce="n"))["sub"] == "anna"
    assert fake_idp.hits["/jwks"] == 2
    # Known keys are not fetched again.
    verify_id_token(fake_provider, token, Expected(nonce="n"))
    assert fake_idp.hits["/jwks"] == 2


def test_a_provider_whose_discovery_names_another_issuer_is_not_used(fake_idp: FakeIdp) -> None:
    from app.identity import ProviderSettings

    with (
        Provider(ProviderSettings(fake_idp.issuer + "/other", "bifoga")) as provider,
        pytest.raises(IdentityError) as refused,
    ):
        provider.metadata()
    assert refused.value.code == "identity.provider_unreachable"


def test_plain_http_to_another_machine_is_refused() -> None:
    from app.identity import ProviderSettings

    with pytest.raises(IdentityError) as refused:
        Provider(ProviderSettings("http://idp.example", "bifoga"))
    assert refused.value.code == "identity.provider_unreachable"


def test_an_unreachable_provider_is_said_so() -> None:
    import socket

    from app.identity import ProviderSettings

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    with (
        Provider(ProviderSettings(f"http://127.0.0.1:{port}", "bifoga")) as provider,
        pytest.raises(IdentityError) as refused,
    ):
        sign_in_attempt(provider)
    assert refused.value.code == "identity.provider_unreachable"


def test_levels_of_assurance_are_ordered() -> None:
    from app.identity.tokens import acr_satisfies

    loa = "http://id.sambi.se/loa/loa"
    assert acr_satisfies(f"{loa}3", f"{loa}3") and acr_satisfies(f"{loa}4", f"{loa}3")
    assert not acr_satisfies(f"{loa}2", f"{loa}3")
    assert acr_satisfies(f"{loa}2", f"urn:other {loa}2")
    assert not acr_satisfies("urn:other", f"{loa}2") and not acr_satisfies(None, f"{loa}2")
    assert not acr_satisfies(f"{loa}x", f"{loa}2")
