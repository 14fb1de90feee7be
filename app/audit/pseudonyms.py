"""What stands in the trail instead of a resident's identifier, and the key behind it.

A recipient is written as ``{"masked": "19121212-****", "ref": "<HMAC-SHA256 hex>"}``:
the masked form is what the window shows anyway, and the keyed hash lets someone who
holds the key confirm that one given personnummer was among the recipients, without the
trail saying so to anyone else. A plain SHA-256 would not do: there are only some tens of
millions of possible personnummer, so an unkeyed hash is reversed in seconds.

The key is 32 random bytes per installation, kept in the operating system's keyring
(service ``bifoga``, entry ``audit-trail-key``) and never beside the trail: a copy of the
trail alone reveals nothing. Losing the key loses only the ability to match a
personnummer; the chain itself uses no key, so ``bifoga audit verify`` needs none.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app import identifiers
from app.audit.records import AuditError

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

#: Returns the installation's key (32 bytes); raises AuditError("audit.key_unavailable").
KeyProvider = Callable[[], bytes]

KEYRING_SERVICE = "bifoga"
KEYRING_ENTRY = "audit-trail-key"
KEY_BYTES = 32

# A personnummer-shaped run: 6 or 8 digits, an optional separator, 4 more digits.
_ID_SHAPE = re.compile(r"(?<!\d)(\d{6}|\d{8})([-+]?)(\d{4})(?!\d)")


class KeyringKeyProvider:
    """The installation's key from ``backend`` (the OS keyring when none is given),
    created on first use.

    Anything the keyring cannot do (no backend, a locked keyring, a key that does not
    stay, a malformed entry) is :class:`AuditError` ``audit.key_unavailable`` with a
    reason; it never falls back to a key kept in a file or to an unkeyed hash.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._backend = backend

    def __call__(self) -> bytes:
        from keyring.errors import KeyringError

        try:
            backend = self._backend or _default_backend()
            stored = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
            if stored is None:
                backend.set_password(KEYRING_SERVICE, KEYRING_ENTRY, secrets.token_hex(KEY_BYTES))
                # Read it back: a keyring that forgets (the "null" backend) would otherwise
                # give every start another key, and yesterday's references would match nothing.
                stored = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
        except KeyringError as error:
            raise AuditError("audit.key_unavailable", reason=type(error).__name__) from error
        except Exception as error:  # a backend's own failure (D-Bus, the Windows API) unwrapped
            raise AuditError("audit.key_unavailable", reason=type(error).__name__) from error
        if stored is None:
            raise AuditError("audit.key_unavailable", reason="not_kept")
        try:
            key = bytes.fromhex(stored)
        except ValueError:
            key = b""
        if len(key) != KEY_BYTES:
            # Never replaced silently: the old references would stop matching.
            raise AuditError("audit.key_unavailable", reason="malformed")
        return key


def _default_backend() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


class Pseudonymiser:
    """Keyed references and masked forms, with the installation's key."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise AuditError("audit.key_unavailable", reason="too_short")
        self._key = key

    def ref(self, kind: str, value: str) -> str:
        """HMAC-SHA256 of ``kind:value``; the kind keeps a resident's and a staff id's
        references apart even when their text is the same."""
        message = f"{kind}:{value}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, "sha256").hexdigest()

    def resident(self, resident_id: str) -> dict[str, Any]:
        canonical = re.sub(r"[\s+-]", "", resident_id)
        return {"masked": identifiers.mask(canonical), "ref": self.ref("resident", canonical)}

    def guarded(self, value: str) -> str:
        """``value`` as it is, unless it holds something that is a valid personnummer or
        samordningsnummer (a staff id typed as one, a case id made from one): then its
        masked form and a keyed reference, so the trail never holds it in clear."""
        if not contains_resident_id(value):
            return value
        masked = _ID_SHAPE.sub(lambda m: f"{m.group(1)}-****", value)
        return f"{masked}#ref:{self.ref('identifier', value)}"


def contains_resident_id(text: str) -> bool:
    """Whether ``text`` holds a valid (Luhn-checked) personnummer or samordningsnummer in
    one of its written forms. Exact rather than broad, so a gateway's message id made of
    hex digits is not mistaken for one."""
    for match in _ID_SHAPE.finditer(text):
        date_part, separator, serial = match.groups()
        found = identifiers.canonical_from_parts(date_part, serial, plus=separator == "+")
        if found is not None:
            return True
    return False
