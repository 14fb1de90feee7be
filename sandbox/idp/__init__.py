"""The sandbox's own OpenID Provider under ``/sandbox/idp``: the demo stand-in for a
region's identity provider (docs/gateway.md, "The identity provider").

It is a test provider that behaves like the real one where Bifoga can tell: discovery,
JWKS, a login page (card + PIN), the code flow with PKCE, rotated refresh tokens,
revocation and end-session, and tokens with Inera's claim names. JOSE is joserfc's.
"""

from sandbox.idp.provider import IdentityProvider
from sandbox.idp.signing import Signer

__all__ = ["IdentityProvider", "Signer"]
