"""What stands in the trail instead of a resident's identifier, and the key behind it.

A recipient is written as ``{"ref": "<HMAC-SHA256 hex>"}`` only: the keyed hash lets
someone who holds the key confirm that one given personnummer was among the recipients,
without the trail saying so, or giving a date of birth, to anyone else (the masked form
``19121212-****`` the window shows is a date of birth, 250 of them per bulk send). A
plain SHA-256 would not do: there are only some tens of millions of possible
personnummer, so an unkeyed hash is reversed in seconds.

The key is 32 random bytes per installation, kept in the operating system's keyring
(service ``bifoga``, entry ``audit-trail-key``) and never beside the trail: a copy of the
trail alone reveals nothing. The same key, through a key derived from it, authenticates
each record of the chain (:class:`app.audit.records.ChainKey`), so losing it loses both
the matching and the proof that the trail was not rewritten.
"""

from __future__ import annotations

import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.audit.records import AuditError
from app.protocol import identifiers

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

#: Returns the installation's key (32 bytes); raises AuditError("audit.key_unavailable").
KeyProvider = Callable[[], bytes]

KEYRING_SERVICE = "bifoga"
KEYRING_ENTRY = "audit-trail-key"
KEY_BYTES = 32

# A personnummer-shaped run: 6 or 8 digits, an optional separator, 4 more digits (on the
# text made ASCII by _ascii_digits: a staff id in other digits is still one).
_ID_SHAPE = re.compile(r"(?<![0-9])([0-9]{6}|[0-9]{8})([-+]?)([0-9]{4})(?![0-9])")


class KeyringKeyProvider:
    """The installation's key from ``backend`` (the OS keyring when none is given),
    created on first use.

    Anything the keyring cannot do (no backend, a locked keyring, a key that does not
    stay, a malformed entry) is :class:`AuditError` ``audit.key_unavailable`` with a
    reason; it never falls back to a key kept in a file or to an unkeyed hash.
    """

    def __init__(self, backend: KeyringBackend | None = None, *, create: bool = True) -> None:
        self._backend = backend
        #: False for whoever only checks a trail (``bifoga audit verify``): a key made now
        #: would only make every record look changed.
        self._create = create

    def __call__(self) -> bytes:
        from keyring.errors import KeyringError

        try:
            backend = self._backend or _default_backend()
            stored = backend.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
            if stored is None and self._create:
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
        return {"ref": self.ref("resident", canonical)}

    def guarded(self, value: str) -> str:
        """``value`` as it is, unless it holds something that is a valid personnummer or
        samordningsnummer (a staff id typed as one, a case id made from one): then its
        masked form and a keyed reference, so the trail never holds it in clear."""
        if not contains_resident_id(value):
            return value
        masked = _ID_SHAPE.sub("********-****", _ascii_digits(value))  # no date of birth
        return f"{masked}#ref:{self.ref('identifier', value)}"


def contains_resident_id(text: str) -> bool:
    """Whether ``text`` holds a valid (Luhn-checked) personnummer or samordningsnummer in
    one of its written forms. Exact rather than broad, so a gateway's message id made of
    hex digits is not mistaken for one."""
    for match in _ID_SHAPE.finditer(_ascii_digits(text)):
        date_part, separator, serial = match.groups()
        found = identifiers.canonical_from_parts(date_part, serial, plus=separator == "+")
        if found is not None:
            return True
    return False


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit, of any script, as its ASCII digit: over-masking
    is cheap here and a personnummer kept in clear is not."""
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(c, "")) or c for c in text)
