"""One authorization request in the system browser (RFC 8252): Authorization Code with
PKCE (S256, RFC 7636), ``state`` and ``nonce``, the answer taken by a loopback listener,
the code exchanged and the id_token verified.

A :class:`LoginAttempt` listens from the moment it is made; its ``url`` goes to the
browser (or is shown with a copy button when none opens). ``wait()`` blocks until the
answer, a cancel or the time limit: call it off the GUI thread. Making one fetches the
provider's metadata the first time, so make it off the GUI thread as well.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.identity.errors import CANCELLED, STATE_MISMATCH, TIMED_OUT, TOKEN_REFUSED, IdentityError
from app.identity.provider import OFFLINE_ACCESS, Provider, with_query
from app.identity.tokens import Expected, TokenSet, token_set
from app.lifecycle import ClosedOnExit

if TYPE_CHECKING:
    from app.identity.loopback import LoopbackListener

#: How long the browser has to come back (the contract's five minutes).
TIME_LIMIT_S = 300.0
#: The Swedish OIDC profile's parameter for a message shown to the user at the provider.
USER_MESSAGE_PARAM = "https://id.oidc.se/param/userMessage"


@dataclass(frozen=True, slots=True)
class Options:
    """What this authentication asks of the provider, beyond the settings' scopes."""

    prompt: str | None = None
    max_age: int | None = None
    acr_values: str | None = None
    login_hint: str | None = None
    #: None: a random one. A sign-off passes its digest, binding the approval to it.
    nonce: str | None = None
    #: A text shown at the provider (a sign-off's sign message), in Swedish.
    user_message: str | None = None
    #: Ask for a refresh token (``offline_access``); never for a colleague's approval.
    offline: bool = True


def _same(given: str, expected: str) -> bool:
    # In constant time, and as bytes: compare_digest refuses a str that is not ASCII,
    # and the browser's query may hold anything.
    return secrets.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def s256_challenge(verifier: str) -> str:
    """RFC 7636 §4.2: BASE64URL(SHA256(ASCII(code_verifier))), without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class LoginAttempt(ClosedOnExit):
    def __init__(
        self,
        provider: Provider,
        options: Options | None = None,
        *,
        time_limit_s: float = TIME_LIMIT_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._provider = provider
        self.options = options or Options()
        self._clock = clock
        self._time_limit_s = time_limit_s
        self._verifier = secrets.token_urlsafe(64)  # 86 characters, within RFC 7636's 43..128
        self._state = secrets.token_urlsafe(32)
        self.nonce = self.options.nonce or secrets.token_urlsafe(32)
        self._cancelled = threading.Event()
        endpoint = provider.metadata().authorization_endpoint  # may raise: nothing to close
        # Loaded here, not with the package: http.server is a few milliseconds of the
        # sign-in window's start (BENCH startup), and no listener is needed before a login.
        from app.identity.loopback import LoopbackListener

        self._listener: LoopbackListener = LoopbackListener(
            self._looks_right, time_limit_s=time_limit_s
        )
        self.url = with_query(endpoint, self._request_params())

    @property
    def redirect_uri(self) -> str:
        return self._listener.redirect_uri

    def _request_params(self) -> dict[str, str]:
        settings = self._provider.settings
        options = self.options
        scopes = [s for s in settings.scopes if options.offline or s != OFFLINE_ACCESS]
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        params = {
            "response_type": "code",
            "client_id": settings.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(scopes),
            "state": self._state,
            "nonce": self.nonce,
            "code_challenge": s256_challenge(self._verifier),
            "code_challenge_method": "S256",
        }
        if options.prompt:
            params["prompt"] = options.prompt
        if options.max_age is not None:
            params["max_age"] = str(options.max_age)
        if options.acr_values:
            params["acr_values"] = options.acr_values
        if options.login_hint:
            params["login_hint"] = options.login_hint
        if options.user_message:
            params[USER_MESSAGE_PARAM] = json.dumps(
                {"message": {"sv": options.user_message}, "mime_type": "text/plain"},
                ensure_ascii=False,
            )
        return params

    def _looks_right(self, params: Mapping[str, str]) -> bool:
        # What the browser's page says; wait() decides for real.
        return "code" in params and _same(params.get("state", ""), self._state)

    def wait(self) -> TokenSet:
        """The verified tokens. :class:`IdentityError` with ``identity.cancelled`` (here
        or at the provider), ``identity.timed_out``, ``identity.state_mismatch``,
        ``identity.token_refused``, ``identity.id_token_invalid`` or
        ``identity.provider_unreachable``. The listener is closed when this returns."""
        try:
            params = self._listener.wait(self._time_limit_s + 1)
        finally:
            self._listener.close()
        if self._cancelled.is_set():
            raise IdentityError(CANCELLED, "cancelled in Bifoga")
        if params is None:
            raise IdentityError(TIMED_OUT, "no answer from the browser in time")
        code = self._code_from(params)
        answer = self._provider.token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.redirect_uri,
                "client_id": self._provider.client_id,
                "code_verifier": self._verifier,
            }
        )
        expected = Expected(
            nonce=self.nonce,
            max_age=self.options.max_age,
            acr=self.options.acr_values,
        )
        return token_set(self._provider, answer, expected, clock=self._clock)

    def _code_from(self, params: Mapping[str, str]) -> str:
        # The state first: an answer to some other request must not even be read.
        if not _same(params.get("state", ""), self._state):
            raise IdentityError(STATE_MISMATCH, "state differs")
        # RFC 9207: an answer naming another issuer is a mix-up attack.
        issuer = params.get("iss")
        if issuer is not None and issuer.rstrip("/") != self._provider.issuer:
            raise IdentityError(TOKEN_REFUSED, "iss in the answer is another issuer")
        error = params.get("error")
        if error == "access_denied":
            raise IdentityError(CANCELLED, "the person cancelled at the provider")
        if error:
            raise IdentityError(TOKEN_REFUSED, f"authorization error {error[:40]}")
        code = params.get("code")
        if not code:
            raise IdentityError(TOKEN_REFUSED, "no code in the answer")
        return code

    def cancel(self) -> None:
        """Give up (from any thread): ``wait()`` raises ``identity.cancelled``."""
        self._cancelled.set()
        self._listener.close()

    def close(self) -> None:
        self._listener.close()
