"""Checkpoints of the trail sent off the machine, to the gateway, which keeps them
(``POST /v1/audit-checkpoints``, docs/audit.md).

The chain's keyed hashes show any record changed, removed or added by someone without the
key; what they cannot show is records removed from the end, or the file swapped for an
older copy of itself. A checkpoint (a record's number and hash) kept where whoever can
write the file cannot reach does: ``bifoga audit verify --checkpoint SEQ:HASH`` with the
last one the gateway holds fails when that record is gone or another one.

One is sent after each record that ends something an investigator asks about (a send, a
retraction, a deviation report, a sign-out, the start of a keyed or a new trail), and
otherwise every :data:`EVERY` records, from one thread of its own so that no write waits
on the network. Several due at once are one request, for the newest record. A failed
request is logged and left: the next checkpoint covers everything before it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from app.audit.records import EventKind, Record

log = logging.getLogger(__name__)

#: Records between two checkpoints when no event asks for one sooner.
EVERY = 25
_AFTER = frozenset(
    {
        EventKind.SEND,
        EventKind.RETRACTION,
        EventKind.DEVIATION_REPORT,
        EventKind.SIGN_OUT,
        EventKind.NEW_AFTER_DAMAGE,
        EventKind.KEYED_FROM_HERE,
    }
)

#: Sends one checkpoint: (trail id, record number, record hash, record time).
Post = Callable[[str, int, str, str], object]


class CheckpointPublisher:
    """Give it each record (``trail.on_record = publisher.noticed``); it posts the newest
    due one with ``post``. :meth:`close` sends what is still due (the sign-out's) and
    waits for it; nothing is taken after."""

    def __init__(self, trail_id: str, post: Post, *, every: int = EVERY) -> None:
        self._trail_id = trail_id
        self._post = post
        self._every = every
        self._lock = threading.Lock()
        self._newest: Record | None = None
        self._last_sent = 0
        self._queued = False
        self._closed = False
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audit-checkpoint")

    def noticed(self, record: Record) -> None:
        with self._lock:
            if self._closed:
                return
            if self._newest is None or record.seq > self._newest.seq:
                self._newest = record
            due = record.kind in _AFTER or record.seq - self._last_sent >= self._every
            if not due or self._queued:
                return
            self._queued = True
        self._executor.submit(self._send)

    def flush(self) -> None:
        """Wait until what is due now has been sent (or has failed): the sign-out's
        checkpoint must go while the session's token still signs it. Blocking: call it
        off the GUI thread."""
        with self._lock:
            if self._closed:
                return
            waited = self._executor.submit(lambda: None)  # one thread: after what is queued
        waited.result()

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._executor.shutdown(wait=True)

    def _send(self) -> None:
        with self._lock:
            self._queued = False
            record = self._newest
            if record is None or record.seq <= self._last_sent:
                return
        try:
            self._post(self._trail_id, record.seq, record.hash, record.time)
        except Exception as error:  # the network, the gateway: the next one covers this
            log.warning("audit checkpoint %d not sent: %s", record.seq, type(error).__name__)
            return
        with self._lock:
            self._last_sent = max(self._last_sent, record.seq)
