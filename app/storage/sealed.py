"""Sealing bytes at rest with the user's storage key (AES-256-GCM), and sealed files.

A sealed blob is ``MAGIC | version | nonce | ciphertext+tag``. Each write takes a fresh
96-bit random nonce (a key seals some thousands of blobs, far below GCM's bound for
random nonces). The associated data is the header, the blob's :class:`Role` and an
optional context (an outbox row's job id and column), so a sealed draft cannot be put
in the place of a sealed working copy, nor one job's recipients in another job's row:
opening it fails as if it had been tampered with.

Staged files are at most 20 MiB (``app.protocol.limits.MAX_ATTACHMENT_BYTES``), so a blob is
sealed and opened whole, in memory, and never written in clear.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
from enum import StrEnum
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.storage import storage_key
from app.storage.storage_key import StorageKey

MAGIC = b"BIFOGA\x00S"
VERSION = 1
NONCE_BYTES = 12
HEADER_BYTES = len(MAGIC) + 1 + NONCE_BYTES
#: What sealing adds to a blob's size: the header and GCM's 16-byte tag.
OVERHEAD = HEADER_BYTES + 16


class Role(StrEnum):
    """What a sealed blob is; part of its associated data."""

    STAGED_FILE = "staged-file"
    DRAFTS = "drafts"
    OUTBOX = "outbox"


class SealedError(Exception):
    """A sealed blob could not be opened. ``code``:

    - ``storage.unreadable``: not sealed with this key, for this role, or changed since;
    - ``storage.not_sealed``: clear bytes where sealed ones belong.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def is_sealed(data: bytes) -> bool:
    return data[: len(MAGIC)] == MAGIC


def _associated(header: bytes, role: Role, context: str) -> bytes:
    return header + role.value.encode() + b"\x00" + context.encode("utf-8", "surrogatepass")


def seal(plain: bytes, role: Role, *, key: StorageKey | None = None, context: str = "") -> bytes:
    """``plain`` sealed for ``role`` with ``key`` (the process's key when none is given)."""
    chosen = key or storage_key.current()
    header = MAGIC + bytes([VERSION]) + secrets.token_bytes(NONCE_BYTES)
    nonce = header[-NONCE_BYTES:]
    return header + AESGCM(chosen.secret).encrypt(nonce, plain, _associated(header, role, context))


def unseal(sealed: bytes, role: Role, *, key: StorageKey | None = None, context: str = "") -> bytes:
    """The plain bytes of ``sealed``; :class:`SealedError` when they cannot be had."""
    if not is_sealed(sealed):
        raise SealedError("storage.not_sealed")
    if len(sealed) < OVERHEAD or sealed[len(MAGIC)] != VERSION:
        raise SealedError("storage.unreadable")
    chosen = key or storage_key.current()
    header = sealed[:HEADER_BYTES]
    nonce = header[-NONCE_BYTES:]
    try:
        return AESGCM(chosen.secret).decrypt(
            nonce, sealed[HEADER_BYTES:], _associated(header, role, context)
        )
    except InvalidTag as error:
        raise SealedError("storage.unreadable") from error


# -- files ----------------------------------------------------------------------------------


def write_sealed(path: Path, plain: bytes, role: Role, *, key: StorageKey | None = None) -> None:
    """Write ``plain`` sealed to ``path``, private (0600) and all or nothing: a temporary
    file beside it, flushed to disk, then one rename (a crash leaves the old or the new)."""
    blob = seal(plain, role, key=key)
    # mkstemp creates the file 0600 and O_EXCL: private from its first byte.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".sealing-")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(blob)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def read_sealed(path: Path, role: Role, *, key: StorageKey | None = None) -> bytes:
    """The plain bytes of the sealed file at ``path`` (OSError when it cannot be read,
    :class:`SealedError` when it is not sealed for ``role`` with the key)."""
    return unseal(Path(path).read_bytes(), role, key=key)


def read_plain(path: Path | str) -> bytes:
    """The bytes of a working copy (sealed) or of a user's own clear file (``bifoga
    inspect``), whichever ``path`` holds. For the worker processes, which are given both;
    a sealed file needs the key the window gave the worker."""
    data = Path(path).read_bytes()
    return unseal(data, Role.STAGED_FILE) if is_sealed(data) else data


def replace_plain(path: Path, plain: bytes) -> None:
    """Replace the file at ``path`` with ``plain`` in the form it has now: a sealed
    working copy stays sealed (never rewritten in clear), a clear file stays clear."""
    with path.open("rb") as stream:
        sealed_now = is_sealed(stream.read(len(MAGIC)))
    if sealed_now:
        write_sealed(path, plain, Role.STAGED_FILE)
        return
    from app.storage.atomic_files import replace_atomically

    replace_atomically(path, lambda temporary: temporary.write_bytes(plain), prefix=".rewrite-")
