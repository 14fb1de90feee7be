"""A sent message as the gateway records it, for the window's "Skickat" view.

``GET /v1/messages/{id}`` and ``GET /v1/messages?sent_by=me`` answer with the same message
shape; :func:`parse_message_record` is the one place that reads it. It checks every field's
type and raises ``ValueError`` (or ``KeyError``/``TypeError`` for a missing or misshapen
part) on anything else, which the client turns into a ``bad_response`` error: a record the
clinician relies on is never half-read.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Delivery:
    """One resident's copy of a message."""

    resident_id: str
    delivery_id: str
    status: str  # "delivered", or "retracted" once one of its files was retracted


@dataclass(frozen=True, slots=True)
class AttachmentRecord:
    sha256: str
    filename: str
    media_type: str
    size: int  # bytes
    personal_data: bool
    #: When the file was retracted from the residents' inboxes; None while it is there.
    retracted_at: str | None


@dataclass(frozen=True, slots=True)
class Reviewer:
    """The colleague who signed off."""

    staff_id: str
    name: str


@dataclass(frozen=True, slots=True)
class MessageRecord:
    message_id: str
    created_at: str
    kind: str
    case_id: str | None
    subject: str
    attachments: tuple[AttachmentRecord, ...]
    #: One per resident; ``status`` is ``delivered`` or ``retracted``.
    deliveries: tuple[Delivery, ...]
    #: None when the message needed no sign-off.
    reviewer: Reviewer | None

    @property
    def recipients(self) -> tuple[str, ...]:
        return tuple(d.resident_id for d in self.deliveries)


def parse_message_record(data: Mapping[str, Any]) -> MessageRecord:
    review = data["review"]
    return MessageRecord(
        message_id=_text(data["message_id"]),
        created_at=_text(data["created_at"]),
        kind=_text(data["kind"]),
        case_id=_optional_text(data["case_id"]),
        subject=_text(data["subject"]),
        attachments=tuple(
            AttachmentRecord(
                sha256=_text(a["sha256"]),
                filename=_text(a["filename"]),
                media_type=_text(a["media_type"]),
                size=_count(a["size"]),
                personal_data=_flag(a["personal_data"]),
                retracted_at=_optional_text(a.get("retracted_at")),
            )
            for a in _items(data["attachments"])
        ),
        deliveries=tuple(parse_delivery(d) for d in _items(data["deliveries"])),
        reviewer=None
        if review is None
        else Reviewer(_text(review["reviewer"]["staff_id"]), _text(review["reviewer"]["name"])),
    )


def parse_delivery(data: Mapping[str, Any]) -> Delivery:
    return Delivery(_text(data["resident_id"]), _text(data["delivery_id"]), _text(data["status"]))


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {type(value).__name__}")
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else _text(value)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {type(value).__name__}")
    return value


def _count(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError("expected a whole number >= 0")
    return value


def _items(value: object) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise ValueError("expected a list of objects")
    return value
