"""The one exception of :mod:`app.identity`: a code for the window to explain, never a
sentence (resources/texts/identity.json has the Swedish and English ones)."""

from __future__ import annotations

PROVIDER_UNREACHABLE = "identity.provider_unreachable"
BROWSER_UNAVAILABLE = "identity.browser_unavailable"
CANCELLED = "identity.cancelled"
TIMED_OUT = "identity.timed_out"
STATE_MISMATCH = "identity.state_mismatch"
TOKEN_REFUSED = "identity.token_refused"
ID_TOKEN_INVALID = "identity.id_token_invalid"
KEYRING_UNAVAILABLE = "identity.keyring_unavailable"
WRONG_PERSON = "identity.wrong_person"
#: The access token ran out and no refresh token is kept (no keyring, or the provider
#: refused it): the clinician authenticates again, as at the lock.
SESSION_EXPIRED = "identity.session_expired"

CODES = (
    PROVIDER_UNREACHABLE,
    BROWSER_UNAVAILABLE,
    CANCELLED,
    TIMED_OUT,
    STATE_MISMATCH,
    TOKEN_REFUSED,
    ID_TOKEN_INVALID,
    KEYRING_UNAVAILABLE,
    WRONG_PERSON,
    SESSION_EXPIRED,
)


class IdentityError(Exception):
    """Signing in, approving or unlocking failed. ``code`` is one of :data:`CODES`;
    ``detail`` is for logs and developers (which claim, which HTTP status) and never
    holds a token."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail
