"""The signed-in session: the access token in memory, refreshed before it ends (once, from
many threads), the refresh token in the keyring only and rotated there, a locked keyring,
a refused refresh, and sign-out."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from app.identity import IdentityError, Provider, SignedIn, TokenSet, sign_in_attempt
from app.identity.session import KEYRING_SERVICE, keyring_entry
from tests.support.fake_idp import FakeIdp, RedirectingBrowser
from tests.support.keyrings import LockedKeyring, MemoryKeyring


class Clock:
    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _tokens(provider: Provider, clock: Clock | None = None) -> TokenSet:
    attempt = sign_in_attempt(provider)
    if clock is not None:
        attempt._clock = clock  # the access token's end on the test's clock
    RedirectingBrowser().open(attempt.url)
    return attempt.wait()


def _refresh_answer(idp: FakeIdp, n: int, **extra: Any) -> dict[str, Any]:
    return {"access_token": f"access-{n}", "token_type": "Bearer", "expires_in": 600, **extra}


def test_the_access_token_is_refreshed_shortly_before_it_ends_and_the_rotation_kept(
    fake_idp: FakeIdp, fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    clock = Clock()
    session = SignedIn.start(
        fake_provider, _tokens(fake_provider, clock), keyring=memory_keyring, clock=clock
    )
    entry = (KEYRING_SERVICE, keyring_entry(fake_provider))
    assert memory_keyring.entries[entry] == "refresh-1"
    assert session.access_token() == "access-1"

    fake_idp.refresh_answers.append(_refresh_answer(fake_idp, 2, refresh_token="refresh-2"))
    clock.now += 600 - 30  # 30 s left: within the margin
    assert session.access_token() == "access-2"
    assert memory_keyring.entries[entry] == "refresh-2"
    assert fake_idp.hits["/token"] == 2


def test_many_threads_at_the_end_of_a_token_refresh_it_once(
    fake_idp: FakeIdp, fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    clock = Clock()
    session = SignedIn.start(
        fake_provider, _tokens(fake_provider, clock), keyring=memory_keyring, clock=clock
    )
    fake_idp.refresh_answers.append(_refresh_answer(fake_idp, 2))
    clock.now += 600
    got: list[str] = []
    threads = [
        threading.Thread(target=lambda: got.append(session.access_token())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert got == ["access-2"] * 8
    assert fake_idp.hits["/token"] == 2  # the code once, the refresh once
    # A call that the gateway refused with the old token does not refresh again.
    assert session.refresh(rejected="access-1") == "access-2"
    assert fake_idp.hits["/token"] == 2


def test_a_refused_refresh_ends_the_session_and_empties_the_keyring(
    fake_idp: FakeIdp, fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    session = SignedIn.start(fake_provider, _tokens(fake_provider), keyring=memory_keyring)
    fake_idp.refresh_answers.append({"error": "invalid_grant"})  # a 200 without a token
    with pytest.raises(IdentityError) as ended:
        session.refresh()
    assert ended.value.code == "identity.session_expired"
    assert memory_keyring.entries == {}
    assert not session.signed_in


def test_a_locked_keyring_is_said_so_and_the_refresh_token_revoked(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    with pytest.raises(IdentityError) as locked:
        SignedIn.start(fake_provider, _tokens(fake_provider), keyring=LockedKeyring())
    assert locked.value.code == "identity.keyring_unavailable"
    assert fake_idp.hits["/revoke"] == 1


def test_without_a_keyring_the_sandbox_session_lasts_as_long_as_its_access_token(
    fake_idp: FakeIdp, fake_provider: Provider
) -> None:
    clock = Clock()
    session = SignedIn.start(
        fake_provider,
        _tokens(fake_provider, clock),
        keyring=LockedKeyring(),
        keyring_optional=True,
        clock=clock,
    )
    assert not session.refresh_kept
    assert fake_idp.hits["/revoke"] == 1  # not kept, so not left valid either
    clock.now += 590
    assert session.access_token() == "access-1"  # near its end, but no way to refresh
    clock.now += 20
    with pytest.raises(IdentityError) as ended:
        session.access_token()
    assert ended.value.code == "identity.session_expired"
    assert fake_idp.hits["/token"] == 1


def test_the_refresh_token_is_in_the_keyring_only(
    fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    tokens = _tokens(fake_provider)
    session = SignedIn.start(fake_provider, tokens, keyring=memory_keyring)
    assert tokens.refresh_token == "refresh-1"
    held = vars(session) if hasattr(session, "__dict__") else {}
    assert "refresh-1" not in repr(held)
    assert "access-1" not in repr(tokens) and tokens.id_token not in repr(tokens)


def test_sign_out_revokes_forgets_and_gives_the_end_session_address(
    fake_idp: FakeIdp, fake_provider: Provider, memory_keyring: MemoryKeyring
) -> None:
    session = SignedIn.start(fake_provider, _tokens(fake_provider), keyring=memory_keyring)
    url = session.sign_out()
    assert url == f"{fake_idp.issuer}/end-session?client_id=bifoga&logout_hint=anna"
    assert fake_idp.hits["/revoke"] == 1
    assert memory_keyring.entries == {}
    with pytest.raises(IdentityError):
        session.access_token()
