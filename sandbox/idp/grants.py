"""What the provider remembers between requests, in memory under one lock: the login
requests waiting for a card and PIN, the codes, the refresh-token families and the
single sign-on sessions. A restarted sandbox forgets them all (its clients sign in again;
the access tokens they hold stay good when the data dir keeps the key, signing.py).

Secrets handed out (codes, refresh tokens, session cookies) are kept as SHA-256 hashes
only, so that nothing here is a usable credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
from dataclasses import dataclass, field

#: RFC 6749 §4.1.2 recommends at most ten minutes; the contract says 60 s.
CODE_TTL = dt.timedelta(seconds=60)
#: A login page left open longer than this must be started again from Bifoga.
REQUEST_TTL = dt.timedelta(minutes=10)
#: A refresh token lasts a shift; each use rotates it.
REFRESH_TTL = dt.timedelta(hours=8)
#: Wrong PINs on one login request before it is dropped (a four-digit PIN is guessable).
MAX_PIN_FAILURES = 5


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass(slots=True)
class AuthRequest:
    """An authorization request waiting on the login page."""

    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str
    acr: str
    login_hint: str | None
    user_message: str | None
    created_at: dt.datetime
    pin_failures: int = 0


@dataclass(slots=True)
class Login:
    """Who signed in, when, and how strongly: what every token of the login carries."""

    staff_id: str
    auth_time: int
    acr: str


@dataclass(slots=True)
class Grant:
    """One authorization code and everything issued for it (revoked if it is replayed)."""

    request: AuthRequest
    login: Login
    issued_at: dt.datetime
    used: bool = False
    access_jtis: list[str] = field(default_factory=list)
    family: str | None = None


@dataclass(slots=True)
class RefreshToken:
    family: str
    client_id: str
    scope: str
    login: Login
    expires_at: dt.datetime
    current: bool = True


class Grants:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: dict[str, AuthRequest] = {}
        self._codes: dict[str, Grant] = {}
        self._refresh: dict[str, RefreshToken] = {}
        self._revoked_families: set[str] = set()
        self._revoked_jtis: set[str] = set()
        self._family_jtis: dict[str, list[str]] = {}
        self._sessions: dict[str, Login] = {}

    # -- login requests -------------------------------------------------------------------

    def add_request(self, request: AuthRequest) -> str:
        request_id = new_secret()
        with self._lock:
            self._forget_old(request.created_at)
            self._requests[request_id] = request
        return request_id

    def request(self, request_id: str, now: dt.datetime) -> AuthRequest | None:
        with self._lock:
            found = self._requests.get(request_id)
            if found is None or now - found.created_at > REQUEST_TTL:
                return None
            return found

    def count_pin_failure(self, request_id: str) -> bool:
        """Note a wrong PIN; True when the request is spent (and now forgotten)."""
        with self._lock:
            found = self._requests.get(request_id)
            if found is None:
                return True
            found.pin_failures += 1
            if found.pin_failures >= MAX_PIN_FAILURES:
                del self._requests[request_id]
                return True
            return False

    def take_request(self, request_id: str) -> AuthRequest | None:
        with self._lock:
            return self._requests.pop(request_id, None)

    # -- codes ------------------------------------------------------------------------------

    def add_code(self, grant: Grant) -> str:
        code = new_secret()
        with self._lock:
            self._codes[hashed(code)] = grant
        return code

    def redeem(self, code: str, now: dt.datetime) -> tuple[Grant | None, str]:
        """The grant for ``code``, used up at once; ``(None, why)`` if it may not be.

        A code presented a second time revokes whatever its first use issued (RFC 6749
        §4.1.2: it may have been stolen).
        """
        with self._lock:
            grant = self._codes.get(hashed(code))
            if grant is None:
                return None, "unknown"
            if grant.used:
                self._revoke_grant(grant)
                return None, "replayed"
            grant.used = True
            if now - grant.issued_at > CODE_TTL:
                return None, "expired"
            return grant, "ok"

    def _revoke_grant(self, grant: Grant) -> None:
        self._revoked_jtis.update(grant.access_jtis)
        if grant.family is not None:
            self._revoke_family(grant.family)

    def note_issued(self, grant: Grant, jti: str, family: str | None) -> None:
        with self._lock:
            grant.access_jtis.append(jti)
            grant.family = family
            if family is not None:
                self._family_jtis.setdefault(family, []).append(jti)

    # -- refresh tokens ---------------------------------------------------------------------

    def add_refresh(self, token: RefreshToken) -> str:
        value = new_secret()
        with self._lock:
            self._refresh[hashed(value)] = token
        return value

    def rotate(self, value: str, now: dt.datetime) -> RefreshToken | None:
        """The refresh token ``value`` names, now spent; None if it may not be used.

        A spent one presented again means two holders: the whole family is revoked
        (the OAuth 2.0 Security BCP, §4.14.2).
        """
        with self._lock:
            token = self._refresh.get(hashed(value))
            if token is None or token.family in self._revoked_families:
                return None
            if not token.current:
                self._revoke_family(token.family)
                return None
            token.current = False
            if now >= token.expires_at:
                return None
            return token

    def note_family_jti(self, family: str, jti: str) -> None:
        with self._lock:
            self._family_jtis.setdefault(family, []).append(jti)

    def revoke_refresh(self, value: str) -> bool:
        with self._lock:
            token = self._refresh.get(hashed(value))
            if token is None:
                return False
            self._revoke_family(token.family)
            return True

    def revoke_jti(self, jti: str) -> None:
        with self._lock:
            self._revoked_jtis.add(jti)

    def _revoke_family(self, family: str) -> None:
        self._revoked_families.add(family)
        self._revoked_jtis.update(self._family_jtis.get(family, []))

    def is_revoked(self, jti: str) -> bool:
        with self._lock:
            return jti in self._revoked_jtis

    # -- single sign-on ---------------------------------------------------------------------

    def add_session(self, login: Login) -> str:
        value = new_secret()
        with self._lock:
            self._sessions[hashed(value)] = login
        return value

    def session(self, value: str | None) -> Login | None:
        if not value:
            return None
        with self._lock:
            return self._sessions.get(hashed(value))

    def end_session(self, value: str | None) -> None:
        if value:
            with self._lock:
                self._sessions.pop(hashed(value), None)

    def _forget_old(self, now: dt.datetime) -> None:
        """Drop login requests, codes and refresh tokens nobody can use any more (called
        under the lock; a code is kept a while after its 60 s, so a late replay still
        revokes what it gave)."""
        for key in [k for k, r in self._requests.items() if now - r.created_at > REQUEST_TTL]:
            del self._requests[key]
        for key in [k for k, g in self._codes.items() if now - g.issued_at > REQUEST_TTL]:
            del self._codes[key]
        for key in [k for k, t in self._refresh.items() if now >= t.expires_at]:
            del self._refresh[key]
