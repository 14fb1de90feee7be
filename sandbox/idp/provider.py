"""The provider's endpoints: discovery, JWKS, authorization (the login page), token,
revocation and end-session (docs/gateway.md, "The identity provider").

One public client, ``bifoga``, whose redirect URI is a loopback ``/callback`` on any port
(RFC 8252 §7.3). A request that cannot be answered to its client (an unknown client or
redirect URI) gets an error page, never a redirect; any other refusal is sent back to the
client as RFC 6749 says. PKCE S256 is required (RFC 7636); ``plain`` is refused.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import urllib.parse
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from sandbox.clock import Clock
from sandbox.demo import CARD_PINS, StaffMember
from sandbox.idp import login_page
from sandbox.idp.grants import (
    REFRESH_TTL,
    AuthRequest,
    Grant,
    Grants,
    Login,
    RefreshToken,
    new_secret,
)
from sandbox.idp.signing import ACCESS_TOKEN_TYP, ALGORITHM, Signer

log = logging.getLogger("bifoga.sandbox.idp")

CLIENT_ID = "bifoga"
GATEWAY_AUDIENCE = "bifoga-gateway"
LOA3 = "http://id.sambi.se/loa/loa3"
LOA2 = "http://id.sambi.se/loa/loa2"
#: The Swedish OIDC profile's sign message parameter (the user message extension).
USER_MESSAGE_PARAM = "https://id.oidc.se/param/userMessage"
SESSION_COOKIE = "idp_session"
PATH = "/sandbox/idp"
ID_TOKEN_TTL_S = 5 * 60
DEFAULT_ACCESS_TOKEN_TTL_S = 10 * 60
#: Every demo card is a SITHS card: level of assurance 3.
CARD_ACR = LOA3
_SCOPES = ("openid", "profile", "offline_access")
_MAX_PARAM = 2000
#: BASE64URL(SHA-256(verifier)) without padding: 43 characters (RFC 7636 §4.2).
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_SECONDS = re.compile(r"[0-9]{1,9}")
_MAX_USER_MESSAGE = 4000

CardLookup = Callable[[str], StaffMember | None]
AllCards = Callable[[], list[StaffMember]]


class _ClientError(Exception):
    """The request cannot go back to its client: the page says so instead."""


class _Refusal(Exception):
    """A refusal sent back to the client's redirect URI (RFC 6749 §4.1.2.1)."""

    def __init__(self, redirect_uri: str, error: str, description: str, state: str | None):
        super().__init__(error)
        self.redirect_uri = redirect_uri
        self.error = error
        self.description = description
        self.state = state


def is_loopback_redirect(uri: str, path: str | None = "/callback") -> bool:
    """``http://127.0.0.1:{port}/callback`` and nothing else (any port, RFC 8252 §7.3)."""
    try:
        parts = urllib.parse.urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname == "127.0.0.1"
        and port is not None
        and "@" not in parts.netloc
        and (path is None or parts.path == path)
        and not parts.query
        and not parts.fragment
    )


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def staff_claims(card: StaffMember) -> dict[str, Any]:
    """The staff member as Inera's IdP names the claims (and Bifoga's roles)."""
    given, _, family = card.name.partition(" ")
    return {
        "employeeHsaId": card.staff_id,
        "given_name": given,
        "family_name": family,
        "name": card.name,
        "healthCareUnitHsaId": card.unit,
        "bifoga_roles": list(card.roles),
    }


class IdentityProvider:
    def __init__(
        self,
        clock: Clock,
        card: CardLookup,
        cards: AllCards,
        *,
        pins: Mapping[str, str] = CARD_PINS,
        signer: Signer | None = None,
        access_token_ttl_s: int = DEFAULT_ACCESS_TOKEN_TTL_S,
    ) -> None:
        self.clock = clock
        self._card = card
        self._cards = cards
        self._pins = pins
        self.signer = signer or Signer()
        self.grants = Grants()
        self.access_token_ttl_s = access_token_ttl_s
        self.issuer = PATH  # made absolute by set_base_url once the server listens
        self._secure_cookie = False

    def set_base_url(self, base_url: str) -> None:
        self.issuer = base_url.rstrip("/") + PATH
        self._secure_cookie = base_url.startswith("https:")

    def routes(self) -> dict[tuple[str, str], Callable[[Request], Response]]:
        """(path, method) -> handler, for the sandbox's URL map."""
        return {
            (f"{PATH}/.well-known/openid-configuration", "GET"): self.discovery,
            (f"{PATH}/jwks", "GET"): self.jwks,
            (f"{PATH}/authorize", "GET"): self.authorize,
            (f"{PATH}/authorize", "POST"): self.login,
            (f"{PATH}/token", "POST"): self.token,
            (f"{PATH}/revoke", "POST"): self.revoke,
            (f"{PATH}/end-session", "GET"): self.end_session,
        }

    def is_revoked(self, jti: str) -> bool:
        """Whether an access token this provider issued has been revoked since."""
        return self.grants.is_revoked(jti)

    # -- discovery and keys -------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        issuer = self.issuer
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/authorize",
            "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks",
            "revocation_endpoint": f"{issuer}/revoke",
            "end_session_endpoint": f"{issuer}/end-session",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": [ALGORITHM],
            "token_endpoint_auth_methods_supported": ["none"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": list(_SCOPES),
            "acr_values_supported": [LOA3, LOA2],
            "prompt_values_supported": ["login", "none"],
            "claims_supported": [
                "iss",
                "sub",
                "aud",
                "azp",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "acr",
                "employeeHsaId",
                "given_name",
                "family_name",
                "name",
                "healthCareUnitHsaId",
                "bifoga_roles",
            ],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "authorization_response_iss_parameter_supported": True,
            "ui_locales_supported": ["sv"],
        }

    def discovery(self, request: Request) -> Response:
        return _json(self.metadata())

    def jwks(self, request: Request) -> Response:
        return _json(self.signer.jwks(), content_type="application/jwk-set+json")

    # -- GET /authorize -----------------------------------------------------------------

    def authorize(self, request: Request) -> Response:
        now = self.clock()
        try:
            pending, prompt, max_age = self._parse_request(request.args, now)
        except _ClientError as bad:
            return _html(login_page.error_page(str(bad)), 400)
        except _Refusal as refusal:
            return self._refused(refusal)
        session = self.grants.session(request.cookies.get(SESSION_COOKIE))
        if session is not None and self._session_suffices(session, pending, prompt, max_age):
            return self._send_code(pending, session, now)
        if prompt == "none":
            return self._refused(
                _Refusal(
                    pending.redirect_uri, "login_required", "Nobody is signed in.", pending.state
                )
            )
        request_id = self.grants.add_request(pending)
        return self._login_page(request_id, pending)

    def _parse_request(
        self, args: Any, now: dt.datetime
    ) -> tuple[AuthRequest, str | None, int | None]:
        def one(name: str) -> str | None:
            values = args.getlist(name)
            if len(values) > 1:
                raise _ClientError(f"Parametern {name} finns flera gånger.")
            value = values[0] if values else None
            if value is not None and len(value) > _MAX_PARAM:
                raise _ClientError(f"Parametern {name} är för lång.")
            return value

        client_id, redirect_uri = one("client_id"), one("redirect_uri")
        if client_id != CLIENT_ID:
            raise _ClientError("Okänd klient (client_id).")
        if redirect_uri is None or not is_loopback_redirect(redirect_uri):
            raise _ClientError("Okänd adress att skicka tillbaka till (redirect_uri).")
        state = one("state")

        def refuse(error: str, description: str) -> _Refusal:
            return _Refusal(redirect_uri, error, description, state)

        user_message_raw = one(USER_MESSAGE_PARAM)
        user_message = None
        if user_message_raw is not None:
            user_message = _user_message(user_message_raw)
            if user_message is None:
                raise refuse("invalid_request", "userMessage is not a valid sign message.")
        if one("response_type") != "code":
            raise refuse("unsupported_response_type", "Only response_type=code.")
        scope = one("scope") or ""
        scopes = scope.split()
        if "openid" not in scopes:
            raise refuse("invalid_scope", "scope must contain openid.")
        if any(s not in _SCOPES for s in scopes):
            raise refuse("invalid_scope", "Unknown scope.")
        challenge, method = one("code_challenge"), one("code_challenge_method")
        if not challenge or method != "S256":
            raise refuse("invalid_request", "PKCE with code_challenge_method=S256 is required.")
        if not _S256_CHALLENGE.fullmatch(challenge):
            raise refuse("invalid_request", "code_challenge is not an S256 challenge.")
        prompt_values = (one("prompt") or "").split()
        if "none" in prompt_values and len(prompt_values) > 1:
            raise refuse("invalid_request", "prompt=none goes alone.")
        prompt = "none" if "none" in prompt_values else "login" if prompt_values else None
        max_age_text = one("max_age")
        max_age = None
        if max_age_text is not None:
            if not _SECONDS.fullmatch(max_age_text):
                raise refuse("invalid_request", "max_age is a whole number of seconds.")
            max_age = int(max_age_text)
        acr_values = (one("acr_values") or "").split()
        if acr_values and not {LOA3, LOA2} & set(acr_values):
            raise refuse("unmet_authentication_requirements", "No card gives that acr.")
        pending = AuthRequest(
            client_id=client_id,
            redirect_uri=redirect_uri,
            scope=" ".join(dict.fromkeys(scopes)),
            state=state,
            nonce=one("nonce"),
            code_challenge=challenge,
            acr=CARD_ACR,
            login_hint=one("login_hint"),
            user_message=user_message,
            created_at=now,
        )
        return pending, prompt, max_age

    def _session_suffices(
        self, session: Login, pending: AuthRequest, prompt: str | None, max_age: int | None
    ) -> bool:
        """Single sign-on: answer at once unless a fresh login or a sign-off is asked for."""
        if prompt == "login" or pending.user_message is not None:
            return False
        if pending.login_hint and pending.login_hint != session.staff_id:
            return False
        if max_age is not None:
            age = int(self.clock().timestamp()) - session.auth_time
            if max_age == 0 or age > max_age:
                return False
        return self._card(session.staff_id) is not None

    def _login_page(
        self,
        request_id: str,
        pending: AuthRequest,
        error: str | None = None,
        status: int = 200,
        chosen: str | None = None,
    ) -> Response:
        view = login_page.LoginView(
            action=f"{self.issuer}/authorize",
            request_id=request_id,
            cards=self._cards(),
            # A wrong PIN keeps the card that was chosen: only the PIN is typed again.
            selected=chosen or pending.login_hint,
            acr=pending.acr,
            user_message=pending.user_message,
            error=error,
        )
        return _html(login_page.login_page(view), status)

    # -- POST /authorize: the card and PIN ------------------------------------------------

    def login(self, request: Request) -> Response:
        now = self.clock()
        request_id = request.form.get("request", "")
        pending = self.grants.request(request_id, now) if request_id else None
        if pending is None:
            return _html(
                login_page.error_page("Inloggningen har gått ut eller är redan gjord."), 400
            )
        if request.form.get("action") == "cancel":
            self.grants.take_request(request_id)
            return self._refused(
                _Refusal(pending.redirect_uri, "access_denied", "Cancelled.", pending.state)
            )
        staff_id = request.form.get("card", "")
        card = self._card(staff_id) if staff_id else None
        pin = request.form.get("pin", "")
        expected = self._pins.get(card.staff_id, "") if card is not None else ""
        if card is None or not expected or not hmac.compare_digest(pin.encode(), expected.encode()):
            if self.grants.count_pin_failure(request_id):
                return _html(login_page.error_page("För många felaktiga PIN-koder. Börja om."), 400)
            why = "Välj ett kort." if card is None else "Fel PIN-kod. Försök igen."
            chosen = card.staff_id if card is not None else None
            return self._login_page(request_id, pending, why, 400, chosen)
        if self.grants.take_request(request_id) is None:  # a second click, already answered
            return _html(login_page.error_page("Inloggningen är redan gjord."), 400)
        login = Login(card.staff_id, int(now.timestamp()), pending.acr)
        response = self._send_code(pending, login, now)
        response.set_cookie(
            SESSION_COOKIE,
            self.grants.add_session(login),
            path=PATH,
            httponly=True,
            samesite="Lax",
            secure=self._secure_cookie,
        )
        return response

    def _send_code(self, pending: AuthRequest, login: Login, now: dt.datetime) -> Response:
        code = self.grants.add_code(Grant(pending, login, now))
        params = {"code": code, "iss": self.issuer}
        if pending.state is not None:
            params["state"] = pending.state
        return _redirect(pending.redirect_uri, params)

    def _refused(self, refusal: _Refusal) -> Response:
        params = {
            "error": refusal.error,
            "error_description": refusal.description,
            "iss": self.issuer,
        }
        if refusal.state is not None:
            params["state"] = refusal.state
        return _redirect(refusal.redirect_uri, params)

    # -- POST /token ------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        form = request.form
        if form.get("client_id") != CLIENT_ID:
            return _oauth_error("invalid_client", "Unknown client.")
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._code_grant(form)
        if grant_type == "refresh_token":
            return self._refresh_grant(form)
        return _oauth_error("unsupported_grant_type", "authorization_code or refresh_token.")

    def _code_grant(self, form: Any) -> Response:
        code, verifier = form.get("code"), form.get("code_verifier")
        if not code:
            return _oauth_error("invalid_request", "code is missing.")
        now = self.clock()
        grant, why = self.grants.redeem(code, now)
        if grant is None:
            log.info("authorization code refused: %s", why)
            return _oauth_error("invalid_grant", f"The code is {why}.")
        if form.get("redirect_uri") != grant.request.redirect_uri:
            return _oauth_error("invalid_grant", "redirect_uri is not the request's.")
        if not verifier:
            return _oauth_error("invalid_request", "code_verifier is missing (PKCE).")
        if not hmac.compare_digest(s256(verifier), grant.request.code_challenge):
            return _oauth_error("invalid_grant", "code_verifier does not match (PKCE).")
        family = new_secret() if "offline_access" in grant.request.scope.split() else None
        answer, jti = self._issue(grant.login, grant.request.scope, grant.request.nonce, now)
        self.grants.note_issued(grant, jti, family)
        if family is not None:
            answer["refresh_token"] = self.grants.add_refresh(
                RefreshToken(family, CLIENT_ID, grant.request.scope, grant.login, now + REFRESH_TTL)
            )
        return _json(answer, no_store=True)

    def _refresh_grant(self, form: Any) -> Response:
        value = form.get("refresh_token")
        if not value:
            return _oauth_error("invalid_request", "refresh_token is missing.")
        now = self.clock()
        old = self.grants.rotate(value, now)
        if old is None:
            return _oauth_error("invalid_grant", "The refresh token is not valid.")
        if self._card(old.login.staff_id) is None:
            return _oauth_error("invalid_grant", "The account is gone.")
        answer, jti = self._issue(old.login, old.scope, None, now)
        self.grants.note_family_jti(old.family, jti)
        answer["refresh_token"] = self.grants.add_refresh(
            RefreshToken(old.family, old.client_id, old.scope, old.login, now + REFRESH_TTL)
        )
        return _json(answer, no_store=True)

    def _issue(
        self, login: Login, scope: str, nonce: str | None, now: dt.datetime
    ) -> tuple[dict[str, Any], str]:
        card = self._card(login.staff_id)
        assert card is not None
        iat = int(now.timestamp())
        common = {
            "iss": self.issuer,
            "sub": card.staff_id,
            "iat": iat,
            "auth_time": login.auth_time,
            "acr": login.acr,
            **staff_claims(card),
        }
        jti = uuid.uuid4().hex
        access = self.signer.sign(
            {
                **common,
                "aud": GATEWAY_AUDIENCE,
                "client_id": CLIENT_ID,
                "exp": iat + self.access_token_ttl_s,
                "jti": jti,
                "scope": scope,
            },
            typ=ACCESS_TOKEN_TYP,
        )
        id_claims = {**common, "aud": CLIENT_ID, "azp": CLIENT_ID, "exp": iat + ID_TOKEN_TTL_S}
        if nonce is not None:
            id_claims["nonce"] = nonce
        answer = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.access_token_ttl_s,
            "id_token": self.signer.sign(id_claims),
            "scope": scope,
        }
        return answer, jti

    # -- POST /revoke, GET /end-session -------------------------------------------------

    def revoke(self, request: Request) -> Response:
        """RFC 7009: 200 whatever the token was, so the answer tells nothing about it."""
        if request.form.get("client_id") != CLIENT_ID:
            return _oauth_error("invalid_client", "Unknown client.")
        value = request.form.get("token", "")
        if value and not self.grants.revoke_refresh(value):
            claims = self.signer.claims_of(value)
            if claims is not None and isinstance(claims.get("jti"), str):
                self.grants.revoke_jti(claims["jti"])
        return Response(status=200)

    def end_session(self, request: Request) -> Response:
        self.grants.end_session(request.cookies.get(SESSION_COOKIE))
        target = request.args.get("post_logout_redirect_uri")
        if target and is_loopback_redirect(target, path=None):
            state = request.args.get("state")
            response = _redirect(target, {"state": state} if state else {})
        else:
            response = _html(login_page.signed_out_page(), 200)
        response.delete_cookie(SESSION_COOKIE, path=PATH, httponly=True, samesite="Lax")
        return response


def _user_message(raw: str) -> str | None:
    """The Swedish text of a sign message ``{"message": {"sv": ...}, "mime_type": ...}``."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("mime_type", "text/plain") != "text/plain":
        return None
    message = value.get("message")
    if not isinstance(message, dict):
        return None
    text = message.get("sv") or message.get("en")
    if not isinstance(text, str) or not text.strip() or len(text) > _MAX_USER_MESSAGE:
        return None
    return text


def _redirect(uri: str, params: dict[str, str]) -> Response:
    separator = "&" if urllib.parse.urlsplit(uri).query else "?"
    target = uri + (separator + urllib.parse.urlencode(params) if params else "")
    response = redirect(target, 303)
    response.headers["Cache-Control"] = "no-store"
    return response


def _json(
    body: dict[str, Any], *, content_type: str = "application/json", no_store: bool = False
) -> Response:
    response = Response(json.dumps(body), content_type=content_type)
    if no_store:  # RFC 6749 §5.1
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response


def _oauth_error(error: str, description: str) -> Response:
    response = _json({"error": error, "error_description": description}, no_store=True)
    response.status_code = 400
    return response


def _html(text: str, status: int) -> Response:
    response = Response(text, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response
