"""What the "Skickat" view lists: the clinician's sent messages, from two sources made one.

The outbox knows what this workstation is sending or could not finish (with progress and
the reason); the gateway knows what was delivered, from any workstation, and what became
of each resident's copy (delivered, or retracted). A message in both is one item: the
gateway's word on delivery wins, the outbox adds who signed off and how the send went.
Plain data, newest first; the view masks identifiers and writes the sentences.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.gateway.records import Delivery, MessageRecord
from app.outbox import JobState, OutboxJob


class SentStatus(StrEnum):
    QUEUED = "queued"
    UPLOADING = "uploading"
    SENDING = "sending"
    DELIVERED = "delivered"
    #: Delivered, and at least one file since retracted from the residents' inboxes.
    RETRACTED = "retracted"
    FAILED = "failed"
    NEEDS_ACTION = "needs_action"


_FROM_JOB = {
    JobState.QUEUED: SentStatus.QUEUED,
    JobState.UPLOADING: SentStatus.UPLOADING,
    JobState.SENDING: SentStatus.SENDING,
    JobState.DELIVERED: SentStatus.DELIVERED,
    JobState.FAILED: SentStatus.FAILED,
    JobState.NEEDS_ACTION: SentStatus.NEEDS_ACTION,
}


@dataclass(frozen=True, slots=True)
class SentFile:
    filename: str
    size: int
    sha256: str
    personal_data: bool
    retracted: bool = False


@dataclass(frozen=True, slots=True)
class SentItem:
    sent_at: float  # epoch seconds: when it was sent, or put in the outbox
    kind: str
    case_id: str | None
    subject: str
    recipients: tuple[str, ...]  # canonical identifiers (the view masks them)
    files: tuple[SentFile, ...]
    signed_off_by: str | None
    status: SentStatus
    #: The reviewer's staff id, where the gateway's record says it.
    reviewer_id: str | None = None
    deliveries: tuple[Delivery, ...] = ()
    bytes_done: int = 0
    bytes_total: int = 0
    error_code: str | None = None
    job_id: str | None = None
    message_id: str | None = None
    #: Picked up by itself after a crash or a closed window.
    resumed: bool = False

    @property
    def key(self) -> str:
        return self.message_id or f"job:{self.job_id}"

    @property
    def can_retry(self) -> bool:
        """The same request again, with its key: only for a send that did not finish."""
        return self.job_id is not None and self.status is SentStatus.NEEDS_ACTION

    @property
    def in_progress(self) -> bool:
        return self.status in (SentStatus.QUEUED, SentStatus.UPLOADING, SentStatus.SENDING)

    @property
    def is_bulk(self) -> bool:
        return len(self.recipients) > 1

    def delivery_status(self, resident_id: str) -> str | None:
        return next((d.status for d in self.deliveries if d.resident_id == resident_id), None)


def sent_items(jobs: Sequence[OutboxJob], records: Sequence[MessageRecord]) -> list[SentItem]:
    """One item per message, newest first."""
    by_message = {r.message_id: r for r in records}
    items: list[SentItem] = []
    claimed: set[str] = set()
    for job in jobs:
        record = by_message.get(job.message_id) if job.message_id else None
        if record is not None:
            claimed.add(record.message_id)
        items.append(_from_job(job, record))
    items.extend(_from_record(r) for r in records if r.message_id not in claimed)
    return sorted(items, key=lambda item: item.sent_at, reverse=True)


def _from_job(job: OutboxJob, record: MessageRecord | None) -> SentItem:
    message = job.message
    sizes = {f.sha256: f.size for f in job.files}
    retracted = _retracted_files(record)
    files = tuple(
        SentFile(
            a.filename,
            sizes.get(a.sha256, 0),
            a.sha256,
            a.personal_data,
            a.sha256 in retracted,
        )
        for a in message.attachments
    )
    deliveries = record.deliveries if record is not None else job.deliveries
    status = _FROM_JOB[job.state]
    if status is SentStatus.DELIVERED and retracted:
        status = SentStatus.RETRACTED
    signed_off_by = job.signed_off_by or (
        record.reviewer.name if record and record.reviewer else None
    )
    return SentItem(
        sent_at=_epoch(record.created_at) if record is not None else job.created_at,
        kind=str(message.kind),
        case_id=message.case_id,
        subject=message.subject,
        recipients=tuple(message.recipients),
        files=files,
        signed_off_by=signed_off_by,
        # The gateway's review answer names the reviewer's staff id (protocol 1.2); the
        # job keeps only the name, so the id comes from the message's record.
        reviewer_id=record.reviewer.staff_id if record and record.reviewer else None,
        status=status,
        deliveries=tuple(deliveries),
        bytes_done=job.bytes_done,
        bytes_total=job.bytes_total,
        error_code=job.error_code,
        job_id=job.job_id,
        message_id=job.message_id,
        resumed=job.resumed,
    )


def _from_record(record: MessageRecord) -> SentItem:
    retracted = _retracted_files(record)
    return SentItem(
        sent_at=_epoch(record.created_at),
        kind=record.kind,
        case_id=record.case_id,
        subject=record.subject,
        recipients=record.recipients,
        files=tuple(
            SentFile(a.filename, a.size, a.sha256, a.personal_data, a.sha256 in retracted)
            for a in record.attachments
        ),
        signed_off_by=record.reviewer.name if record.reviewer else None,
        reviewer_id=record.reviewer.staff_id if record.reviewer else None,
        status=SentStatus.RETRACTED if retracted else SentStatus.DELIVERED,
        deliveries=record.deliveries,
        message_id=record.message_id,
    )


def _retracted_files(record: MessageRecord | None) -> set[str]:
    if record is None:
        return set()
    return {a.sha256 for a in record.attachments if a.retracted_at is not None}


def _epoch(rfc3339: str) -> float:
    return dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()
