"""What the provider's token endpoint gives, checked: the id_token verified (OpenID
Connect Core §3.1.3.7) with joserfc, and the staff member read from its claims, named as
Inera's IdP names them.

The id_token's signature is checked with the provider's key named by its ``kid``; only
RS256, PS256 and ES256 are accepted (``none`` and the HMAC algorithms never: a token
"signed" with the provider's public key as an HMAC secret is the classic forgery). Then
``iss``, ``aud`` (and ``azp``), ``exp``, ``iat``, ``nonce`` and, when asked for, the age
of ``auth_time`` and the ``acr``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.identity.errors import ID_TOKEN_INVALID, TOKEN_REFUSED, IdentityError
from app.identity.provider import Provider

#: Asymmetric signatures only (the contract's list).
ALLOWED_ALGORITHMS = ("RS256", "PS256", "ES256")
#: Clock skew allowed between this computer and the provider.
LEEWAY_S = 60


@dataclass(frozen=True, slots=True)
class Person:
    """Who a token is about: ``employeeHsaId`` (the staff id), the name, the unit
    (``healthCareUnitHsaId``) and Bifoga's roles (``bifoga_roles``)."""

    staff_id: str
    name: str
    unit: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TokenSet:
    """One token answer, verified. ``expires_at`` is the access token's end on the
    clock given to :func:`token_set` (``time.time`` by default)."""

    claims: Mapping[str, Any]
    id_token: str = field(repr=False)
    access_token: str = field(repr=False)
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""

    @property
    def person(self) -> Person:
        return person_from(self.claims)


def person_from(claims: Mapping[str, Any]) -> Person:
    staff_id = str(claims.get("employeeHsaId") or claims.get("sub") or "")
    name = claims.get("name") or " ".join(
        str(part) for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    roles = claims.get("bifoga_roles")
    return Person(
        staff_id=staff_id,
        name=str(name or staff_id),
        unit=str(claims.get("healthCareUnitHsaId") or ""),
        roles=tuple(str(r) for r in roles) if isinstance(roles, list) else (),
    )


@dataclass(frozen=True, slots=True)
class Expected:
    """What an id_token must say beyond the provider's own checks: the ``nonce`` sent
    (None: a refresh's token, which carries none or the first), a fresh ``auth_time``
    (``max_age`` seconds), the ``acr`` asked for, and the same ``sub`` as before."""

    nonce: str | None = None
    max_age: int | None = None
    acr: str | None = None
    sub: str | None = None


def verify_id_token(
    provider: Provider,
    raw: str,
    expected: Expected,
    *,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """The id_token's claims, or :class:`IdentityError` ``identity.id_token_invalid``
    (the detail says which check failed)."""
    from joserfc import jws, jwt
    from joserfc.errors import JoseError

    try:
        header = jws.extract_compact(raw.encode("ascii")).headers()
    except (JoseError, UnicodeError, ValueError) as bad:
        raise IdentityError(ID_TOKEN_INVALID, f"not a JWS: {type(bad).__name__}") from None
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        raise IdentityError(ID_TOKEN_INVALID, f"alg {alg!r} refused")
    kid = header.get("kid")
    key = provider.key_for(kid if isinstance(kid, str) else None)
    if key is None:
        raise IdentityError(ID_TOKEN_INVALID, "no provider key for its kid")
    try:
        claims = jwt.decode(raw, key, algorithms=[alg]).claims
        _registry(provider, expected, clock).validate(claims)
    except JoseError as bad:
        raise IdentityError(ID_TOKEN_INVALID, f"{type(bad).__name__}: {bad}") from None
    _check_beyond_registry(provider, claims, expected, clock)
    return claims


def _registry(provider: Provider, expected: Expected, clock: Callable[[], float]) -> Any:
    from joserfc.jwt import JWTClaimsRegistry

    options: dict[str, Any] = {
        "iss": {"essential": True, "value": provider.issuer},
        "sub": {"essential": True},
        "aud": {"essential": True, "value": provider.client_id},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    if expected.nonce is not None:
        options["nonce"] = {"essential": True, "value": expected.nonce}
    if expected.sub is not None:
        options["sub"] = {"essential": True, "value": expected.sub}
    return JWTClaimsRegistry(now=lambda: int(clock()), leeway=LEEWAY_S, **options)


def _check_beyond_registry(
    provider: Provider,
    claims: Mapping[str, Any],
    expected: Expected,
    clock: Callable[[], float],
) -> None:
    # Core §3.1.3.7 (4, 5): more than one audience needs azp, and azp must be us.
    aud = claims.get("aud")
    azp = claims.get("azp")
    if isinstance(aud, list) and len(aud) > 1 and azp is None:
        raise IdentityError(ID_TOKEN_INVALID, "several audiences and no azp")
    if azp is not None and azp != provider.client_id:
        raise IdentityError(ID_TOKEN_INVALID, "azp is another client")
    if expected.max_age is not None:
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or isinstance(auth_time, bool):
            raise IdentityError(ID_TOKEN_INVALID, "no auth_time")
        if auth_time + expected.max_age + LEEWAY_S < clock():
            raise IdentityError(ID_TOKEN_INVALID, "auth_time too old")
    if expected.acr is not None and not acr_satisfies(claims.get("acr"), expected.acr):
        raise IdentityError(ID_TOKEN_INVALID, "acr too low")


_SAMBI_LOA = "http://id.sambi.se/loa/loa"


def acr_satisfies(given: object, required: str) -> bool:
    """Whether ``given`` is at least one of ``required`` (``acr_values``: space-separated):
    Sambi's levels are ordered (loa3 satisfies loa2); any other value must match exactly."""
    if not isinstance(given, str):
        return False
    return any(_at_least(given, one) for one in required.split())


def _at_least(given: str, required: str) -> bool:
    if given == required:
        return True
    if given.startswith(_SAMBI_LOA) and required.startswith(_SAMBI_LOA):
        have, need = given.removeprefix(_SAMBI_LOA), required.removeprefix(_SAMBI_LOA)
        return have.isdigit() and need.isdigit() and int(have) >= int(need)
    return False


def token_set(
    provider: Provider,
    answer: Mapping[str, Any],
    expected: Expected,
    *,
    clock: Callable[[], float] = time.time,
    previous: TokenSet | None = None,
) -> TokenSet:
    """A token endpoint's answer as a :class:`TokenSet`, its id_token verified. A
    refresh's answer may lack an id_token (Core §12.2) or a new refresh token: then the
    ``previous`` ones stand."""
    access = answer.get("access_token")
    token_type = str(answer.get("token_type", "")).lower()
    if not isinstance(access, str) or not access or token_type != "bearer":
        raise IdentityError(TOKEN_REFUSED, "no bearer access token in the answer")
    raw_id = answer.get("id_token")
    if isinstance(raw_id, str) and raw_id:
        claims = verify_id_token(provider, raw_id, expected, clock=clock)
    elif previous is not None:
        raw_id, claims = previous.id_token, dict(previous.claims)
    else:
        raise IdentityError(ID_TOKEN_INVALID, "no id_token in the answer")
    lifetime = answer.get("expires_in")
    if not isinstance(lifetime, int | float) or isinstance(lifetime, bool) or lifetime <= 0:
        lifetime = 300  # RFC 6749 leaves it optional; a short guess refreshes early
    refresh = answer.get("refresh_token")
    if not isinstance(refresh, str) or not refresh:
        refresh = previous.refresh_token if previous is not None else None
    return TokenSet(
        claims=claims,
        id_token=raw_id,
        access_token=access,
        expires_at=clock() + float(lifetime),
        refresh_token=refresh,
        scope=str(answer.get("scope", "")),
    )
