"""After a send: which of the clinician's own files may be offered for deletion, and deleting
them (docs/requirements.md R8: personal data is kept only until it is in the patient record).

Bifoga sends its staged copy, never the file the clinician picked (``Attachment.original``).
Once the message is delivered and the clinician confirms the file is in the patient record,
the original may go. It is offered only if it still is what was sent: it exists, is a
regular file (not a link, folder or device), has the very bytes that were sent (hashed
again, so a file changed since, or another file now under that name, is never offered),
and does not lie in Bifoga's own staging area (whose copies Bifoga deletes itself).
Everything else gets a code saying why it is not offered; the window turns codes into
sentences (``resources/texts/original.json`` and ``ui.originals.json``).

Hashing reads whole files: call :func:`check_originals` and :func:`delete_originals` off
the GUI thread. Neither raises for a file that cannot be read or deleted; each answers
per file with a code.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.drafts.message_draft import Attachment


class OriginalCode(StrEnum):
    """Why an original is (not) offered, and how its deletion went."""

    #: It is what was sent: it may be deleted once it is in the patient record.
    OFFERED = "original.offered"
    DELETED = "original.deleted"
    #: No file by that name any more (moved or deleted by someone else).
    GONE = "original.gone"
    #: A folder, a link or a device under that name now; never followed or deleted.
    NOT_A_FILE = "original.not_a_file"
    #: Its bytes are not the bytes that were sent: changed since, another file under
    #: that name, or a file whose hidden content was removed from the copy sent.
    NOT_AS_SENT = "original.not_as_sent"
    #: It was replaced by another file (same name) after it was checked.
    REPLACED = "original.replaced"
    #: Inside Bifoga's staging area: Bifoga's own copy, deleted by Bifoga itself.
    IN_STAGING_AREA = "original.in_staging_area"
    UNREADABLE = "original.unreadable"
    NOT_PERMITTED = "original.not_permitted"
    DELETE_FAILED = "original.delete_failed"


@dataclass(frozen=True, slots=True)
class SentOriginal:
    """A file the clinician picked, and the SHA-256 it had when it was chosen."""

    path: Path
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def folder(self) -> str:
        return str(self.path.parent)


@dataclass(frozen=True, slots=True)
class OriginalCheck:
    """What was found for one original. ``size`` and ``identity`` (device, inode) are of
    the file that was hashed; deleting refuses a file that is no longer that one."""

    original: SentOriginal
    code: OriginalCode
    size: int | None = None
    identity: tuple[int, int] | None = None

    @property
    def offered(self) -> bool:
        return self.code is OriginalCode.OFFERED


@dataclass(frozen=True, slots=True)
class DeletionResult:
    original: SentOriginal
    code: OriginalCode

    @property
    def deleted(self) -> bool:
        return self.code is OriginalCode.DELETED


def sent_originals(attachments: Iterable[Attachment]) -> list[SentOriginal]:
    """The originals of a message's attachments, each with the hash it had when it was
    chosen: the bytes sent, or the bytes sent plus what no viewer shows and Bifoga removed
    from its copy (a photo's EXIF). An attachment restored without its original, after a
    crash say, has none to offer."""
    return [
        SentOriginal(a.original, a.original_sha256 or a.sha256)
        for a in attachments
        if a.original is not None
    ]


def check_originals(originals: Iterable[SentOriginal], staging_root: Path) -> list[OriginalCheck]:
    """Each original with whether it may be offered for deletion, and why not."""
    staging = _resolved(staging_root)
    return [_check(original, staging) for original in originals]


def delete_originals(checks: Iterable[OriginalCheck]) -> list[DeletionResult]:
    """Delete the offered originals that are still exactly the file that was checked.

    Each is hashed once more right before it is deleted: between the offer and the
    clinician's confirmation the file may have been edited, or replaced under its name.
    Checks that were not offered are answered with their own code and left alone.
    """
    return [
        DeletionResult(check.original, _delete(check) if check.offered else check.code)
        for check in checks
    ]


def _check(original: SentOriginal, staging: Path) -> OriginalCheck:
    if _resolved(original.path).is_relative_to(staging):
        return OriginalCheck(original, OriginalCode.IN_STAGING_AREA)
    found = _hash_regular_file(original.path)
    if isinstance(found, OriginalCode):
        return OriginalCheck(original, found)
    sha256, info = found
    if sha256 != original.sha256.lower():
        return OriginalCheck(original, OriginalCode.NOT_AS_SENT, info.st_size)
    return OriginalCheck(original, OriginalCode.OFFERED, info.st_size, _identity(info))


def _delete(check: OriginalCheck) -> OriginalCode:
    path = check.original.path
    found = _hash_regular_file(path)
    if isinstance(found, OriginalCode):
        return found
    sha256, info = found
    if _identity(info) != check.identity:
        return OriginalCode.REPLACED
    if sha256 != check.original.sha256.lower():
        return OriginalCode.NOT_AS_SENT
    # The name must still lead to the file just hashed. (What is left is the moment
    # between this look and the unlink; no portable call deletes "this name only if it
    # is this file".)
    try:
        now = os.lstat(path)
    except FileNotFoundError:
        return OriginalCode.GONE
    except OSError:
        return OriginalCode.UNREADABLE
    if _identity(now) != check.identity or now.st_mtime_ns != info.st_mtime_ns:
        return OriginalCode.REPLACED
    try:
        os.unlink(path)
    except FileNotFoundError:
        return OriginalCode.GONE
    except PermissionError:
        return OriginalCode.NOT_PERMITTED
    except OSError:
        return OriginalCode.DELETE_FAILED
    return OriginalCode.DELETED


def _hash_regular_file(path: Path) -> tuple[str, os.stat_result] | OriginalCode:
    """The SHA-256 and status of the regular file at ``path``, read through one handle
    opened without following a link; a code when it is anything else."""
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode):  # O_NOFOLLOW is POSIX only
            return OriginalCode.NOT_A_FILE
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        # Non-blocking: a FIFO put under the name must not hang the open.
        fd = os.open(path, flags | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return OriginalCode.GONE
    except PermissionError:
        return OriginalCode.UNREADABLE
    except OSError:
        # ELOOP: a link made between the lstat and the open.
        return OriginalCode.NOT_A_FILE if path.is_symlink() else OriginalCode.UNREADABLE
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        return OriginalCode.NOT_A_FILE
    with os.fdopen(fd, "rb") as handle:
        try:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError:
            return OriginalCode.UNREADABLE
    return digest, info


def _identity(info: os.stat_result) -> tuple[int, int]:
    return info.st_dev, info.st_ino


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # a loop of links: compare as given
        return path.absolute()
