"""A robot in place of a person at an identity provider's login page (tests only).

``robot_login`` reads the sandbox provider's login page as a browser would (the form, its
hidden request id, the card radios), picks the card, types the PIN and submits; it
returns where the provider redirects (the client's loopback ``/callback`` with the code)
without going there. ``robot_browser`` is a ``Browser`` (``open(url) -> bool``) that does
that and then follows the redirect, so a client's real loopback listener gets the code.
``sandbox_tokens`` runs the whole code flow with PKCE against the sandbox provider, reading
the redirect instead of following it, and returns the token endpoint's JSON.

Nothing here is a crypto of its own: PKCE's S256 is one SHA-256 and base64url.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import requests

#: Where the robot says the client listens: never listened on (the redirect is only read).
UNUSED_REDIRECT_URI = "http://127.0.0.1:9/callback"
DEFAULT_SCOPE = "openid profile offline_access"
USER_MESSAGE_PARAM = "https://id.oidc.se/param/userMessage"
_TIMEOUT_S = 10


class RobotError(AssertionError):
    """The login page did not let the robot through (its alert text says why)."""


class _FormReader(HTMLParser):
    """The login page's form: its action, its inputs and the alert shown, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self.cards: list[str] = []
        self.has_pin = False
        self.alert: list[str] = []
        self._in_alert = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden":
            self.hidden[a.get("name", "")] = a.get("value", "")
        elif tag == "input" and a.get("type") == "radio" and a.get("name") == "card":
            self.cards.append(a.get("value", ""))
        elif tag == "input" and a.get("name") == "pin":
            self.has_pin = True
        if a.get("role") == "alert":
            self._in_alert = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_alert = False

    def handle_data(self, data: str) -> None:
        if self._in_alert:
            self.alert.append(data)


def read_login_form(page: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(page)
    return reader


def robot_login(
    authorize_url: str,
    staff_id: str,
    pin: str,
    *,
    http: requests.Session | None = None,
    action: str = "login",
) -> str:
    """Log in as ``staff_id`` with ``pin`` (or ``action="cancel"``) on the page at
    ``authorize_url``; return the provider's redirect ``Location`` (not followed).

    With single sign-on the provider may redirect at once: that location is returned.
    Pass ``http`` to keep the provider's session cookie between logins.
    """
    session = http or requests.Session()
    try:
        page = session.get(authorize_url, allow_redirects=False, timeout=_TIMEOUT_S)
        if page.is_redirect:
            return str(page.headers["Location"])
        form = read_login_form(page.text)
        if page.status_code != 200 or form.action is None:
            raise RobotError(f"no login form ({page.status_code}): {' '.join(form.alert)}")
        if staff_id not in form.cards:
            raise RobotError(f"no card {staff_id!r} on the page (cards: {form.cards})")
        data = dict(form.hidden, card=staff_id, pin=pin, action=action)
        answer = session.post(
            urllib.parse.urljoin(page.url, form.action),
            data=data,
            allow_redirects=False,
            timeout=_TIMEOUT_S,
        )
        if not answer.is_redirect:
            again = read_login_form(answer.text)
            raise RobotError(f"not let in ({answer.status_code}): {' '.join(again.alert)}")
        return str(answer.headers["Location"])
    finally:
        if http is None:
            session.close()


@dataclass
class RobotBrowser:
    """A ``Browser`` whose ``open(url)`` logs in by robot and goes where it is sent.

    ``open`` returns once the client's listener has answered, so the listener must serve
    on its own thread (as a loopback listener does). What went wrong is kept in
    ``errors`` (and ``open`` returns False), the addresses opened in ``opened``.
    """

    staff_id: str
    pin: str
    action: str = "login"
    http: requests.Session = field(default_factory=requests.Session)
    opened: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, url: str) -> bool:
        self.opened.append(url)
        try:
            location = robot_login(url, self.staff_id, self.pin, http=self.http, action=self.action)
            self.http.get(location, timeout=_TIMEOUT_S, allow_redirects=False)
        except (requests.RequestException, RobotError) as failed:
            self.errors.append(str(failed))
            return False
        return True

    def close(self) -> None:
        self.http.close()


def robot_browser(staff_id: str, pin: str, *, action: str = "login") -> RobotBrowser:
    return RobotBrowser(staff_id, pin, action)


# -- the whole flow against the sandbox provider ----------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class Flow:
    """One authorization request a test makes: what it sent and must send again."""

    issuer: str
    url: str
    verifier: str
    state: str
    nonce: str | None
    redirect_uri: str


def start_flow(
    issuer: str,
    *,
    client_id: str = "bifoga",
    scope: str = DEFAULT_SCOPE,
    nonce: str | None = None,
    prompt: str | None = None,
    redirect_uri: str = UNUSED_REDIRECT_URI,
    user_message: str | None = None,
    **extra: str,
) -> Flow:
    """The authorization URL of a code flow with PKCE S256 (``extra``: any other
    parameter, e.g. ``max_age``, ``acr_values``, ``login_hint``)."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    nonce = nonce if nonce is not None else secrets.token_urlsafe(16)
    params: dict[str, str] = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    if prompt is not None:
        params["prompt"] = prompt
    if user_message is not None:
        params[USER_MESSAGE_PARAM] = json.dumps(
            {"message": {"sv": user_message}, "mime_type": "text/plain"}, ensure_ascii=False
        )
    url = f"{issuer}/authorize?{urllib.parse.urlencode(params)}"
    return Flow(issuer, url, verifier, state, nonce, redirect_uri)


def redirect_params(location: str) -> dict[str, str]:
    """The query of a redirect to the client (``code``, ``state``, ``iss`` or ``error``)."""
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def exchange(
    flow: Flow,
    code: str,
    *,
    verifier: str | None = "",
    client_id: str = "bifoga",
    http: requests.Session | None = None,
) -> requests.Response:
    """POST the code to the token endpoint (``verifier=None`` leaves it out; "" = the
    flow's own)."""
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow.redirect_uri,
        "client_id": client_id,
    }
    if verifier is not None:
        data["code_verifier"] = verifier or flow.verifier
    return (http or requests).post(f"{flow.issuer}/token", data=data, timeout=_TIMEOUT_S)


def sandbox_pins(base_url: str, http: requests.Session | None = None) -> dict[str, str]:
    """The demo cards' PINs, as the sandbox's start page lists them."""
    directory = (
        (http or requests)
        .get(f"{base_url}/sandbox/", headers={"Accept": "application/json"}, timeout=_TIMEOUT_S)
        .json()
    )
    return {s["staff_id"]: s["pin"] for s in directory["staff"]}


def sandbox_code(
    base_url: str,
    staff_id: str,
    *,
    pin: str | None = None,
    http: requests.Session | None = None,
    **options: Any,
) -> tuple[Flow, str]:
    """A flow against the sandbox provider logged in as ``staff_id``, and its code.
    (``http``: a session of one's own, say one trusting a test CA; its cookies are kept.)"""
    flow = start_flow(f"{base_url}/sandbox/idp", **options)
    pin = pin or sandbox_pins(base_url, http)[staff_id]
    location = robot_login(flow.url, staff_id, pin, http=http)
    params = redirect_params(location)
    if "code" not in params or params.get("state") != flow.state:
        raise RobotError(f"no code in the redirect: {params}")
    return flow, params["code"]


def sandbox_tokens(
    base_url: str,
    staff_id: str,
    *,
    scope: str = DEFAULT_SCOPE,
    nonce: str | None = None,
    prompt: str | None = None,
    pin: str | None = None,
    http: requests.Session | None = None,
    **options: str,
) -> dict[str, Any]:
    """The whole code flow with PKCE against the sandbox's provider at ``base_url`` as
    ``staff_id``; the token endpoint's JSON (``access_token``, ``id_token``, ...)."""
    flow, code = sandbox_code(
        base_url, staff_id, pin=pin, http=http, scope=scope, nonce=nonce, prompt=prompt, **options
    )
    answer = exchange(flow, code, http=http)
    if answer.status_code != 200:
        raise RobotError(f"token endpoint refused the code: {answer.text}")
    tokens: dict[str, Any] = answer.json()
    return tokens


def sandbox_approval(base_url: str, reviewer: str, digest: str) -> str:
    """``reviewer``'s id_token from a fresh authentication for the sign-off ``digest``
    (``prompt=login``, ``max_age=0``, ``nonce`` = the digest), as Bifoga asks for it."""
    tokens = sandbox_tokens(
        base_url, reviewer, scope="openid profile", nonce=digest, prompt="login", max_age="0"
    )
    return str(tokens["id_token"])
