"""What the gateway client's calls take and give (docs/protocol.md), plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.gateway.records import Delivery
from app.protocol.review import ReviewedAttachment, ReviewSubject, message_sha256


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """A sandbox demo card, as its start page lists it (the PIN is typed at the sandbox's
    identity provider, never into Bifoga)."""

    staff_id: str
    pin: str = field(repr=False)
    name: str
    unit: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SandboxIdp:
    """The sandbox's own identity provider and Bifoga's client id at it."""

    issuer: str
    client_id: str


@dataclass(frozen=True, slots=True)
class Review:
    review_id: str
    reviewer_id: str
    reviewer_name: str
    digest: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    sha256: str
    filename: str
    media_type: str
    personal_data: bool
    alt_text: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    kind: str
    case_id: str | None
    recipients: Sequence[str]
    subject: str
    body: str
    attachments: Sequence[OutgoingAttachment] = ()
    review_id: str | None = None

    def review_subject(self) -> ReviewSubject:
        """What a colleague signs off on for this message (docs/protocol.md)."""
        return ReviewSubject(
            kind=str(self.kind),
            case_id=self.case_id,
            recipients=tuple(self.recipients),
            attachments=tuple(
                ReviewedAttachment(a.sha256, a.filename, a.personal_data) for a in self.attachments
            ),
            message_sha256=message_sha256(self.subject, self.body),
        )

    def to_json(self) -> dict[str, Any]:
        attachments = []
        for a in self.attachments:
            item: dict[str, Any] = {
                "sha256": a.sha256,
                "filename": a.filename,
                "media_type": a.media_type,
                "personal_data": a.personal_data,
            }
            if a.alt_text is not None:
                item["alt_text"] = a.alt_text
            attachments.append(item)
        return {
            "kind": str(self.kind),
            "case_id": self.case_id,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "body": self.body,
            "attachments": attachments,
            "review_id": self.review_id,
        }


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    created_at: str
    deliveries: list[Delivery]
    replayed: bool  # the gateway had already created it: this is its first answer again
