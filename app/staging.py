"""The secure staging area: Bifoga's only working copies of files (docs/requirements.md R8).

A file is copied in once (in the kernel where it can) and the staged copy is hashed;
everything after that (inspection, preview, sign-off, upload) uses the staged copy, so
the bytes the clinician saw are the bytes that leave. (The preview may draw a first page
from the chosen file while it is staged, but counts it only once it was found to be of
the staged copy's bytes: ``ui.first_page``.) Copies are private to the user
(0700/0600), deleted after sending or discarding, and leftovers past their retention
are purged at start.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import mmap
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from app import filetypes

_CHUNK = 1024 * 1024


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
    def __init__(self, root: Path, *, max_bytes: int, retention_s: float = 24 * 3600) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.retention_s = retention_s
        root.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            os.chmod(root, 0o700)

    def stage(self, source: Path) -> StagedFile:
        """Copy ``source`` in, check its type by content and hash the copy."""
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
        folder = self.root / uuid.uuid4().hex
        folder.mkdir(mode=0o700)
        target = folder / "file"
        try:
            copied = self._copy(source, target)
            with target.open("rb") as staged_copy:
                head = staged_copy.read(filetypes.SNIFF_BYTES)
                media_type = self._check_type(source.name, head)
                sha256 = _sha256(staged_copy)
        except StagingError:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        except OSError as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise StagingError("file.unreadable", name=source.name) from error
        return StagedFile(target, sha256, copied, source.name, media_type)

    def _copy(self, source: Path, target: Path) -> int:
        """Copy ``source`` to a new private ``target``, in the kernel where it can; refuses
        a file that is empty or grew past the limit while it was copied."""
        copied = 0
        with source.open("rb") as reader, _private_writer(target) as writer:
            fast = hasattr(os, "copy_file_range")
            while True:
                if copied > self.max_bytes:  # grew while we copied
                    raise StagingError(
                        "file.too_large",
                        name=source.name,
                        size_mb=_mb(copied),
                        limit_mb=_mb(self.max_bytes),
                    )
                wanted = self.max_bytes + 1 - copied
                if fast:
                    try:
                        done = os.copy_file_range(reader.fileno(), writer.fileno(), wanted)
                    except OSError:  # not across these file systems: copy it ourselves
                        fast = False
                        reader.seek(copied)
                        writer.seek(copied)
                        continue
                else:
                    chunk = reader.read(min(_CHUNK, wanted))
                    writer.write(chunk)
                    done = len(chunk)
                if done == 0:
                    if fast and copied < os.fstat(reader.fileno()).st_size:
                        fast = False  # the kernel gave up early (some file systems do)
                        reader.seek(copied)
                        writer.seek(copied)
                        continue
                    break
                copied += done
        if copied == 0:
            raise StagingError("file.empty", name=source.name)
        return copied

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
        data = staged.path.read_bytes()
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
        """Where unsent drafts are kept (app.draft_store): in the same secure area, purged alike."""
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


def _sha256(handle: io.BufferedReader) -> str:
    """The hash of the staged copy itself: the bytes previewed and sent.

    In one call over the mapped file: hashlib lets go of the GIL for the whole of it, so
    the window's other threads are not held up, as they are by a loop that takes the GIL
    back after every chunk."""
    try:
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view:
            return hashlib.sha256(view).hexdigest()
    except (OSError, ValueError):  # no mapping here: read it in chunks
        handle.seek(0)
        return hashlib.file_digest(handle, "sha256").hexdigest()


@contextlib.contextmanager
def _private_writer(path: Path):  # type: ignore[no-untyped-def]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        yield handle


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"
