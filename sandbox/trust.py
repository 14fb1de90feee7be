"""The gateway as a resource server (protocol 1.2): which identity provider it trusts, and
the checks of the two kinds of token it is shown.

- The **access token** on every ``/v1`` call (RFC 9068): a JWT of type ``at+jwt`` signed
  by the trusted issuer (the key by ``kid`` from its JWKS; RS256, PS256 or ES256 only, so
  ``none`` and HMAC are refused however the header reads), ``iss`` the issuer, ``aud``
  holding the gateway's audience, not expired, ``iat`` not in the future (60 s leeway),
  and not revoked at the built-in provider. A provider whose access tokens are opaque
  (not JWTs) is asked at its userinfo endpoint instead (docs/gateway.md).
- The **approval** of a sign-off: the colleague's id_token from a fresh authentication,
  ``aud`` Bifoga's client id, ``nonce`` the sign-off's digest, ``auth_time`` and ``iat`` at
  most 300 s old and ``acr`` at least the required level.

The staff member comes from the token's claims as Inera's IdP names them; what a provider
does not say (one that knows nothing of units or Bifoga's roles) is taken from the
sandbox's staff directory by the staff id (``employeeHsaId``, else ``sub``).
JOSE is joserfc's; nothing here verifies a signature by hand.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeGuard

import requests
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sandbox.clock import Clock
from sandbox.demo import StaffMember
from sandbox.idp.provider import CLIENT_ID, GATEWAY_AUDIENCE, LOA3
from sandbox.responses import ApiError

log = logging.getLogger("bifoga.sandbox")

#: Asymmetric signatures only: an HMAC "signed" with the public key proves nothing.
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256")
LEEWAY_S = 60
APPROVAL_MAX_AGE_S = 300
#: RFC 9068 §2.1: the access token's ``typ`` (with or without the media-type prefix).
_ACCESS_TYPES = frozenset({"at+jwt", "application/at+jwt"})
#: The Swedish levels of assurance (Sambi): the number after "loa" orders them.
_LOA = re.compile(r"^http://id\.(?:sambi|elegnamnden)\.se/loa/loa(\d)$")
_USERINFO_CACHE_S = 60
_HTTP_TIMEOUT_S = 10
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="bifoga-sandbox", error="invalid_token"'}

StaffLookup = Callable[[str], StaffMember | None]


@dataclass(frozen=True, slots=True)
class TrustSettings:
    """Whom the gateway trusts: the built-in provider when ``issuer`` is None."""

    issuer: str | None = None
    audience: str = GATEWAY_AUDIENCE
    client_id: str = CLIENT_ID
    required_acr: str | None = LOA3
    approval_max_age_s: int = APPROVAL_MAX_AGE_S


class Keys(Protocol):
    def key_set(self, *, refresh: bool = False) -> KeySet: ...


@dataclass(frozen=True, slots=True)
class Approval:
    """A checked approval: who approved, and the token's fingerprint (to use it once)."""

    staff: StaffMember
    fingerprint: str


class StaticKeys:
    """The built-in provider's own keys, in this process (no HTTP to itself)."""

    def __init__(self, key_set: KeySet) -> None:
        self._key_set = key_set

    def key_set(self, *, refresh: bool = False) -> KeySet:
        return self._key_set


class RemoteProvider:
    """Another provider's discovery, JWKS and userinfo, over HTTP (TLS verified).

    The JWKS is fetched again on an unknown ``kid`` (the provider rotated its key), at
    most once a minute, so a stream of made-up ``kid``s cannot make the gateway hammer it.
    """

    def __init__(self, issuer: str, http: requests.Session | None = None) -> None:
        self._http = http or requests.Session()
        url = f"{issuer.rstrip('/')}/.well-known/openid-configuration"
        response = self._http.get(url, timeout=_HTTP_TIMEOUT_S)
        response.raise_for_status()
        self.metadata: dict[str, Any] = response.json()
        named = self.metadata.get("issuer")
        # OIDC Discovery §4.3: the provider must name the issuer asked for (a trailing
        # slash aside); its own spelling is what its tokens' iss must then equal.
        if not isinstance(named, str) or named.rstrip("/") != issuer.rstrip("/"):
            raise ValueError(f"the provider at {url} names another issuer")
        self.issuer = named
        self._lock = threading.Lock()
        self._keys = self._fetch_keys()
        self._fetched_at = time.monotonic()
        self._userinfo: dict[str, tuple[float, dict[str, Any] | None]] = {}

    def _fetch_keys(self) -> KeySet:
        response = self._http.get(self.metadata["jwks_uri"], timeout=_HTTP_TIMEOUT_S)
        response.raise_for_status()
        return KeySet.import_key_set(response.json())

    def key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            if refresh and time.monotonic() - self._fetched_at > 60:
                try:
                    self._keys = self._fetch_keys()
                    self._fetched_at = time.monotonic()
                except (requests.RequestException, ValueError, JoseError):
                    log.warning("the provider's JWKS could not be fetched again")
            return self._keys

    def userinfo(self, token: str) -> dict[str, Any] | None:
        """The provider's answer on who holds this (opaque) access token, or None."""
        endpoint = self.metadata.get("userinfo_endpoint")
        if not endpoint:
            return None
        key = hashlib.sha256(token.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._userinfo.get(key)
            if cached is not None and now - cached[0] < _USERINFO_CACHE_S:
                return cached[1]
        try:
            response = self._http.get(
                endpoint, headers={"Authorization": f"Bearer {token}"}, timeout=_HTTP_TIMEOUT_S
            )
            claims = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError):
            claims = None
        if not isinstance(claims, dict):
            claims = None
        with self._lock:
            self._userinfo[key] = (now, claims)
        return claims

    def close(self) -> None:
        self._http.close()


class TokenChecker:
    def __init__(
        self,
        settings: TrustSettings,
        issuer: str,
        keys: Keys,
        directory: StaffLookup,
        clock: Clock,
        *,
        revoked: Callable[[str], bool] = lambda jti: False,
        userinfo: Callable[[str], dict[str, Any] | None] | None = None,
    ) -> None:
        self.settings = settings
        self.issuer = issuer
        self._keys = keys
        self._directory = directory
        self._clock = clock
        self._revoked = revoked
        self._userinfo = userinfo

    def _now(self) -> int:
        return int(self._clock().timestamp())

    # -- the access token -----------------------------------------------------------------

    def access(self, header_value: str) -> StaffMember:
        """The staff member the ``Authorization`` header's bearer token names, or 401."""
        scheme, _, token = header_value.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise _invalid("Sign in at the identity provider and send its access token.")
        if token.count(".") != 2:
            return self._opaque(token)
        try:
            header, claims = self._verified(token)
        except _Refused as refused:
            raise _invalid(refused.why) from None
        if header.get("typ", "").lower() not in _ACCESS_TYPES:
            raise _invalid("Not an access token (typ at+jwt, RFC 9068).")
        try:
            self._check_claims(claims, audience=self.settings.audience)
        except JoseError as wrong:
            raise _invalid(f"The access token is not valid here ({wrong.description}).") from None
        if isinstance(claims.get("jti"), str) and self._revoked(claims["jti"]):
            raise _invalid("The access token has been revoked.")
        return self._staff(claims)

    def _opaque(self, token: str) -> StaffMember:
        claims = self._userinfo(token) if self._userinfo is not None else None
        if claims is None:
            raise _invalid("The access token is not valid.")
        return self._staff(claims)

    # -- the approval (the colleague's id_token) ------------------------------------------

    def approval(self, token: str, digest: str) -> Approval:
        """The colleague who approved the sign-off ``digest``, or the refusal's code."""
        if not isinstance(token, str) or token.count(".") != 2:
            raise _approval_invalid("approval is the colleague's id_token.")
        try:
            header, claims = self._verified(token)
        except _Refused as refused:
            raise _approval_invalid(refused.why) from None
        if header.get("typ", "JWT").lower() in _ACCESS_TYPES:
            raise _approval_invalid("An access token is no approval; send the id_token.")
        try:
            self._check_claims(claims, audience=self.settings.client_id)
        except JoseError as wrong:
            raise _approval_invalid(f"The approval is not valid ({wrong.description}).") from None
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.settings.client_id:
            raise _approval_invalid("The approval was issued to another client (azp).")
        if claims.get("nonce") != digest:
            raise ApiError.one(
                403,
                "review_mismatch",
                "The colleague approved another sign-off (nonce is not this digest).",
                "approval",
            )
        now = self._now()
        oldest = now - self.settings.approval_max_age_s
        auth_time = claims.get("auth_time")
        if not _is_time(auth_time) or auth_time < oldest or claims["iat"] < oldest:
            raise ApiError.one(
                403,
                "approval_stale",
                "The colleague must authenticate again for this sign-off (at most "
                f"{self.settings.approval_max_age_s} s ago).",
                "approval",
            )
        if not acr_satisfies(claims.get("acr"), self.settings.required_acr):
            raise ApiError.one(
                403,
                "approval_weak",
                f"The colleague's authentication is weaker than {self.settings.required_acr}.",
                "approval",
            )
        return Approval(
            self._staff(claims, field="approval"), hashlib.sha256(token.encode()).hexdigest()
        )

    # -- shared -----------------------------------------------------------------------------

    def _verified(self, token: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """The header and claims of ``token`` once its signature is the issuer's."""
        try:
            header = dict(jws.extract_compact(token.encode("ascii")).headers())
        except (JoseError, ValueError, UnicodeError):
            raise _Refused("Not a JWT.") from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise _Refused(f"Signature algorithm {alg!r} is not accepted.")
        kid = header.get("kid")
        key_set = self._keys.key_set()
        if kid is not None and not any(k.kid == kid for k in key_set):
            key_set = self._keys.key_set(refresh=True)
        try:
            key = key_set.get_by_kid(kid)
            decoded = jwt.decode(token, key, algorithms=[str(alg)])
        except (JoseError, ValueError) as bad:
            raise _Refused(f"The signature is not the issuer's ({bad}).") from None
        return header, dict(decoded.claims)

    def _check_claims(self, claims: dict[str, Any], *, audience: str) -> None:
        """``iss`` the issuer, ``aud`` naming ``audience``, ``exp`` and ``iat`` present,
        not expired and not issued in the future (60 s leeway); else a JoseError."""
        jwt.JWTClaimsRegistry(
            now=self._now(),
            leeway=LEEWAY_S,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": True},
        ).validate(claims)

    def _staff(self, claims: dict[str, Any], field: str | None = None) -> StaffMember:
        """The staff member named by ``claims`` (Inera's names), the directory filling in
        what a provider does not say."""
        staff_id = claims.get("employeeHsaId") or claims.get("sub")
        known = self._directory(staff_id) if isinstance(staff_id, str) else None
        name = claims.get("name") or " ".join(
            str(claims[k]) for k in ("given_name", "family_name") if claims.get(k)
        )
        unit = claims.get("healthCareUnitHsaId")
        roles = claims.get("bifoga_roles")
        if known is not None:
            name = name or known.name
            unit = unit or known.unit
            roles = roles if roles is not None else list(known.roles)
        if not (
            isinstance(staff_id, str)
            and isinstance(unit, str)
            and unit
            and isinstance(roles, list)
            and all(isinstance(r, str) for r in roles)
        ):
            if field is not None:
                raise _approval_invalid("The approval names no staff member of a unit.")
            raise _invalid("The token names no staff member of a unit (employeeHsaId, unit).")
        return StaffMember(staff_id, str(name or staff_id), unit, tuple(roles))


def acr_satisfies(acr: object, required: str | None) -> bool:
    """Whether ``acr`` is at least ``required`` (Sambi's levels ordered by number;
    another value only when equal)."""
    if required is None:
        return True
    if not isinstance(acr, str):
        return False
    have, need = _LOA.match(acr), _LOA.match(required)
    if have and need:
        return int(have.group(1)) >= int(need.group(1))
    return acr == required


def with_issuer(settings: TrustSettings, issuer: str) -> TrustSettings:
    return dataclasses.replace(settings, issuer=issuer)


class _Refused(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _is_time(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _invalid(message: str) -> ApiError:
    return ApiError.one(401, "invalid_token", message, headers=_CHALLENGE)


def _approval_invalid(message: str) -> ApiError:
    return ApiError.one(401, "approval_invalid", message, "approval")
