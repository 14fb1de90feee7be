"""Sending a draft: upload each staged file once, then create the message once.

The draft's idempotency key goes with the message, so a retry after a lost answer
(by the client's retry loop, or by the clinician pressing Send again) is recognised
by the gateway and delivered exactly once. The caller checks the send gate first;
this module checks it again, because a send must never rely on a button's state.

``enqueue_draft`` is the durable way: the send becomes a job in the outbox journal
(``app.outbox``) before anything leaves, and ``app.outbox.run_job`` sends it.
``send_draft`` sends at once, without a journal.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.drafts.message_draft import Draft
from app.gateway.client import GatewayClient, OutgoingAttachment, OutgoingMessage, SentMessage
from app.outbox import JobFile, JobState, Outbox, OutboxJob
from app.send import send_gate
from app.storage.staging import read_staged

#: progress(step, done, total): step is "upload" (bytes) or "message".
Progress = Callable[[str, int, int], None]


class NotReadyToSend(Exception):
    def __init__(self, reasons: list[send_gate.Reason]) -> None:
        super().__init__(", ".join(r.code for r in reasons))
        self.reasons = reasons


@dataclass(frozen=True, slots=True)
class SendResult:
    message: SentMessage
    sent_attachments: tuple[str, ...]  # sha256 of each


def outgoing_message(draft: Draft) -> OutgoingMessage:
    return OutgoingMessage(
        kind=draft.kind.value,
        case_id=draft.case_id,
        recipients=list(draft.recipients),
        subject=draft.subject.strip(),
        body=draft.body.strip(),
        attachments=[
            OutgoingAttachment(
                sha256=a.sha256,
                filename=a.filename,
                media_type=a.media_type,
                personal_data=a.personal_data,
                alt_text=a.alt_text.strip() or None,
            )
            for a in draft.attachments
        ],
        review_id=draft.sign_off.review_id if draft.needs_sign_off and draft.sign_off else None,
    )


def enqueue_draft(draft: Draft, outbox: Outbox, staff_id: str) -> OutboxJob:
    """Journal the draft's send as an outbox job: the exact request (``review_id``
    included), its key and its staged files, which belong to the job from now on.

    Raises NotReadyToSend when the send gate still has a reason, and
    ``app.outbox.KeyInOutbox`` when this draft's key already has a job that is on its way
    or delivered (sending it again could deliver twice). After a job the gateway refused,
    the draft is a new request: it gets a fresh key.
    """
    blocking = send_gate.reasons(draft)
    if blocking:
        raise NotReadyToSend(blocking)
    message = outgoing_message(draft)
    earlier = outbox.job_for_key(draft.idempotency_key)
    if earlier is not None and earlier.state is JobState.FAILED:
        draft.idempotency_key = str(uuid.uuid4())
    files = [
        JobFile(a.sha256, a.staged.path, a.media_type, a.staged.size, a.filename)
        for a in draft.attachments
    ]
    signed_off_by = draft.sign_off.reviewer_name if message.review_id and draft.sign_off else None
    return outbox.add(message, files, draft.idempotency_key, staff_id, signed_off_by)


def send_draft(draft: Draft, client: GatewayClient, progress: Progress | None = None) -> SendResult:
    blocking = send_gate.reasons(draft)
    if blocking:
        raise NotReadyToSend(blocking)
    total = sum(a.staged.size for a in draft.attachments)
    done = 0
    for attachment in draft.attachments:
        base = done

        def report(sent: int, _size: int, base: int = base) -> None:
            if progress:
                progress("upload", base + sent, total)

        client.upload_attachment(
            read_staged(attachment.staged.path), attachment.sha256, attachment.media_type, report
        )
        done += attachment.staged.size
        if progress:
            progress("upload", done, total)
    if progress:
        progress("message", 0, 1)
    message = client.send_message(outgoing_message(draft), draft.idempotency_key)
    if progress:
        progress("message", 1, 1)
    return SendResult(message, tuple(a.sha256 for a in draft.attachments))
