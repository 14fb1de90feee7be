"""Keyring backends for tests: the CI machine has no desktop keyring, and no test may
touch the developer's own."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """keyring's backend API over a dict: a keyring that works, without the OS's."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


class LockedKeyring(MemoryKeyring):
    """A keyring that is there but locked (the user has not unlocked it this session)."""

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("the keyring is locked")


class EnvironmentKeyring(MemoryKeyring):
    """A keyring for a child process of a test: its entries come from the environment
    (``BIFOGA_TEST_KEYRING``, JSON ``{"service/entry": "value"}``); chosen with
    ``PYTHON_KEYRING_BACKEND=tests.support.keyrings.EnvironmentKeyring``."""

    def __init__(self) -> None:
        super().__init__()
        for name, value in json.loads(os.environ.get(ENVIRONMENT_ENTRIES, "{}")).items():
            service, _, username = name.partition("/")
            self.entries[(service, username)] = value


ENVIRONMENT_ENTRIES = "BIFOGA_TEST_KEYRING"


def child_environment(backend: MemoryKeyring) -> dict[str, str]:
    """Environment variables that give a child process a keyring holding ``backend``'s
    entries (:class:`EnvironmentKeyring`)."""
    entries = {
        f"{service}/{username}": value for (service, username), value in backend.entries.items()
    }
    return {
        "PYTHON_KEYRING_BACKEND": f"{__name__}.EnvironmentKeyring",
        ENVIRONMENT_ENTRIES: json.dumps(entries),
    }


@contextmanager
def keyring_backend(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """``backend`` as the process's keyring for the ``with`` block."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)
