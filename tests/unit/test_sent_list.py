"""The "Skickat" list: the outbox and the gateway's records made one list, newest first."""

from __future__ import annotations

from pathlib import Path

from app.after_send.sent_list import SentStatus, sent_items
from app.gateway.client import OutgoingAttachment, OutgoingMessage
from app.gateway.records import AttachmentRecord, Delivery, MessageRecord, Reviewer
from app.outbox import JobFile, JobState, OutboxJob

KARIN, GUNNAR = "196801029288", "194501103297"
SHA = "a" * 64


def job(
    state: JobState,
    *,
    message_id: str | None = None,
    created_at: float = 1_000.0,
    code: str | None = None,
) -> OutboxJob:
    message = OutgoingMessage(
        kind="new_case",
        case_id=None,
        recipients=[KARIN, GUNNAR],
        subject="Kallelse",
        body="Välkommen",
        attachments=[OutgoingAttachment(SHA, "Kallelse.pdf", "application/pdf", True)],
        review_id="r1",
    )
    return OutboxJob(
        job_id=f"job-{state.value}",
        staff_id="anna",
        idempotency_key=f"key-{state.value}",
        state=state,
        created_at=created_at,
        updated_at=created_at,
        message=message,
        files=(
            JobFile(SHA, Path("/staging/x/Kallelse.pdf"), "application/pdf", 1234, "Kallelse.pdf"),
        ),
        bytes_done=600,
        bytes_total=1234,
        message_id=message_id,
        deliveries=(),
        error_code=code,
        signed_off_by="Bertil Berg",
        resumed=False,
    )


def record(message_id: str, created_at: str, *, retracted: bool = False) -> MessageRecord:
    return MessageRecord(
        message_id=message_id,
        created_at=created_at,
        kind="new_case",
        case_id=None,
        subject="Kallelse",
        attachments=(
            AttachmentRecord(
                SHA,
                "Kallelse.pdf",
                "application/pdf",
                1234,
                True,
                "2026-11-30T10:00:00Z" if retracted else None,
            ),
        ),
        deliveries=(
            Delivery(KARIN, "d1", "retracted" if retracted else "delivered"),
            Delivery(GUNNAR, "d2", "delivered"),
        ),
        reviewer=Reviewer("bertil", "Bertil Berg"),
    )


def test_a_message_in_the_outbox_and_at_the_gateway_is_one_item_with_both_halves() -> None:
    items = sent_items(
        [job(JobState.DELIVERED, message_id="m1")], [record("m1", "2026-11-30T09:00:00Z")]
    )
    (item,) = items
    assert item.status is SentStatus.DELIVERED and item.message_id == "m1"
    assert item.job_id == "job-delivered" and item.signed_off_by == "Bertil Berg"
    # The deviation report names the reviewer by staff id too: it comes from the record.
    assert item.reviewer_id == "bertil"
    assert item.delivery_status(KARIN) == "delivered" and item.is_bulk
    (file,) = item.files
    assert (file.filename, file.size, file.sha256, file.personal_data) == (
        "Kallelse.pdf",
        1234,
        SHA,
        True,
    )


def test_unfinished_and_refused_sends_show_with_their_progress_and_reason() -> None:
    items = sent_items(
        [
            job(JobState.UPLOADING, created_at=3_000.0),
            job(JobState.NEEDS_ACTION, created_at=2_000.0, code="outbox.gateway_unreachable"),
            job(JobState.FAILED, created_at=1_000.0, code="review_expired"),
        ],
        [],
    )
    assert [i.status for i in items] == [
        SentStatus.UPLOADING,
        SentStatus.NEEDS_ACTION,
        SentStatus.FAILED,
    ], "newest first"
    uploading, waiting, refused = items
    assert uploading.in_progress and (uploading.bytes_done, uploading.bytes_total) == (600, 1234)
    assert waiting.can_retry and waiting.error_code == "outbox.gateway_unreachable"
    assert not refused.can_retry, "a refused request is put right as a draft, not resent"


def test_messages_sent_from_another_workstation_and_retractions_are_listed() -> None:
    items = sent_items([], [record("m2", "2026-11-30T08:00:00Z", retracted=True)])
    (item,) = items
    assert item.status is SentStatus.RETRACTED and item.job_id is None
    assert item.files[0].retracted and item.delivery_status(KARIN) == "retracted"
    assert item.signed_off_by == "Bertil Berg"
