"""Drafts ready to send, large files and sign-offs, for the outbox's tests and benchmark."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from app.drafts.message_draft import Attachment, Draft, SignOff
from app.gateway.client import GatewayClient
from app.inspection.report import InspectionReport
from app.protocol.model import Case, MessageKind
from app.send.sending import outgoing_message
from app.storage.staging import StagingArea
from tests.support.pdfgen import text_pdf
from tests.support.signed_client import request_review

BULK_LIMIT_BYTES = 20 * 1024 * 1024


def padded_pdf(path: Path, size: int, seed: int, text: str = "Kallelse") -> Path:
    """A real one-page PDF of about ``size`` bytes: the page, then a comment of random
    letters after it (readers ignore what follows %%EOF), so each seed gives other bytes
    and an upload of ``size`` bytes."""
    head = text_pdf([[text, f"Variant {seed}"]], title=text, lang="sv-SE")
    filler = random.Random(seed).randbytes(max(0, size - len(head) - 2))
    # Printable, so the comment is one harmless line whatever the random bytes were.
    comment = bytes(65 + b % 26 for b in filler)
    path.write_bytes(head + b"\n%" + comment)
    return path


def ready_draft(
    staging: StagingArea,
    source: Path,
    recipients: list[str],
    *,
    personal_data: bool = False,
    kind: MessageKind = MessageKind.NEW_CASE,
    case: Case | None = None,
    subject: str = "Kallelse",
    body: str = "Hej! Här kommer kallelsen.",
) -> Draft:
    """A draft the send gate lets through but for a sign-off: the file staged, inspected
    (its personal data as given) and every page seen."""
    staged = staging.stage(source)
    attachment = Attachment(staged, page_count=1, seen_pages={0})
    attachment.report = InspectionReport(
        staged.sha256, staged.media_type, 1, (), personal_data_found=personal_data
    )
    draft = Draft(kind, case, subject=subject, body=body)
    if not kind.answers_a_case:
        draft.new_case_recipients = list(recipients)
    draft.attachments.append(attachment)
    return draft


def sign_off(client: GatewayClient, draft: Draft, reviewer: str) -> SignOff:
    """A colleague's real sign-off from the gateway, for exactly this draft (approved at
    the sandbox's identity provider)."""
    review = request_review(client, reviewer, outgoing_message(draft).review_subject())
    expires_at = dt.datetime.fromisoformat(review.expires_at).timestamp()
    return SignOff(
        review.review_id, review.reviewer_id, review.reviewer_name, review.digest, expires_at
    )
