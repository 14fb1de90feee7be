"""The region's OpenID Provider as Bifoga sees it: its metadata (discovery), its signing
keys (JWKS), and its token, revocation and end-session endpoints.

Every request has a connect and a read timeout and goes through the same session factory
as the gateway client (:func:`app.network.transport.new_session`): TLS verified against
the OS trust store. Plain HTTP is accepted on loopback only (the sandbox's provider, a
test provider). Nothing here logs a token or a form body.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.identity.errors import PROVIDER_UNREACHABLE, TOKEN_REFUSED, IdentityError
from app.lifecycle import ClosedOnExit
from app.network.transport import LazySession

if TYPE_CHECKING:
    import requests
    from joserfc.jwk import Key

log = logging.getLogger("bifoga.identity")

#: The level of assurance Swedish regions ask of staff (Sambi's LoA 3: SITHS eID).
LOA3 = "http://id.sambi.se/loa/loa3"
DEFAULT_SCOPES = ("openid", "profile", "offline_access")
#: OpenID Connect's scope for a refresh token; never asked for in a sign-off.
OFFLINE_ACCESS = "offline_access"


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """What the region names: its provider, Bifoga's client id there, the scopes asked
    for and the ``acr`` (level of assurance) a sign-off needs; ``acr=None`` asks none."""

    issuer: str
    client_id: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    acr: str | None = LOA3


@dataclass(frozen=True, slots=True)
class Metadata:
    """The parts of the provider's discovery document Bifoga uses."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    revocation_endpoint: str | None
    end_session_endpoint: str | None


class Provider(ClosedOnExit):
    """Discovery and keys are fetched once and cached (thread-safe); the keys once more
    when a token names a ``kid`` they do not hold (the provider rotated its keys)."""

    def __init__(
        self,
        settings: ProviderSettings,
        *,
        session: requests.Session | None = None,
        verify: bool | str = True,
        connect_timeout: float = 3.05,
        read_timeout: float = 15.0,
    ) -> None:
        if not _acceptable_url(settings.issuer):
            raise IdentityError(PROVIDER_UNREACHABLE, "issuer must be https (or loopback http)")
        self.settings = settings
        self._issuer = settings.issuer.rstrip("/")
        self._timeout = (connect_timeout, read_timeout)
        self._verify = verify
        self._http = LazySession(session, verify)
        self._lock = threading.Lock()
        self._metadata: Metadata | None = None
        self._keys: dict[str, Key] = {}
        self._keys_fetched = False

    @property
    def issuer(self) -> str:
        return self._issuer

    @property
    def client_id(self) -> str:
        return self.settings.client_id

    def close(self) -> None:
        self._http.close()

    # -- metadata and keys ----------------------------------------------------------------

    def metadata(self) -> Metadata:
        with self._lock:
            if self._metadata is None:
                self._metadata = self._discover()
            return self._metadata

    def key_for(self, kid: str | None) -> Key | None:
        """The provider's signing key with this ``kid`` (with none: its only key), or None.
        An unknown ``kid`` fetches the key set again, once per unknown kid."""
        with self._lock:
            found = self._lookup(kid)
            if found is None:
                self._keys = self._fetch_keys()
                self._keys_fetched = True
                found = self._lookup(kid)
            return found

    def _lookup(self, kid: str | None) -> Key | None:
        if not self._keys_fetched:
            return None
        if kid is None:
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    def _discover(self) -> Metadata:
        data = self._get_json(f"{self._issuer}/.well-known/openid-configuration")
        try:
            found = Metadata(
                issuer=str(data["issuer"]),
                authorization_endpoint=str(data["authorization_endpoint"]),
                token_endpoint=str(data["token_endpoint"]),
                jwks_uri=str(data["jwks_uri"]),
                revocation_endpoint=_optional(data.get("revocation_endpoint")),
                end_session_endpoint=_optional(data.get("end_session_endpoint")),
            )
        except KeyError as missing:
            raise IdentityError(PROVIDER_UNREACHABLE, f"discovery lacks {missing}") from None
        # OpenID Connect Discovery §4.3: the document must name the issuer asked for, or
        # another server could hand out tokens in its name.
        if found.issuer.rstrip("/") != self._issuer:
            raise IdentityError(PROVIDER_UNREACHABLE, "discovery names another issuer")
        endpoints = (found.authorization_endpoint, found.token_endpoint, found.jwks_uri)
        extra = (found.revocation_endpoint, found.end_session_endpoint)
        if not all(_acceptable_url(u) for u in (*endpoints, *(u for u in extra if u))):
            raise IdentityError(PROVIDER_UNREACHABLE, "an endpoint is not https")
        return found

    def _fetch_keys(self) -> dict[str, Key]:
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        data = self._get_json(self._unlocked_metadata().jwks_uri)
        try:
            key_set = KeySet.import_key_set(data)  # type: ignore[arg-type]
        except (JoseError, KeyError, TypeError, ValueError) as bad:
            raise IdentityError(PROVIDER_UNREACHABLE, f"JWKS: {type(bad).__name__}") from None
        # Signing keys only: a key published for encryption is never a signature's.
        return {str(key.kid): key for key in key_set if key.kid and key.get("use") != "enc"}

    def _unlocked_metadata(self) -> Metadata:
        # Called with the lock held.
        if self._metadata is None:
            self._metadata = self._discover()
        return self._metadata

    # -- endpoints --------------------------------------------------------------------------

    def token_request(self, form: Mapping[str, str]) -> dict[str, Any]:
        """POST to the token endpoint; the JSON answer, or :class:`IdentityError`
        ``identity.token_refused`` (with the RFC 6749 ``error`` as detail)."""
        response = self._request("POST", self.metadata().token_endpoint, data=dict(form))
        data = _json_object(response)
        if response.status_code != 200:
            error = data.get("error") if isinstance(data, dict) else None
            raise IdentityError(TOKEN_REFUSED, f"HTTP {response.status_code} {error or ''}")
        if data is None:
            raise IdentityError(TOKEN_REFUSED, "token answer is not a JSON object")
        return data

    def revoke(self, token: str, hint: str = "refresh_token") -> bool:
        """RFC 7009: ask the provider to forget ``token``. True when it said so (200);
        False when it has no revocation endpoint or could not be reached."""
        endpoint = self.metadata().revocation_endpoint
        if endpoint is None:
            return False
        form = {"token": token, "token_type_hint": hint, "client_id": self.client_id}
        try:
            response = self._request("POST", endpoint, data=form)
        except IdentityError:
            return False
        return response.status_code == 200

    def end_session_url(self, *, logout_hint: str | None = None) -> str | None:
        """Where the browser ends the provider's session (RP-Initiated Logout), or None
        when the provider has no such endpoint. No ``id_token_hint``: the address is given
        to the browser as a process argument, and no token goes there."""
        endpoint = self.metadata().end_session_endpoint
        if endpoint is None:
            return None
        params = {"client_id": self.client_id}
        if logout_hint:
            params["logout_hint"] = logout_hint
        return with_query(endpoint, params)

    # -- HTTP ---------------------------------------------------------------------------------

    def _get_json(self, url: str) -> dict[str, Any]:
        response = self._request("GET", url)
        data = _json_object(response)
        if response.status_code != 200 or data is None:
            raise IdentityError(PROVIDER_UNREACHABLE, f"GET answered {response.status_code}")
        return data

    def _request(
        self, method: str, url: str, *, data: Mapping[str, str] | None = None
    ) -> requests.Response:
        import requests

        try:
            response = self._http.get().request(
                method,
                url,
                data=data,
                headers={"Accept": "application/json"},
                timeout=self._timeout,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.RequestException as failed:
            raise IdentityError(PROVIDER_UNREACHABLE, type(failed).__name__) from None
        log.debug("%s %s -> %d", method, urllib.parse.urlsplit(url).path, response.status_code)
        return response


def with_query(url: str, params: Mapping[str, str]) -> str:
    """``url`` with ``params`` added to its query (kept if it has one already)."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query.extend(params.items())
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _optional(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def _acceptable_url(url: str) -> bool:
    """https anywhere; plain http only to this machine (the sandbox, a test provider)."""
    parts = urllib.parse.urlsplit(url.strip())
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    if parts.scheme != "http":
        return False
    if parts.hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
