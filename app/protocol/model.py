"""The words of the domain: staff, residents, cases and the kinds of message."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

# The gateway's limits live in app.protocol.limits (one home); named here too for the protocol's
# users (the sandbox, the window's counters).
from app.protocol.limits import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_BULK_RECIPIENTS,
)

__all__ = ["MAX_ATTACHMENTS_PER_MESSAGE", "MAX_ATTACHMENT_BYTES", "MAX_BULK_RECIPIENTS"]

ALLOWED_MEDIA_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/gif")


class MessageKind(StrEnum):
    REPLY = "reply"
    PARTIAL_REPLY = "partial_reply"
    COUNTER_QUESTION = "counter_question"
    NEW_CASE = "new_case"

    @property
    def answers_a_case(self) -> bool:
        """Replies, partial replies and counter-questions belong to an open case."""
        return self is not MessageKind.NEW_CASE

    @property
    def case_status_after(self) -> CaseStatus | None:
        """What sending this kind makes of its case (docs/protocol.md 1.1); None for a new case."""
        return _CASE_STATUS_AFTER.get(self)


class CaseStatus(StrEnum):
    """Where a case stands. Only an open case can be answered."""

    OPEN = "open"
    #: A counter-question was sent; the case opens again when the resident answers.
    AWAITING_RESIDENT = "awaiting_resident"
    ANSWERED = "answered"


_CASE_STATUS_AFTER = {
    MessageKind.REPLY: CaseStatus.ANSWERED,
    MessageKind.PARTIAL_REPLY: CaseStatus.OPEN,
    MessageKind.COUNTER_QUESTION: CaseStatus.AWAITING_RESIDENT,
}


class Role(StrEnum):
    SENDER = "sender"
    REVIEWER = "reviewer"


@dataclass(frozen=True, slots=True)
class Staff:
    staff_id: str
    name: str
    unit: str
    roles: tuple[str, ...]

    @property
    def is_reviewer(self) -> bool:
        return Role.REVIEWER in self.roles


@dataclass(frozen=True, slots=True)
class Resident:
    id: str  # canonical 12-digit personnummer or samordningsnummer
    name: str


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    resident: Resident
    subject: str
    opened_at: str
    status: str  # a CaseStatus value; kept a plain string so an unknown one still shows
