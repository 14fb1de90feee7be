"""Bifoga as an OpenID Connect client, the way native apps do it (RFC 8252); docs/identity.md.

Qt-free. The window runs :meth:`LoginAttempt.wait` and anything that talks to the
provider off the GUI thread; every failure is an :class:`IdentityError` with a code.
"""

from app.identity.browser import Browser, SystemBrowser
from app.identity.config import provider_settings
from app.identity.errors import CODES, IdentityError
from app.identity.flows import (
    Approval,
    approval_attempt,
    approval_from,
    sign_in_attempt,
    unlock_attempt,
)
from app.identity.login import LoginAttempt, Options
from app.identity.provider import LOA3, Metadata, Provider, ProviderSettings
from app.identity.session import SignedIn
from app.identity.tokens import Person, TokenSet

__all__ = [
    "CODES",
    "LOA3",
    "Approval",
    "Browser",
    "IdentityError",
    "LoginAttempt",
    "Metadata",
    "Options",
    "Person",
    "Provider",
    "ProviderSettings",
    "SignedIn",
    "SystemBrowser",
    "TokenSet",
    "approval_attempt",
    "approval_from",
    "provider_settings",
    "sign_in_attempt",
    "unlock_attempt",
]
