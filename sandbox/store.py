"""The sandbox's state in one SQLite file.

One connection guarded by a re-entrant lock: the sandbox serves a handful of clients, and a
single writer makes "claim the idempotency key", "mark the sign-off used" and "create the
message" trivially atomic. WAL keeps a reader (say, the inbox page) from blocking on a
writer. Every statement takes parameters; nothing is formatted into SQL.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sandbox import demo

log = logging.getLogger("bifoga.sandbox")

DB_NAME = "sandbox.sqlite3"
#: One piece of an attachment copied into the database.
_COPY_BYTES = 256 * 1024

_SCHEMA = """
CREATE TABLE IF NOT EXISTS staff (
    staff_id TEXT PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL, roles TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS residents (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY, unit TEXT NOT NULL, resident_id TEXT NOT NULL,
    subject TEXT NOT NULL, opened_at TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS approvals_used (
    fingerprint TEXT PRIMARY KEY, review_id TEXT NOT NULL, used_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS blobs (
    sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL, size INTEGER NOT NULL,
    stored_at TEXT NOT NULL, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS reviews (
    review_id TEXT PRIMARY KEY, sender_id TEXT NOT NULL, reviewer_id TEXT NOT NULL,
    digest TEXT NOT NULL, subject_json TEXT NOT NULL, created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL, used_by_message TEXT);
CREATE TABLE IF NOT EXISTS idempotency (
    staff_id TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL,
    state TEXT NOT NULL, status INTEGER, response TEXT, created_at TEXT NOT NULL,
    PRIMARY KEY (staff_id, key));
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT PRIMARY KEY, sender_id TEXT NOT NULL, unit TEXT NOT NULL,
    kind TEXT NOT NULL, case_id TEXT, subject TEXT NOT NULL, body TEXT NOT NULL,
    recipients TEXT NOT NULL, created_at TEXT NOT NULL, idempotency_key TEXT NOT NULL,
    review_id TEXT, reviewer_id TEXT, review_digest TEXT, reviewed_at TEXT);
CREATE INDEX IF NOT EXISTS messages_by_sender ON messages (sender_id, created_at);
CREATE TABLE IF NOT EXISTS message_attachments (
    message_id TEXT NOT NULL, position INTEGER NOT NULL, sha256 TEXT NOT NULL,
    filename TEXT NOT NULL, media_type TEXT NOT NULL, personal_data INTEGER NOT NULL,
    alt_text TEXT, retracted_at TEXT, PRIMARY KEY (message_id, position));
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, resident_id TEXT NOT NULL,
    delivered_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS deliveries_by_resident ON deliveries (resident_id);
CREATE INDEX IF NOT EXISTS deliveries_by_message ON deliveries (message_id);
CREATE TABLE IF NOT EXISTS resident_answers (
    answer_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, resident_id TEXT NOT NULL,
    body TEXT NOT NULL, answered_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS retractions (
    retraction_id TEXT PRIMARY KEY, message_id TEXT NOT NULL, staff_id TEXT NOT NULL,
    reason TEXT NOT NULL, attachments TEXT NOT NULL, status TEXT NOT NULL,
    requested_at TEXT NOT NULL, done_at TEXT);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    trail TEXT NOT NULL, seq INTEGER NOT NULL, hash TEXT NOT NULL, time TEXT NOT NULL,
    staff_id TEXT NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (trail, seq, hash));
"""


@dataclass(frozen=True, slots=True)
class ReviewRow:
    review_id: str
    sender_id: str
    reviewer_id: str
    digest: str
    created_at: str
    expires_at: str
    used_by_message: str | None


@dataclass(frozen=True, slots=True)
class IdempotencyRow:
    fingerprint: str
    state: str  # "processing" or "done"
    status: int | None
    response: str | None


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        # Resident ids and every file sent are in it: readable by this user alone from the
        # first byte (SQLite gives its -wal and -shm files the database file's mode).
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        path.chmod(0o600)
        # check_same_thread=False: request threads share this connection, always under _lock.
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._drop_credentials()
        self._db.executescript(_SCHEMA)
        self._put_blob_data_last()
        self._seed()
        self._release_keys_left_in_flight()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested calls join the outer one."""
        with self._lock:
            if self._db.in_transaction:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params).fetchall())

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            row: sqlite3.Row | None = self._db.execute(sql, params).fetchone()
            return row

    def _run(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._lock:
            return self._db.execute(sql, params).rowcount

    def _drop_credentials(self) -> None:
        """A data dir from protocol 1.1 held sign-in secrets, sessions and failed
        attempts: since 1.2 the gateway holds no credential, so they go (the staff
        table is demo data and is seeded again)."""
        with self._lock:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(staff)")}
            if "secret" in columns:
                self._db.execute("DROP TABLE staff")
            self._db.execute("DROP TABLE IF EXISTS sessions")
            self._db.execute("DROP TABLE IF EXISTS credential_failures")

    def _put_blob_data_last(self) -> None:
        """A data dir from before issue 21 has ``data`` before ``stored_at``. SQLite keeps
        a ``zeroblob(n)`` unallocated only as a row's last column; anywhere else the
        insert that reserves an attachment's room would build it whole in memory, twice."""
        columns = [row["name"] for row in self._all("PRAGMA table_info(blobs)")]
        if columns[-1] == "data":
            return
        with self.transaction():
            self._run(
                "CREATE TABLE blobs_data_last (sha256 TEXT PRIMARY KEY, media_type TEXT NOT NULL,"
                " size INTEGER NOT NULL, stored_at TEXT NOT NULL, data BLOB NOT NULL)"
            )
            self._run(
                "INSERT INTO blobs_data_last "
                "SELECT sha256, media_type, size, stored_at, data FROM blobs"
            )
            self._run("DROP TABLE blobs")
            self._run("ALTER TABLE blobs_data_last RENAME TO blobs")

    def _seed(self) -> None:
        # INSERT OR IGNORE: a data dir kept between runs keeps its state and its demo world.
        with self.transaction():
            for s in demo.STAFF:
                self._run(
                    "INSERT OR IGNORE INTO staff VALUES (?, ?, ?, ?)",
                    (s.staff_id, s.name, s.unit, ",".join(s.roles)),
                )
            for r in demo.RESIDENTS:
                self._run("INSERT OR IGNORE INTO residents VALUES (?, ?)", (r.id, r.name))
            for c in demo.CASES:
                self._run(
                    "INSERT OR IGNORE INTO cases VALUES (?, ?, ?, ?, ?, ?)",
                    (c.case_id, c.unit, c.resident_id, c.subject, c.opened_at, c.status),
                )
            # Protocol 1.0 called an answered case "closed"; a data dir from then reads on.
            self._run("UPDATE cases SET status = 'answered' WHERE status = 'closed'")

    # -- staff -------------------------------------------------------------

    def staff(self, staff_id: str) -> demo.StaffMember | None:
        row = self._one("SELECT * FROM staff WHERE staff_id = ?", (staff_id,))
        if row is None:
            return None
        roles = tuple(r for r in row["roles"].split(",") if r)
        return demo.StaffMember(row["staff_id"], row["name"], row["unit"], roles)

    def note_staff(self, staff: demo.StaffMember) -> None:
        """Write what the identity provider says of a staff member into the directory."""
        self._run(
            "INSERT INTO staff VALUES (?, ?, ?, ?) ON CONFLICT (staff_id) DO UPDATE SET "
            "name = excluded.name, unit = excluded.unit, roles = excluded.roles",
            (staff.staff_id, staff.name, staff.unit, ",".join(staff.roles)),
        )

    def all_staff(self) -> list[demo.StaffMember]:
        rows = self._all("SELECT staff_id FROM staff ORDER BY rowid")
        return [s for r in rows if (s := self.staff(r["staff_id"])) is not None]

    def residents(self) -> list[tuple[str, str]]:
        return [(r["id"], r["name"]) for r in self._all("SELECT * FROM residents ORDER BY rowid")]

    def resident_name(self, resident_id: str) -> str | None:
        row = self._one("SELECT name FROM residents WHERE id = ?", (resident_id,))
        return None if row is None else str(row["name"])

    def use_approval(self, fingerprint: str, review_id: str, at: str) -> bool:
        """Note an approval as used by ``review_id``; False if it was used before."""
        return (
            self._run(
                "INSERT OR IGNORE INTO approvals_used VALUES (?, ?, ?)",
                (fingerprint, review_id, at),
            )
            == 1
        )

    # -- cases --------------------------------------------------------------------------

    def cases(self, unit: str, status: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT c.*, r.name AS resident_name FROM cases c "
            "LEFT JOIN residents r ON r.id = c.resident_id "
            "WHERE c.unit = ? AND c.status = ? ORDER BY c.opened_at",
            (unit, status),
        )

    def case(self, case_id: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM cases WHERE case_id = ?", (case_id,))

    def open_case(
        self, case_id: str, unit: str, resident_id: str, subject: str, opened_at: str
    ) -> None:
        """A resident opens a case (tests that need many: a clinician's 50 open cases)."""
        with self.transaction():
            self._run(
                "INSERT INTO cases VALUES (?, ?, ?, ?, ?, ?)",
                (case_id, unit, resident_id, subject, opened_at, "open"),
            )

    def set_case_status(self, case_id: str, status: str) -> None:
        self._run("UPDATE cases SET status = ? WHERE case_id = ?", (status, case_id))

    def cases_of_resident(self, resident_id: str, status: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM cases WHERE resident_id = ? AND status = ? ORDER BY opened_at",
            (resident_id, status),
        )

    def add_resident_answer(
        self, answer_id: str, case_id: str, resident_id: str, body: str, at: str
    ) -> None:
        self._run(
            "INSERT INTO resident_answers VALUES (?, ?, ?, ?, ?)",
            (answer_id, case_id, resident_id, body, at),
        )

    def resident_answers(self, resident_id: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM resident_answers WHERE resident_id = ? "
            "ORDER BY answered_at DESC, rowid DESC",
            (resident_id,),
        )

    def case_answers(self, case_id: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM resident_answers WHERE case_id = ? ORDER BY answered_at, rowid",
            (case_id,),
        )

    def case_messages(self, case_id: str) -> list[sqlite3.Row]:
        """The staff's messages in a case, oldest first, with the sender's name."""
        return self._all(
            "SELECT m.*, s.name AS sender_name FROM messages m "
            "LEFT JOIN staff s ON s.staff_id = m.sender_id "
            "WHERE m.case_id = ? ORDER BY m.created_at, m.rowid",
            (case_id,),
        )

    # -- attachments ----------------------------------------------------------------------

    def blob_media_type(self, sha256: str) -> str | None:
        row = self._one("SELECT media_type FROM blobs WHERE sha256 = ?", (sha256,))
        return None if row is None else str(row["media_type"])

    def put_blob(self, sha256: str, media_type: str, source: IO[bytes], size: int, at: str) -> bool:
        """Store ``size`` bytes read from ``source``; False when they were already held.
        Copied in pieces into SQLite's incremental blob, never held whole in memory."""
        with self.transaction():
            cursor = self._db.execute(
                "INSERT OR IGNORE INTO blobs (sha256, media_type, size, stored_at, data) "
                "VALUES (?, ?, ?, ?, zeroblob(?))",
                (sha256, media_type, size, at, size),
            )
            row = cursor.lastrowid
            if cursor.rowcount != 1 or row is None:
                return False
            with self._db.blobopen("blobs", "data", row) as blob:
                while chunk := source.read(_COPY_BYTES):
                    blob.write(chunk)
            return True

    def blob(self, sha256: str) -> tuple[str, bytes] | None:
        row = self._one("SELECT media_type, data FROM blobs WHERE sha256 = ?", (sha256,))
        return None if row is None else (str(row["media_type"]), bytes(row["data"]))

    # -- sign-offs ------------------------------------------------------------------------

    def add_review(
        self,
        review_id: str,
        sender_id: str,
        reviewer_id: str,
        digest: str,
        subject: dict[str, Any],
        created_at: str,
        expires_at: str,
    ) -> None:
        self._run(
            "INSERT INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                review_id,
                sender_id,
                reviewer_id,
                digest,
                json.dumps(subject),
                created_at,
                expires_at,
            ),
        )

    def review(self, review_id: str) -> ReviewRow | None:
        row = self._one("SELECT * FROM reviews WHERE review_id = ?", (review_id,))
        if row is None:
            return None
        return ReviewRow(
            row["review_id"],
            row["sender_id"],
            row["reviewer_id"],
            row["digest"],
            row["created_at"],
            row["expires_at"],
            row["used_by_message"],
        )

    def use_review(self, review_id: str, message_id: str) -> bool:
        """Mark the sign-off used by this message; False if another message got there first."""
        return (
            self._run(
                "UPDATE reviews SET used_by_message = ? "
                "WHERE review_id = ? AND used_by_message IS NULL",
                (message_id, review_id),
            )
            == 1
        )

    # -- idempotency keys -------------------------------------------------------------

    def idempotency(self, staff_id: str, key: str) -> IdempotencyRow | None:
        row = self._one("SELECT * FROM idempotency WHERE staff_id = ? AND key = ?", (staff_id, key))
        if row is None:
            return None
        return IdempotencyRow(row["fingerprint"], row["state"], row["status"], row["response"])

    def claim_idempotency(self, staff_id: str, key: str, fingerprint: str, at: str) -> None:
        self._run(
            "INSERT INTO idempotency VALUES (?, ?, ?, 'processing', NULL, NULL, ?)",
            (staff_id, key, fingerprint, at),
        )

    def finish_idempotency(self, staff_id: str, key: str, status: int, response: str) -> None:
        self._run(
            "UPDATE idempotency SET state = 'done', status = ?, response = ? "
            "WHERE staff_id = ? AND key = ?",
            (status, response, staff_id, key),
        )

    def _release_keys_left_in_flight(self) -> None:
        """Free every key a stopped gateway left "processing" (docs/protocol.md 1.1).

        A message, its deliveries and its key's "done" are written in one transaction, so a
        key still "processing" when the store opens belongs to a request whose message was
        never made: freeing it lets the same key and body make it now. Nothing else serves
        this data folder at that moment (one sandbox per folder).
        """
        released = self._run("DELETE FROM idempotency WHERE state = 'processing'")
        if released:
            log.info("released %d idempotency key(s) left in flight by a stop", released)

    def release_idempotency(self, staff_id: str, key: str) -> None:
        self._run(
            "DELETE FROM idempotency WHERE staff_id = ? AND key = ? AND state = 'processing'",
            (staff_id, key),
        )

    # -- messages -------------------------------------------------------------------------

    def add_message(self, row: dict[str, Any], attachments: list[dict[str, Any]]) -> None:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        # Column names come from our own code, never from a request.
        self._run(f"INSERT INTO messages ({columns}) VALUES ({marks})", list(row.values()))
        for position, a in enumerate(attachments):
            self._run(
                "INSERT INTO message_attachments VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                (
                    row["message_id"],
                    position,
                    a["sha256"],
                    a["filename"],
                    a["media_type"],
                    int(a["personal_data"]),
                    a.get("alt_text"),
                ),
            )

    def add_delivery(self, delivery_id: str, message_id: str, resident_id: str, at: str) -> None:
        self._run(
            "INSERT INTO deliveries VALUES (?, ?, ?, ?)", (delivery_id, message_id, resident_id, at)
        )

    def message(self, message_id: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM messages WHERE message_id = ?", (message_id,))

    def message_by_key(self, sender_id: str, key: str) -> sqlite3.Row | None:
        return self._one(
            "SELECT * FROM messages WHERE sender_id = ? AND idempotency_key = ?", (sender_id, key)
        )

    def messages_by(self, sender_id: str, since: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM messages WHERE sender_id = ? AND created_at >= ? ORDER BY created_at",
            (sender_id, since),
        )

    def message_attachments(self, message_id: str) -> list[sqlite3.Row]:
        """Each attachment of the message, with the ``size`` of its bytes."""
        return self._all(
            "SELECT a.*, b.size FROM message_attachments a "
            "LEFT JOIN blobs b ON b.sha256 = a.sha256 "
            "WHERE a.message_id = ? ORDER BY a.position",
            (message_id,),
        )

    def deliveries(self, message_id: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM deliveries WHERE message_id = ? ORDER BY rowid", (message_id,)
        )

    def delivery(self, delivery_id: str) -> sqlite3.Row | None:
        return self._one("SELECT * FROM deliveries WHERE delivery_id = ?", (delivery_id,))

    def deliveries_to(self, resident_id: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT d.delivery_id, d.delivered_at, m.*, s.name AS sender_name "
            "FROM deliveries d JOIN messages m ON m.message_id = d.message_id "
            "LEFT JOIN staff s ON s.staff_id = m.sender_id "
            "WHERE d.resident_id = ? ORDER BY d.delivered_at DESC, d.rowid DESC",
            (resident_id,),
        )

    def ledger(self) -> list[sqlite3.Row]:
        return self._all(
            "SELECT d.delivery_id, d.message_id, d.resident_id, d.delivered_at, "
            "m.idempotency_key, m.sender_id FROM deliveries d "
            "JOIN messages m ON m.message_id = d.message_id ORDER BY d.rowid"
        )

    # -- retractions ----------------------------------------------------------------------

    def add_retraction(
        self,
        retraction_id: str,
        message_id: str,
        staff_id: str,
        reason: str,
        attachments: list[str],
        at: str,
    ) -> None:
        self._run(
            "INSERT INTO retractions VALUES (?, ?, ?, ?, ?, 'requested', ?, NULL)",
            (retraction_id, message_id, staff_id, reason, json.dumps(attachments), at),
        )

    def complete_retraction(
        self, retraction_id: str, message_id: str, attachments: list[str], at: str
    ) -> None:
        with self.transaction():
            for sha256 in attachments:
                self._run(
                    "UPDATE message_attachments SET retracted_at = ? "
                    "WHERE message_id = ? AND sha256 = ? AND retracted_at IS NULL",
                    (at, message_id, sha256),
                )
            self._run(
                "UPDATE retractions SET status = 'done', done_at = ? WHERE retraction_id = ?",
                (at, retraction_id),
            )

    def retractions(self, message_id: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM retractions WHERE message_id = ? ORDER BY requested_at, rowid",
            (message_id,),
        )

    def add_audit_checkpoint(self, row: dict[str, Any]) -> None:
        """Kept as sent; the same one again changes nothing (a retried request)."""
        self._run(
            "INSERT OR IGNORE INTO audit_checkpoints VALUES (?, ?, ?, ?, ?, ?)",
            tuple(row[k] for k in ("trail", "seq", "hash", "time", "staff_id", "received_at")),
        )

    def audit_checkpoints(self, trail: str) -> list[sqlite3.Row]:
        return self._all(
            "SELECT * FROM audit_checkpoints WHERE trail = ? ORDER BY seq, received_at", (trail,)
        )
