"""The signed-in clinician's session: who they are, and a bearer access token for the
gateway that is always fresh.

The access token lives in this object only (memory) and is refreshed shortly before it
expires, under a lock, so calls from several threads refresh once. The refresh token lives
in the OS keyring only (service ``bifoga``, one entry per provider and client), never in
a file, a log or a process argument; it is rotated as the provider rotates it. Sign-out
revokes it (RFC 7009), removes it from the keyring and gives the address where the
browser ends the provider's session.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from app.identity.errors import (
    KEYRING_UNAVAILABLE,
    SESSION_EXPIRED,
    TOKEN_REFUSED,
    WRONG_PERSON,
    IdentityError,
)
from app.identity.provider import Provider
from app.identity.tokens import Expected, Person, TokenSet, token_set

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger("bifoga.identity")

KEYRING_SERVICE = "bifoga"
#: Refresh this long before the access token ends (or at half its life, if shorter).
REFRESH_MARGIN_S = 60.0


def keyring_entry(provider: Provider) -> str:
    return f"refresh-token {provider.client_id}@{provider.issuer}"


class SignedIn:
    """Made with :meth:`start` from a sign-in's :class:`TokenSet`."""

    def __init__(
        self,
        provider: Provider,
        tokens: TokenSet,
        *,
        keyring: KeyringBackend | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._provider = provider
        self._keyring = keyring
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: TokenSet | None = tokens
        self._lifetime = max(1.0, tokens.expires_at - clock())
        self._person = tokens.person
        self._sub = str(tokens.claims["sub"])
        #: Whether a refresh token is kept (in the keyring): without one, the clinician
        #: authenticates again when the access token ends.
        self.refresh_kept = False

    @classmethod
    def start(
        cls,
        provider: Provider,
        tokens: TokenSet,
        *,
        keyring: KeyringBackend | None = None,
        keyring_optional: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> SignedIn:
        """The session; its refresh token stored in ``keyring`` (the OS's when None).

        A keyring that cannot keep it: the refresh token is revoked and dropped, and then
        :class:`IdentityError` ``identity.keyring_unavailable`` — or, with
        ``keyring_optional`` (the embedded sandbox on a machine without a keyring), the
        session goes on without one until its access token ends.
        """
        backend = keyring if keyring is not None else _os_keyring_or_none()
        session = cls(provider, _without_refresh(tokens), keyring=backend, clock=clock)
        if tokens.refresh_token is None:
            return session
        try:
            session._store(tokens.refresh_token)
        except IdentityError:
            provider.revoke(tokens.refresh_token)
            if not keyring_optional:
                raise
            log.warning("no keyring: the session ends with its access token")
            return session
        session.refresh_kept = True
        return session

    # -- who, and the token source ---------------------------------------------------------

    @property
    def person(self) -> Person:
        return self._person

    @property
    def provider(self) -> Provider:
        return self._provider

    @property
    def signed_in(self) -> bool:
        with self._lock:
            return self._tokens is not None

    def access_token(self) -> str:
        """A bearer token with some life left, refreshed first when it is about to end
        (the gateway client's token source). :class:`IdentityError`
        ``identity.session_expired`` when it cannot be had without the person."""
        with self._lock:
            tokens = self._current()
            margin = min(REFRESH_MARGIN_S, self._lifetime / 2)
            if tokens.expires_at - self._clock() > margin:
                return tokens.access_token
            return self._refresh_locked(tokens).access_token

    def refresh(self, rejected: str | None = None) -> str:
        """A new access token now (the gateway said ``invalid_token`` to ``rejected``);
        when another thread already replaced that one, the current one."""
        with self._lock:
            tokens = self._current()
            if rejected is not None and tokens.access_token != rejected:
                return tokens.access_token
            return self._refresh_locked(tokens).access_token

    def _current(self) -> TokenSet:
        if self._tokens is None:
            raise IdentityError(SESSION_EXPIRED, "signed out")
        return self._tokens

    def _refresh_locked(self, tokens: TokenSet) -> TokenSet:
        refresh_token = self._load() if self.refresh_kept else None
        if refresh_token is None:
            if tokens.expires_at > self._clock():
                return tokens  # not ended yet: use it to its end
            self._tokens = None
            raise IdentityError(SESSION_EXPIRED, "no refresh token kept")
        try:
            answer = self._provider.token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": self._provider.client_id,
                }
            )
            fresh = token_set(
                self._provider,
                answer,
                Expected(sub=self._sub),
                clock=self._clock,
                previous=tokens,
            )
        except IdentityError as failed:
            if failed.code != TOKEN_REFUSED:
                raise  # the provider unreachable: try again at the next call
            # Refused (expired, revoked, reused): the session is over.
            self._forget_refresh_token()
            self._tokens = None
            raise IdentityError(SESSION_EXPIRED, failed.detail) from None
        if fresh.refresh_token is not None and fresh.refresh_token != refresh_token:
            self._store(fresh.refresh_token)
        self._adopt(fresh)
        return fresh

    def _adopt(self, tokens: TokenSet) -> None:
        self._tokens = _without_refresh(tokens)
        self._lifetime = max(1.0, tokens.expires_at - self._clock())
        self._person = tokens.person

    # -- unlock and sign-out --------------------------------------------------------------

    def unlock(self, tokens: TokenSet) -> None:
        """Take a fresh authentication of the same person (the lock's): its access
        token replaces this one. Another person's: ``identity.wrong_person``, and the
        session is as it was."""
        if str(tokens.claims.get("sub")) != self._sub:
            raise IdentityError(WRONG_PERSON, "another person authenticated")
        with self._lock:
            self._adopt(tokens)

    def sign_out(self) -> str | None:
        """Revoke the refresh token, remove it from the keyring, forget the tokens; the
        address where the browser ends the provider's session (None: it has none). A
        provider that cannot be reached does not stop the sign-out here."""
        with self._lock:
            refresh_token = self._load_quietly() if self.refresh_kept else None
            if refresh_token is not None and not self._provider.revoke(refresh_token):
                log.warning("the refresh token could not be revoked at the provider")
            self._forget_refresh_token()
            self._tokens = None
        try:
            return self._provider.end_session_url(logout_hint=self._person.staff_id)
        except IdentityError:
            return None

    # -- the keyring ------------------------------------------------------------------------

    def _store(self, refresh_token: str) -> None:
        try:
            if self._keyring is None:
                raise RuntimeError("no keyring backend")
            self._keyring.set_password(
                KEYRING_SERVICE, keyring_entry(self._provider), refresh_token
            )
            kept = self._keyring.get_password(KEYRING_SERVICE, keyring_entry(self._provider))
        except Exception as failed:  # a backend's own failure (D-Bus, the Windows API)
            raise IdentityError(KEYRING_UNAVAILABLE, type(failed).__name__) from None
        if kept != refresh_token:  # a keyring that forgets (the "null" backend)
            raise IdentityError(KEYRING_UNAVAILABLE, "not kept")

    def _load(self) -> str | None:
        try:
            if self._keyring is None:
                return None
            return self._keyring.get_password(KEYRING_SERVICE, keyring_entry(self._provider))
        except Exception as failed:
            raise IdentityError(KEYRING_UNAVAILABLE, type(failed).__name__) from None

    def _load_quietly(self) -> str | None:
        try:
            return self._load()
        except IdentityError:
            return None

    def _forget_refresh_token(self) -> None:
        self.refresh_kept = False
        if self._keyring is None:
            return
        try:
            self._keyring.delete_password(KEYRING_SERVICE, keyring_entry(self._provider))
        except Exception:  # already gone, or the keyring locked: nothing more to do here
            log.info("no refresh token to remove from the keyring")


def _without_refresh(tokens: TokenSet) -> TokenSet:
    """The token set as held in memory: the refresh token is in the keyring only."""
    from dataclasses import replace

    return replace(tokens, refresh_token=None)


def _os_keyring_or_none() -> KeyringBackend | None:
    try:
        import keyring

        return keyring.get_keyring()
    except Exception:
        return None
