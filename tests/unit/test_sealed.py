"""Sealing at rest: AES-GCM with the user's storage key from the keyring, a blob bound to
its role and context, and a keyring that cannot give the key refused with a code."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from keyring.backends import fail, null

from app.storage import sealed, storage_key
from app.storage.sealed import Role, SealedError
from app.storage.storage_key import StorageKeyError
from tests.support.keyrings import LockedKeyring, MemoryKeyring

PLAIN = b"%PDF-1.7 Karin Berg 19680102-9288"


def test_a_sealed_blob_opens_to_its_plain_bytes_and_shows_none_of_them() -> None:
    blob = sealed.seal(PLAIN, Role.STAGED_FILE)
    assert sealed.is_sealed(blob) and b"Karin" not in blob and b"%PDF-" not in blob
    assert len(blob) == len(PLAIN) + sealed.OVERHEAD
    assert sealed.unseal(blob, Role.STAGED_FILE) == PLAIN


def test_every_write_takes_a_fresh_nonce() -> None:
    first, second = sealed.seal(PLAIN, Role.DRAFTS), sealed.seal(PLAIN, Role.DRAFTS)
    assert first[: sealed.HEADER_BYTES] != second[: sealed.HEADER_BYTES]
    assert first != second


def test_a_sealed_draft_does_not_open_as_a_working_copy() -> None:
    with pytest.raises(SealedError) as refused:
        sealed.unseal(sealed.seal(PLAIN, Role.DRAFTS), Role.STAGED_FILE)
    assert refused.value.code == "storage.unreadable"


def test_one_outbox_row_cannot_be_moved_to_another() -> None:
    blob = sealed.seal(PLAIN, Role.OUTBOX, context="job-1/request")
    assert sealed.unseal(blob, Role.OUTBOX, context="job-1/request") == PLAIN
    with pytest.raises(SealedError):
        sealed.unseal(blob, Role.OUTBOX, context="job-2/request")


def test_a_changed_byte_or_another_key_does_not_open() -> None:
    blob = bytearray(sealed.seal(PLAIN, Role.STAGED_FILE))
    blob[-1] ^= 1
    with pytest.raises(SealedError):
        sealed.unseal(bytes(blob), Role.STAGED_FILE)
    other = storage_key.for_this_run()
    with pytest.raises(SealedError) as refused:
        sealed.unseal(sealed.seal(PLAIN, Role.STAGED_FILE), Role.STAGED_FILE, key=other)
    assert refused.value.code == "storage.unreadable"


def test_clear_bytes_are_not_taken_for_sealed_ones() -> None:
    with pytest.raises(SealedError) as refused:
        sealed.unseal(PLAIN, Role.STAGED_FILE)
    assert refused.value.code == "storage.not_sealed"


def test_a_sealed_file_is_private_and_a_rewrite_keeps_its_form(tmp_path: Path) -> None:
    working_copy, users_file = tmp_path / "file", tmp_path / "egen.pdf"
    sealed.write_sealed(working_copy, PLAIN, Role.STAGED_FILE)
    users_file.write_bytes(PLAIN)
    assert stat.S_IMODE(working_copy.stat().st_mode) == 0o600
    assert sealed.read_plain(working_copy) == sealed.read_plain(users_file) == PLAIN

    sealed.replace_plain(working_copy, b"%PDF-1.7 rewritten")
    sealed.replace_plain(users_file, b"%PDF-1.7 rewritten")
    assert sealed.read_sealed(working_copy, Role.STAGED_FILE) == b"%PDF-1.7 rewritten"
    assert users_file.read_bytes() == b"%PDF-1.7 rewritten"  # a user's own file stays clear
    assert sorted(p.name for p in tmp_path.iterdir()) == ["egen.pdf", "file"]  # no temporaries


# ------------------------------------------------------------------ the key in the keyring


def test_the_key_is_made_once_and_kept_in_the_keyring() -> None:
    backend = MemoryKeyring()
    first = storage_key.from_keyring(backend)
    assert storage_key.from_keyring(backend) == first and not first.for_this_run_only
    stored = backend.entries[(storage_key.KEYRING_SERVICE, storage_key.KEYRING_ENTRY)]
    assert bytes.fromhex(stored) == first.secret
    assert first.secret.hex() not in repr(first)  # never in a log line or a traceback


@pytest.mark.parametrize(
    ("backend", "reason"),
    [
        (fail.Keyring(), "NoKeyringError"),
        (LockedKeyring(), "KeyringLocked"),
        (null.Keyring(), "not_kept"),  # forgets what it is given: a new key every start
    ],
)
def test_a_keyring_that_cannot_give_the_key_is_a_clear_refusal(
    backend: object, reason: str
) -> None:
    with pytest.raises(StorageKeyError) as refused:
        storage_key.from_keyring(backend)  # type: ignore[arg-type]
    assert (refused.value.code, refused.value.reason) == ("storage.keyring_unavailable", reason)


def test_a_malformed_key_is_refused_not_replaced() -> None:
    backend = MemoryKeyring()
    backend.set_password(storage_key.KEYRING_SERVICE, storage_key.KEYRING_ENTRY, "abc")
    with pytest.raises(StorageKeyError) as refused:
        storage_key.from_keyring(backend)
    assert refused.value.reason == "malformed"
    assert backend.get_password(storage_key.KEYRING_SERVICE, storage_key.KEYRING_ENTRY) == "abc"
