"""The three authentications Bifoga asks for, each a :class:`LoginAttempt` with its own
options: the clinician's sign-in, a colleague's approval of one sign-off, and the unlock.

- Sign-in: the region's scopes (with ``offline_access``, for a refresh token) and ``acr``.
- Approval (GATEWAY.md, "Second-colleague sign-off"): a fresh authentication
  (``prompt=login``, ``max_age=0``) at the region's ``acr``, ``nonce`` = the sign-off's
  digest (the provider signs it into the id_token, binding the approval to exactly this
  message), the sign message shown at the provider, and no ``offline_access``. Only the
  colleague's id_token is kept, to be sent as ``approval``; nothing else of them.
- Unlock: a fresh authentication of the same person (``login_hint``, ``prompt=login``);
  :meth:`SignedIn.unlock` refuses another person.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.identity.login import LoginAttempt, Options
from app.identity.provider import Provider
from app.identity.session import SignedIn
from app.identity.tokens import Person, TokenSet, person_from


@dataclass(frozen=True, slots=True)
class Approval:
    """A colleague's approval: the raw id_token (for ``POST /v1/reviews``) and who they
    are (for the window to show). Their access token is dropped."""

    id_token: str = field(repr=False)
    claims: Mapping[str, Any]

    @property
    def person(self) -> Person:
        return person_from(self.claims)


def sign_in_attempt(provider: Provider, *, login_hint: str | None = None) -> LoginAttempt:
    return LoginAttempt(
        provider,
        Options(acr_values=provider.settings.acr, login_hint=login_hint, offline=True),
    )


def approval_attempt(provider: Provider, digest: str, sign_message: str) -> LoginAttempt:
    """A colleague's approval of the sign-off whose digest is ``digest``;
    ``sign_message`` is what the provider's page shows them (in Swedish)."""
    return LoginAttempt(
        provider,
        Options(
            prompt="login",
            max_age=0,
            acr_values=provider.settings.acr,
            nonce=digest,
            user_message=sign_message,
            offline=False,
        ),
    )


def approval_from(tokens: TokenSet) -> Approval:
    return Approval(id_token=tokens.id_token, claims=dict(tokens.claims))


def unlock_attempt(session: SignedIn) -> LoginAttempt:
    return LoginAttempt(
        session.provider,
        Options(
            prompt="login",
            acr_values=session.provider.settings.acr,
            login_hint=session.person.staff_id,
            offline=False,
        ),
    )
