"""The key that seals what Bifoga keeps with personal data on this computer (docs/storage.md).

Working copies, saved drafts and the outbox's personal columns are sealed with one
32-byte AES key per user, kept in the operating system's keyring (service ``bifoga``,
entry ``storage-key``) and never on disk beside what it seals: a copy of the data folder
left on a shared workstation is unreadable without that user's keyring.

The key is obtained once at start (``ui.shell.start`` decides what happens when the keyring
cannot give it) and installed for the process; the worker processes get it from the
window over their spawn pipe (``app.isolation.worker``), never through the environment or a file.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

KEYRING_SERVICE = "bifoga"
KEYRING_ENTRY = "storage-key"
KEY_BYTES = 32


class StorageKeyError(Exception):
    """The storage key could not be had. ``code`` is for the window to explain:

    - ``storage.keyring_unavailable``: the keyring cannot give or keep it (no backend, a
      locked keyring, a malformed entry; ``reason`` says which);
    - ``storage.key_not_loaded``: nothing installed the key in this process (a bug).
    """

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(f"{code}: {reason}" if reason else code)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StorageKey:
    secret: bytes = field(repr=False)
    #: A key made for this run alone (the embedded sandbox without a keyring): what is
    #: sealed with it cannot be opened after a restart.
    for_this_run_only: bool = False

    def __post_init__(self) -> None:
        if len(self.secret) != KEY_BYTES:
            raise StorageKeyError("storage.keyring_unavailable", "malformed")


def from_keyring(backend: KeyringBackend | None = None) -> StorageKey:
    """The user's key from ``backend`` (the OS keyring when none is given), made on first
    use. Never falls back to anything else: what the keyring cannot do is a
    :class:`StorageKeyError` ``storage.keyring_unavailable``."""
    from keyring.errors import KeyringError

    try:
        chosen = backend or _default_backend()
        stored = chosen.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
        if stored is None:
            chosen.set_password(KEYRING_SERVICE, KEYRING_ENTRY, secrets.token_hex(KEY_BYTES))
            # Read back: a keyring that forgets (the "null" backend) would give every start
            # a new key, and yesterday's drafts and outbox could not be opened.
            stored = chosen.get_password(KEYRING_SERVICE, KEYRING_ENTRY)
    except KeyringError as error:
        raise StorageKeyError("storage.keyring_unavailable", type(error).__name__) from error
    except Exception as error:  # a backend's own failure (D-Bus, the Windows API) unwrapped
        raise StorageKeyError("storage.keyring_unavailable", type(error).__name__) from error
    if stored is None:
        raise StorageKeyError("storage.keyring_unavailable", "not_kept")
    try:
        secret = bytes.fromhex(stored)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        # Never replaced silently: everything sealed with the old key would be lost.
        raise StorageKeyError("storage.keyring_unavailable", "malformed")
    return StorageKey(secret)


def for_this_run() -> StorageKey:
    """A key for this run only: the embedded sandbox's answer to a keyring that cannot
    give one (the clinician is told that drafts will not survive a restart)."""
    return StorageKey(secrets.token_bytes(KEY_BYTES), for_this_run_only=True)


def _default_backend() -> KeyringBackend:
    import keyring

    return keyring.get_keyring()


_lock = threading.Lock()
_installed: StorageKey | None = None


def install(key: StorageKey) -> None:
    """Make ``key`` the one this process seals and opens with."""
    global _installed
    with _lock:
        _installed = key


def installed() -> StorageKey | None:
    """The key this process was given, if any (a worker started by ``bifoga inspect``
    has none: it reads only clear files)."""
    with _lock:
        return _installed


def current() -> StorageKey:
    """The key this process was given; :class:`StorageKeyError` when none was."""
    key = installed()
    if key is None:
        raise StorageKeyError("storage.key_not_loaded")
    return key
