"""The secure staging area: Bifoga's only working copies of files (docs/requirements.md R8).

A file is read in once, hashed, and written sealed with the user's storage key
(``app.storage.sealed``: a copy left on disk is unreadable without the user's keyring); the hash
is of the plain bytes. Everything after that (inspection, preview, sign-off, upload) uses
the staged copy's bytes, so the bytes the clinician saw are the bytes that leave. (The
preview may draw a first page from the chosen file while it is staged, but counts it only
once it was found to be of the staged copy's bytes: ``ui.preview.first_page``.) Copies are
private to the user (0700/0600), deleted after sending or discarding, and leftovers past
their retention are purged at start.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from app.protocol import filetypes
from app.storage import sealed, storage_key
from app.storage.storage_key import StorageKey

#: The working copy's name in its folder.
STAGED_NAME = "file"


class StagingError(Exception):
    """The file could not be staged. ``code`` is for the UI to explain."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class StagedFile:
    path: Path
    sha256: str
    size: int
    filename: str  # the name the clinician chose; sent as the attachment's name
    media_type: str


class StagingArea:
    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int,
        retention_s: float = 24 * 3600,
        key: StorageKey | None = None,
    ) -> None:
        """``key`` seals the copies (the process's storage key when none is given)."""
        self.root = root
        self._key = key or storage_key.current()
        self.max_bytes = max_bytes
        self.retention_s = retention_s
        root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(root, 0o700)

    def stage(self, source: Path) -> StagedFile:
        """Copy ``source`` in, sealed, check its type by content and hash its bytes."""
        try:
            if not source.is_file():
                raise StagingError("file.not_a_file", name=source.name)
            size = source.stat().st_size
        except OSError as error:
            raise StagingError("file.unreadable", name=source.name) from error
        if size == 0:
            raise StagingError("file.empty", name=source.name)
        if size > self.max_bytes:
            raise StagingError(
                "file.too_large", name=source.name, size_mb=_mb(size), limit_mb=_mb(self.max_bytes)
            )
        try:
            with source.open("rb") as reader:
                plain = reader.read(self.max_bytes + 1)  # one more: did it grow meanwhile?
        except OSError as error:
            raise StagingError("file.unreadable", name=source.name) from error
        if not plain:
            raise StagingError("file.empty", name=source.name)
        if len(plain) > self.max_bytes:
            raise StagingError(
                "file.too_large",
                name=source.name,
                size_mb=_mb(len(plain)),
                limit_mb=_mb(self.max_bytes),
            )
        media_type = self._check_type(source.name, plain[: filetypes.SNIFF_BYTES])
        # The hash of the plain bytes: what is previewed, signed off and sent.
        sha256 = hashlib.sha256(plain).hexdigest()
        folder = self.root / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        target = folder / STAGED_NAME
        try:
            sealed.write_sealed(target, plain, sealed.Role.STAGED_FILE, key=self._key)
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise StagingError("file.unreadable", name=source.name) from error
        return StagedFile(target, sha256, len(plain), source.name, media_type)

    def read(self, staged: StagedFile) -> bytes:
        """The staged copy's plain bytes (in memory only: a copy is at most ``max_bytes``).
        OSError when it is gone; ``app.storage.sealed.SealedError`` when it is not a sealed copy
        of this user's."""
        return read_staged(staged.path, key=self._key)

    @staticmethod
    def _check_type(name: str, head: bytes) -> str:
        media_type = filetypes.sniff(head)
        if media_type is None:
            raise StagingError("file.type_not_allowed", name=name)
        if not filetypes.extension_agrees(name, media_type):
            raise StagingError(
                "file.extension_mismatch",
                name=name,
                expected=" / ".join(filetypes.EXTENSIONS[media_type]),
            )
        return media_type

    def rehash(self, staged: StagedFile) -> StagedFile:
        """The staged file after it was rewritten in place (hidden content removed, see
        ``app.inspection.hidden``)."""
        data = self.read(staged)
        return StagedFile(
            staged.path,
            hashlib.sha256(data).hexdigest(),
            len(data),
            staged.filename,
            staged.media_type,
        )

    def discard(self, staged: StagedFile) -> None:
        shutil.rmtree(staged.path.parent, ignore_errors=True)

    @property
    def drafts_folder(self) -> Path:
        """Where unsent drafts are kept (app.drafts.draft_store): in the same secure area,
        purged alike."""
        return self.root / "drafts"

    def purge(self, *, now: float | None = None) -> int:
        """Delete working copies and drafts older than the retention; returns how many."""
        now = time.time() if now is None else now
        removed = 0
        for entry in self._entries(self.root):
            if entry == self.drafts_folder:
                for draft in self._entries(entry):
                    if self._expired(draft, now):
                        draft.unlink(missing_ok=True)
                        removed += 1
            elif entry.is_dir() and self._expired(entry, now):
                shutil.rmtree(entry, ignore_errors=True)
                removed += 1
        return removed

    def _expired(self, path: Path, now: float) -> bool:
        try:
            return now - path.stat().st_mtime > self.retention_s
        except OSError:
            return False

    @staticmethod
    def _entries(folder: Path) -> list[Path]:
        try:
            return list(folder.iterdir())
        except OSError:
            return []

    def held(self) -> list[Path]:
        """The working copies' folders (drafts are not working copies)."""
        return sorted(p for p in self.root.iterdir() if p.is_dir() and p != self.drafts_folder)


def read_staged(path: Path, *, key: StorageKey | None = None) -> bytes:
    """The plain bytes of the working copy at ``path`` (see ``StagingArea.read``)."""
    return sealed.read_sealed(path, sealed.Role.STAGED_FILE, key=key)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"
