"""The outbox journal: every send as a job in SQLite, durable before the first byte leaves.

A job holds what is needed to finish the send after any crash, kill or lost connection,
and to send nothing twice: the idempotency key, the exact request body (the ``review_id``
included), the staged files it uploads, and how far it got. The journal is one file in the
user's data folder, private to the user (it names residents), in WAL mode with
``synchronous=FULL``: a commit is on disk when it returns, and a reader (the window's list)
never waits for a writer (the sender).

One connection per ``Outbox``, shared by the threads of one process under a lock; several
processes may open the same file (SQLite's own locking, with a busy timeout).

What names residents and says what is sent (the request body, the files' names and paths,
the deliveries) is sealed per row and column with the user's storage key (``app.storage.sealed``,
role ``outbox``, the job id and column as associated data, so a row's sealed body cannot
be moved to another row). The key, state and counters stay clear: they are what the
journal is searched by, and name no one. A journal from before (schema 1, in clear) is
sealed when opened, and vacuumed so that no clear page stays in the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from app.gateway.client import Delivery, OutgoingAttachment, OutgoingMessage
from app.lifecycle import ClosedOnExit
from app.storage import sealed, storage_key
from app.storage.sealed import Role, SealedError
from app.storage.storage_key import StorageKey

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
#: The columns sealed with the storage key (schema 2); JSON inside.
SEALED_COLUMNS = ("request", "files", "deliveries")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    job_id TEXT PRIMARY KEY,
    staff_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    request TEXT NOT NULL,
    files TEXT NOT NULL,
    bytes_done INTEGER NOT NULL,
    bytes_total INTEGER NOT NULL,
    message_id TEXT,
    deliveries TEXT NOT NULL,
    error_code TEXT,
    signed_off_by TEXT,
    resumed INTEGER NOT NULL,
    posted INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_by_staff ON jobs (staff_id, created_at);
"""


class JobState(StrEnum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    SENDING = "sending"
    DELIVERED = "delivered"
    #: The gateway refused it (``error_code`` is the gateway's code).
    FAILED = "failed"
    #: It could not finish (``error_code`` is an ``outbox.*`` code); the clinician retries.
    NEEDS_ACTION = "needs_action"


#: States a running sender moves through; a job found in one of them at start was
#: interrupted, and is resumed by itself.
IN_PROGRESS = frozenset({JobState.QUEUED, JobState.UPLOADING, JobState.SENDING})


@dataclass(frozen=True, slots=True)
class JobFile:
    sha256: str
    path: Path  # the staged copy; it belongs to the job until the job is delivered
    media_type: str
    size: int
    filename: str


@dataclass(frozen=True, slots=True)
class OutboxJob:
    job_id: str
    staff_id: str
    idempotency_key: str
    state: JobState
    created_at: float  # epoch seconds
    updated_at: float
    message: OutgoingMessage  # exactly the request body, review_id included
    files: tuple[JobFile, ...]
    bytes_done: int
    bytes_total: int
    message_id: str | None
    deliveries: tuple[Delivery, ...]
    error_code: str | None  # stable: the gateway's code (FAILED) or "outbox.*"
    signed_off_by: str | None  # the reviewer's name, for the sent view
    resumed: bool  # True once it was picked up after a restart
    #: True once the message's POST may have left: from then on a lost answer is looked
    #: up by key before anything is sent again.
    posted: bool = False

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.DELIVERED, JobState.FAILED)

    @property
    def can_retry(self) -> bool:
        return self.state in (JobState.FAILED, JobState.NEEDS_ACTION)


class KeyInOutbox(Exception):
    """A job with this idempotency key is already in the outbox: adding it again could
    send the message twice. ``code`` is ``outbox.already_sent`` or ``outbox.already_queued``
    for the window; ``job`` is the job that holds the key."""

    def __init__(self, job: OutboxJob) -> None:
        self.job = job
        self.code = (
            "outbox.already_sent" if job.state is JobState.DELIVERED else "outbox.already_queued"
        )
        super().__init__(self.code)


class Outbox(ClosedOnExit):
    def __init__(self, path: Path, *, key: StorageKey | None = None) -> None:
        """``key`` seals the personal columns (the process's storage key when none is given)."""
        self._key = key or storage_key.current()
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Created private before SQLite opens it; SQLite gives its -wal and -shm files the
        # same permissions.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        self._lock = threading.RLock()
        # check_same_thread=False: the window's threads share it, always under _lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit has reached the disk (WAL's default, NORMAL, may lose the last
        # commits on power loss, and a lost "delivered" would only cost a look-up, but a
        # lost job would be a send the clinician believes is on its way).
        self._db.execute("PRAGMA synchronous=FULL")
        # Pages freed by an update are overwritten, not left with their old (clear) bytes.
        self._db.execute("PRAGMA secure_delete=ON")
        self._db.executescript(_SCHEMA)
        self._seal_clear_rows()
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._closed = False
        self._running: set[str] = set()

    def _seal_clear_rows(self) -> None:
        """Seal the rows a schema-1 journal wrote in clear, then rebuild the file."""
        with self._transaction():
            clear = self._db.execute(
                "SELECT job_id, request, files, deliveries FROM jobs WHERE typeof(request) = 'text'"
            ).fetchall()
            for row in clear:
                sealed_values = [
                    self._seal(row["job_id"], column, json.loads(row[column]))
                    for column in SEALED_COLUMNS
                ]
                self._db.execute(
                    "UPDATE jobs SET request = ?, files = ?, deliveries = ? WHERE job_id = ?",
                    (*sealed_values, row["job_id"]),
                )
        if clear:
            self._db.execute("VACUUM")
            self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _seal(self, job_id: str, column: str, value: Any) -> bytes:
        plain = json.dumps(value, ensure_ascii=False).encode("utf-8")
        return sealed.seal(plain, Role.OUTBOX, key=self._key, context=f"{job_id}/{column}")

    def _open(self, row: sqlite3.Row, column: str) -> Any:
        stored = row[column]
        if not isinstance(stored, bytes):
            raise SealedError("storage.not_sealed")  # sealed at open; never read in clear
        context = f"{row['job_id']}/{column}"
        return json.loads(sealed.unseal(stored, Role.OUTBOX, key=self._key, context=context))

    def _job(self, row: sqlite3.Row) -> OutboxJob:
        return _job(
            row,
            request=self._open(row, "request"),
            files=self._open(row, "files"),
            deliveries=self._open(row, "deliveries"),
        )

    def _readable_jobs(self, rows: list[sqlite3.Row]) -> list[OutboxJob]:
        """The jobs of ``rows`` this user's key opens. Others (sealed under a key for one
        sandbox run, or by another user) are left where they are, and logged."""
        jobs = []
        for row in rows:
            try:
                jobs.append(self._job(row))
            except SealedError:
                log.warning("outbox job %s cannot be opened with this key; left", row["job_id"])
        return jobs

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # -- adding and reading ---------------------------------------------------------------

    def add(
        self,
        message: OutgoingMessage,
        files: Sequence[JobFile],
        idempotency_key: str,
        staff_id: str,
        signed_off_by: str | None = None,
    ) -> OutboxJob:
        """Journal a send; it is on disk when this returns, before any byte leaves.

        Raises KeyInOutbox when a job already holds the key (whatever its body): the same
        key again would be a second send of one message.
        """
        now = time.time()
        job_id = uuid.uuid4().hex
        with self._transaction():
            existing = self._row("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,))
            if existing is not None:
                raise KeyInOutbox(self._job(existing))
            self._db.execute(
                "INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, NULL, ?, NULL, ?, 0, 0)",
                (
                    job_id,
                    staff_id,
                    idempotency_key,
                    JobState.QUEUED.value,
                    now,
                    now,
                    self._seal(job_id, "request", message.to_json()),
                    self._seal(job_id, "files", [_file_json(f) for f in files]),
                    sum(f.size for f in files),
                    self._seal(job_id, "deliveries", []),
                    signed_off_by,
                ),
            )
        added = self.job(job_id)
        assert added is not None
        return added

    def job(self, job_id: str) -> OutboxJob | None:
        row = self._row("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
        return None if row is None else self._job(row)

    def job_for_key(self, idempotency_key: str) -> OutboxJob | None:
        row = self._row("SELECT * FROM jobs WHERE idempotency_key = ?", (idempotency_key,))
        return None if row is None else self._job(row)

    def jobs(self, staff_id: str) -> list[OutboxJob]:
        """The clinician's jobs, newest first."""
        return self._readable_jobs(
            self._rows(
                "SELECT * FROM jobs WHERE staff_id = ? ORDER BY created_at DESC, rowid DESC",
                (staff_id,),
            )
        )

    def unfinished(self, staff_id: str) -> list[OutboxJob]:
        """The clinician's jobs not yet delivered or refused, oldest first (the order they
        are sent in): those in progress and those waiting for a retry."""
        return self._readable_jobs(
            self._rows(
                "SELECT * FROM jobs WHERE staff_id = ? AND state NOT IN (?, ?) "
                "ORDER BY created_at, rowid",
                (staff_id, JobState.DELIVERED.value, JobState.FAILED.value),
            )
        )

    def retry(self, job_id: str) -> OutboxJob:
        """Queue a FAILED or NEEDS_ACTION job again, with the same key and body.

        Raises LookupError for an unknown job and ValueError for one that cannot be retried.
        """
        with self._transaction():
            row = self._row("SELECT * FROM jobs WHERE job_id = ?", (job_id,))
            if row is None:
                raise LookupError(job_id)
            if not self._job(row).can_retry:
                raise ValueError(f"a {row['state']} job cannot be retried")
            self._db.execute(
                "UPDATE jobs SET state = ?, error_code = NULL, updated_at = ? WHERE job_id = ?",
                (JobState.QUEUED.value, time.time(), job_id),
            )
        retried = self.job(job_id)
        assert retried is not None
        return retried

    # -- what the sender records (app.outbox.delivery) ------------------------------------

    @contextlib.contextmanager
    def running(self, job_id: str) -> Iterator[bool]:
        """Whether this caller may run the job: False while another thread of this process
        runs it (a retry pressed during the resume at start, say). Two runs would still
        deliver once, by the key, but would record the job's progress over each other."""
        with self._lock:
            mine = job_id not in self._running
            self._running.add(job_id)
        try:
            yield mine
        finally:
            if mine:
                with self._lock:
                    self._running.discard(job_id)

    def record(self, job_id: str, **changes: Any) -> OutboxJob:
        """Change a job's progress and commit it. Accepts ``state``, ``bytes_done``,
        ``message_id``, ``deliveries``, ``error_code``, ``resumed`` and ``posted``."""
        columns: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "state":
                columns[name] = JobState(value).value
            elif name == "deliveries":
                columns[name] = self._seal(
                    job_id, name, [[d.resident_id, d.delivery_id, d.status] for d in value]
                )
            elif name in ("resumed", "posted"):
                columns[name] = int(bool(value))
            elif name in ("bytes_done", "message_id", "error_code"):
                columns[name] = value
            else:
                raise TypeError(f"not a progress field: {name}")
        columns["updated_at"] = time.time()
        assignments = ", ".join(f"{name} = ?" for name in columns)  # names from the list above
        with self._transaction():
            self._db.execute(
                f"UPDATE jobs SET {assignments} WHERE job_id = ?", (*columns.values(), job_id)
            )
        recorded = self.job(job_id)
        if recorded is None:
            raise LookupError(job_id)
        return recorded

    def _row(self, sql: str, params: Sequence[Any]) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, params).fetchone()
            return row

    def _rows(self, sql: str, params: Sequence[Any]) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())


# -- rows to jobs -------------------------------------------------------------------------


def _file_json(f: JobFile) -> dict[str, Any]:
    return {
        "sha256": f.sha256,
        "path": str(f.path),
        "media_type": f.media_type,
        "size": f.size,
        "filename": f.filename,
    }


def message_from_json(data: dict[str, Any]) -> OutgoingMessage:
    """The request body as it was journalled, back as the message it was made from
    (``to_json`` of the result is that body again)."""
    return OutgoingMessage(
        kind=str(data["kind"]),
        case_id=data["case_id"],
        recipients=[str(r) for r in data["recipients"]],
        subject=str(data["subject"]),
        body=str(data["body"]),
        attachments=[
            OutgoingAttachment(
                sha256=str(a["sha256"]),
                filename=str(a["filename"]),
                media_type=str(a["media_type"]),
                personal_data=bool(a["personal_data"]),
                alt_text=a.get("alt_text"),
            )
            for a in data["attachments"]
        ],
        review_id=data["review_id"],
    )


def _job(row: sqlite3.Row, *, request: Any, files: Any, deliveries: Any) -> OutboxJob:
    return OutboxJob(
        job_id=row["job_id"],
        staff_id=row["staff_id"],
        idempotency_key=row["idempotency_key"],
        state=JobState(row["state"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        message=message_from_json(request),
        files=tuple(
            JobFile(f["sha256"], Path(f["path"]), f["media_type"], f["size"], f["filename"])
            for f in files
        ),
        bytes_done=row["bytes_done"],
        bytes_total=row["bytes_total"],
        message_id=row["message_id"],
        deliveries=tuple(Delivery(*d) for d in deliveries),
        error_code=row["error_code"],
        signed_off_by=row["signed_off_by"],
        resumed=bool(row["resumed"]),
        posted=bool(row["posted"]),
    )
