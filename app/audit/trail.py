"""Writing the trail: one append-only file, one record per event, each chained to the last.

Every record is one ``write`` of a whole line on a file opened with ``O_APPEND``,
followed by ``fsync``, so a line is on disk before the call returns and two writers never
interleave inside a line. A lock makes "read the last hash, write the next record" one
step: a ``threading.Lock`` for the threads of one window and, where the OS has it
(``fcntl.flock``), a lock on the file for a second Bifoga of the same user. Before each
write the writer checks whether the file grew under it and, if so, chains to the record
that is last now, so two writers still make one sound chain. (On Windows only threads are
serialised; two windows of one user there could fork the chain, which ``bifoga audit
verify`` would then name.)

The trail is not written on top of damage: if its last line is cut off or not a sound
record, :meth:`AuditTrail.open` refuses with ``audit.trail_damaged`` and the file stays
as it is for whoever investigates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from app.audit.pseudonyms import KeyProvider, Pseudonymiser
from app.audit.records import (
    GENESIS,
    LEGACY_VERSION,
    AuditError,
    ChainKey,
    EventKind,
    LineError,
    Record,
    chained,
    parse_line,
    rfc3339_utc,
)
from app.audit.verify import verify_file
from app.inspection.report import Verdict
from app.protocol.model import ALLOWED_MEDIA_TYPES, MessageKind

try:  # POSIX: a lock that a second process also respects
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

TRAIL_FILE_NAME = "trail.jsonl"
VERDICTS = tuple(v.value for v in Verdict)
RETRACTION_STATUSES = ("requested", "done", "refused")  # docs/protocol.md
_MAX_ID_LENGTH = 200
_HEX64 = re.compile(r"[0-9a-f]{64}")
_TAIL_CHUNK = 64 * 1024

Clock = Callable[[], dt.datetime]
#: How a session writes: the trail's own append (kind, actor, data) -> the record written.
Append = Callable[[EventKind, str | None, dict[str, Any]], Record]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def default_folder() -> Path:
    """Where the trail lives: ``audit/`` in the user's data folder."""
    from app.config.settings import data_dir

    return data_dir() / "audit"


class AuditTrail:
    """The trail in ``folder``; use :meth:`open`. Safe to share between threads."""

    def __init__(
        self, path: Path, fd: int, key: bytes, pseudonyms: Pseudonymiser, clock: Clock
    ) -> None:
        self.path = path
        self._fd = fd
        self._chain = ChainKey(key)
        self._pseudonyms = pseudonyms
        self._clock = clock
        self._lock = threading.Lock()
        self._head: Record | None = None
        self._known_size = -1  # forces reading the tail before the first write
        #: Called with each record once it is on disk, outside the trail's lock (the
        #: checkpoints to the gateway, :mod:`app.audit.checkpoints`); must not raise.
        self.on_record: Callable[[Record], None] | None = None

    @classmethod
    def open(
        cls, folder: Path, key_provider: KeyProvider, *, clock: Clock = _utc_now
    ) -> AuditTrail:
        """Open (or start) the trail in ``folder`` (0700; the file 0600).

        Raises :class:`AuditError`: ``audit.key_unavailable`` when the key cannot be had
        (asked first, before anything is written), ``audit.trail_damaged`` when the last
        line is not a sound record, ``audit.unwritable`` when the folder or file cannot
        be opened for writing. A trail whose last record is unkeyed (written before the
        chain was keyed) gets a ``keyed_from_here`` record that closes its legacy part.
        """
        key = key_provider()
        pseudonyms = Pseudonymiser(key)
        path = folder / TRAIL_FILE_NAME
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                os.chmod(folder, 0o700)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0), 0o600)
        except OSError as error:
            raise AuditError("audit.unwritable", path=str(path), reason=_reason(error)) from error
        trail = cls(path, fd, key, pseudonyms, clock)
        try:
            os.chmod(path, 0o600)  # an older file may have been made with a wider mode
            with trail._lock, trail._file_locked():
                trail._catch_up()
                legacy = trail._head if trail._head and trail._head.v == LEGACY_VERSION else None
            if legacy is not None:
                data = {"legacy_records": legacy.seq, "legacy_last_hash": legacy.hash}
                trail._append(EventKind.KEYED_FROM_HERE, None, data)
        except OSError as error:
            trail.close()
            raise AuditError("audit.unwritable", path=str(path), reason=_reason(error)) from error
        except AuditError:
            trail.close()
            raise
        return trail

    @classmethod
    def open_new_after_damage(
        cls, folder: Path, key_provider: KeyProvider, *, clock: Clock = _utc_now
    ) -> AuditTrail:
        """Like :meth:`open`, but a trail refused as damaged is first kept beside the new
        one, as ``trail-damaged-<UTC time>.jsonl``, unchanged, and the new trail's first
        record names it, its last sound record and where it broke. For the window to call
        once the clinician (or IT) chose to go on after ``audit.trail_damaged``; a trail
        that is not damaged is simply opened."""
        try:
            return cls.open(folder, key_provider, clock=clock)
        except AuditError as refused:
            if refused.code != "audit.trail_damaged":
                raise
        path = folder / TRAIL_FILE_NAME
        key = key_provider()
        try:
            checked = verify_file(path, key)
            stamp = clock().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = folder / f"trail-damaged-{stamp}.jsonl"
            number = 1
            while kept.exists():  # never over an earlier one
                number += 1
                kept = folder / f"trail-damaged-{stamp}-{number}.jsonl"
            os.rename(path, kept)
        except OSError as error:
            raise AuditError("audit.unwritable", path=str(path), reason=_reason(error)) from error
        trail = cls.open(folder, lambda: key, clock=clock)
        last = checked.last
        broken = checked.broken
        trail._append(
            EventKind.NEW_AFTER_DAMAGE,
            None,
            {
                "damaged_file": kept.name,
                "last_sound_seq": last.seq if last else 0,
                "last_sound_hash": last.hash if last else GENESIS,
                "break": broken.kind.value if broken else None,
                "break_line": broken.line if broken else None,
            },
        )
        return trail

    # ------------------------------------------------------------------ events

    def sign_in(self, staff_id: str) -> AuditSession:
        """Record that ``staff_id`` signed in (after the gateway accepted them) and
        return the session that records what they do."""
        actor = self._actor(staff_id)
        self._append(EventKind.SIGN_IN, actor, {})
        return AuditSession(actor, self._append, self._pseudonyms)

    def purge(self, count: int) -> Record:
        """Record that ``count`` leftovers were deleted at start, before anyone signed in
        (the actor is ``null``; a clinician's own deletions: :meth:`AuditSession.purge`)."""
        return self._append(EventKind.PURGE, None, {"count": _count(count, "count")})

    @property
    def trail_id(self) -> str:
        """A name for this installation's trail that says nothing about it (a keyed
        reference): what the gateway keeps its checkpoints under."""
        return self._pseudonyms.ref("trail", "checkpoints")[:32]

    @property
    def head(self) -> tuple[int, str]:
        """The last record's sequence number and hash (0 and the genesis value when the
        trail is empty): a checkpoint to keep elsewhere (``bifoga audit verify
        --checkpoint``), since only that shows records removed from the end later."""
        with self._lock, self._file_locked():
            self._catch_up()
            if self._head is None:
                return 0, GENESIS
            return self._head.seq, self._head.hash

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1

    def __enter__(self) -> AuditTrail:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ writing

    def _actor(self, staff_id: str) -> str:
        return self._pseudonyms.guarded(_identifier(staff_id, "staff_id"))

    def _append(self, kind: EventKind, actor: str | None, data: dict[str, Any]) -> Record:
        record = self._write(kind, actor, data)
        listener = self.on_record
        if listener is not None:
            listener(record)
        return record

    def _write(self, kind: EventKind, actor: str | None, data: dict[str, Any]) -> Record:
        with self._lock:
            if self._fd < 0:
                raise AuditError("audit.closed", path=str(self.path))
            try:
                with self._file_locked():
                    self._catch_up()
                    head = self._head
                    seq, prev = (1, GENESIS) if head is None else (head.seq + 1, head.hash)
                    now = rfc3339_utc(self._clock())
                    record = chained(seq, now, kind, actor, data, prev, self._chain)
                    line = record.to_line()
                    _write_all(self._fd, line)
                    os.fsync(self._fd)
            except OSError as error:
                raise AuditError(
                    "audit.write_failed", path=str(self.path), reason=_reason(error)
                ) from error
            self._known_size += len(line)
            self._head = record
            return record

    def _catch_up(self) -> None:
        """Chain to whatever record is last in the file now (another writer may have
        added some since this one wrote)."""
        size = os.fstat(self._fd).st_size
        if size == self._known_size:
            return
        self._head = _last_record(self.path, size, self._chain)
        self._known_size = size

    @contextlib.contextmanager
    def _file_locked(self) -> Iterator[None]:
        if fcntl is None:
            yield
            return
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class AuditSession:
    """What one signed-in clinician does; from :meth:`AuditTrail.sign_in`. Every record
    it writes has that clinician as its actor, until :meth:`sign_out`."""

    def __init__(self, actor: str, append: Append, pseudonyms: Pseudonymiser) -> None:
        self.actor = actor
        self._append = append
        self._pseudonyms = pseudonyms
        self._ended = False

    def attach(self, sha256: str, media_type: str, verdict: str) -> Record:
        """A file was staged and inspected: its staged copy's SHA-256, type and verdict."""
        if media_type not in ALLOWED_MEDIA_TYPES:
            raise AuditError("audit.bad_value", field="media_type")
        data = {
            "sha256": _sha256(sha256, "sha256"),
            "media_type": media_type,
            "verdict": _choice(verdict, VERDICTS, "verdict"),
        }
        return self._record(EventKind.ATTACH, data)

    def page_seen(self, sha256: str, page: int) -> Record:
        """A page (1-based) of a file counted as seen in the preview."""
        data = {"sha256": _sha256(sha256, "sha256"), "page": _count(page, "page", least=1)}
        return self._record(EventKind.PAGE_SEEN, data)

    def sign_off(self, reviewer_id: str, digest: str) -> Record:
        """A colleague signed off: their staff id and the digest the gateway bound it to."""
        data = {
            "reviewer": self._guarded(reviewer_id, "reviewer_id"),
            "digest": _sha256(digest, "digest"),
        }
        return self._record(EventKind.SIGN_OFF, data)

    def send(
        self,
        message_id: str,
        kind: str,
        case_id: str | None,
        recipients: Iterable[str],
        sha256s: Iterable[str],
    ) -> Record:
        """The gateway accepted a message. Recipients are written masked with a keyed
        reference, never in clear."""
        residents = list(recipients)
        if not residents or not all(isinstance(r, str) for r in residents):
            raise AuditError("audit.bad_value", field="recipients")
        data = {
            "message_id": self._guarded(message_id, "message_id"),
            "kind": _choice(kind, tuple(MessageKind), "kind"),
            "case_id": None if case_id is None else self._guarded(case_id, "case_id"),
            "recipients": [self._pseudonyms.resident(r) for r in residents],
            "count": len(residents),
            # A text-only message (reply, partial reply, counter-question, new case) is
            # a send too: audited with no files.
            "sha256s": _sha256_list(sha256s, allow_empty=True),
        }
        return self._record(EventKind.SEND, data)

    def retraction(self, message_id: str, sha256s: Iterable[str], status: str) -> Record:
        """A retraction was requested, or its status changed (``requested``, ``done``,
        ``refused``)."""
        data = {
            "message_id": self._guarded(message_id, "message_id"),
            "sha256s": _sha256_list(sha256s),
            "status": _choice(status, RETRACTION_STATUSES, "status"),
        }
        return self._record(EventKind.RETRACTION, data)

    def deviation_report(
        self, message_id: str, sha256s: Iterable[str], report_sha256: str | None = None
    ) -> Record:
        """A deviation report was made about a sent message's files; ``report_sha256``
        is the SHA-256 of the saved report, when it was saved."""
        data = {
            "message_id": self._guarded(message_id, "message_id"),
            "sha256s": _sha256_list(sha256s),
            "report_sha256": None if report_sha256 is None else _sha256(report_sha256, "report"),
        }
        return self._record(EventKind.DEVIATION_REPORT, data)

    def purge(self, count: int) -> Record:
        """The clinician deleted ``count`` kept files (from the storage view)."""
        return self._record(EventKind.PURGE, {"count": _count(count, "count")})

    def original_deleted(self, sha256: str) -> Record:
        """The clinician deleted the file they had picked, after it was sent and they
        confirmed it is in the patient record: its SHA-256 only (its name or folder may
        hold a personnummer)."""
        return self._record(EventKind.ORIGINAL_DELETED, {"sha256": _sha256(sha256, "sha256")})

    def sign_out(self) -> Record:
        record = self._record(EventKind.SIGN_OUT, {})
        self._ended = True
        return record

    def _guarded(self, value: str, name: str) -> str:
        return self._pseudonyms.guarded(_identifier(value, name))

    def _record(self, kind: EventKind, data: dict[str, Any]) -> Record:
        if self._ended:
            raise AuditError("audit.signed_out")
        return self._append(kind, self.actor, data)


# ------------------------------------------------------------------ checks of values


def _identifier(value: object, name: str) -> str:
    if (
        not isinstance(value, str)
        or not value.strip()
        or len(value) > _MAX_ID_LENGTH
        or not value.isprintable()
    ):
        raise AuditError("audit.bad_value", field=name)
    return value


def _sha256(value: object, name: str) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value.lower()):
        raise AuditError("audit.bad_value", field=name)
    return value.lower()


def _sha256_list(values: Iterable[str], *, allow_empty: bool = False) -> list[str]:
    hashes = [_sha256(v, "sha256s") for v in values]
    if not hashes and not allow_empty:
        raise AuditError("audit.bad_value", field="sha256s")
    return hashes


def _count(value: object, name: str, *, least: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise AuditError("audit.bad_value", field=name)
    return value


def _choice(value: object, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise AuditError("audit.bad_value", field=name)
    return str(value)


# ------------------------------------------------------------------ the file


def _write_all(fd: int, data: bytes) -> None:
    # os.write may write less than asked (a signal, a full disk); under the lock the rest
    # still lands right after it, so the line stays whole or the error is raised.
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "nothing written")
        view = view[written:]


def _last_record(path: Path, size: int, chain: ChainKey) -> Record | None:
    """The last record of the file (``None`` when it is empty), which must be sound."""
    if size == 0:
        return None
    with path.open("rb") as reader:
        reader.seek(size - 1)
        if reader.read(1) != b"\n":
            raise AuditError("audit.trail_damaged", path=str(path), fault="truncated_tail")
        end = size - 1
        start = end
        tail = b""
        while start > 0:
            start = max(0, start - _TAIL_CHUNK)
            reader.seek(start)
            tail = reader.read(end - start)
            newline = tail.rfind(b"\n")
            if newline >= 0:
                tail = tail[newline + 1 :]
                break
    try:
        return parse_line(tail, chain)
    except LineError as error:
        raise AuditError("audit.trail_damaged", path=str(path), fault=error.fault.value) from None


def _reason(error: OSError) -> str:
    return errno.errorcode.get(error.errno or 0, type(error).__name__)


__all__ = [
    "RETRACTION_STATUSES",
    "TRAIL_FILE_NAME",
    "VERDICTS",
    "AuditSession",
    "AuditTrail",
    "default_folder",
]
