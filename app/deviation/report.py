"""The deviation report ("avvikelserapport") of a file sent to the wrong person.

Built from plain values (the window fills them from the gateway's message record and the
outbox), checked once here, and kept without any identifier in clear: recipients are
masked on the way in (``app.protocol.identifiers.mask``), and anything shaped like an identifier
in the subject or a file name too, so nothing rendered from the report can show a full
personnummer. Every time is stored in UTC; the renderers show Swedish time.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.inspection.personal_data import mask_identifiers
from app.protocol.identifiers import mask, parse_canonical
from app.protocol.model import MessageKind

_SHA256 = re.compile(r"[0-9a-f]{64}")


class DeviationInputError(ValueError):
    """A value the report cannot be built from; ``code`` has a sentence in the texts."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


class SensitiveData(StrEnum):
    """What a file held, as the sender answered or inspection found."""

    NONE = "none"
    PERSONAL = "personal"
    #: Health data is a special category (GDPR art. 9) and personal data too.
    HEALTH = "health"


class RetractionStatus(StrEnum):
    """The gateway's retraction states, and ``not_requested`` before any request."""

    NOT_REQUESTED = "not_requested"
    REQUESTED = "requested"
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class StaffMember:
    staff_id: str
    name: str


@dataclass(frozen=True, slots=True)
class SignOff:
    """The colleague who signed the files off before the send."""

    reviewer: StaffMember
    signed_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Retraction:
    status: RetractionStatus = RetractionStatus.NOT_REQUESTED
    requested_at: dt.datetime | None = None
    #: When the gateway answered ``done`` (or ``refused``).
    finished_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class SentFile:
    name: str
    sha256: str
    data: SensitiveData
    #: True for the files the clinician named as sent by mistake; the others were meant.
    sent_by_mistake: bool
    retraction: Retraction = Retraction()

    @property
    def holds_personal_data(self) -> bool:
        return self.data is not SensitiveData.NONE


@dataclass(frozen=True, slots=True)
class DeviationReport:
    message_id: str
    kind: MessageKind
    case_id: str | None
    subject: str
    sent_at: dt.datetime  # UTC
    sender: StaffMember
    #: Masked (``19121212-****``), in the order the message had them.
    recipients_masked: tuple[str, ...]
    files: tuple[SentFile, ...]
    sign_off: SignOff | None
    found_at: dt.datetime  # UTC: when the mistake was found

    @property
    def recipient_count(self) -> int:
        return len(self.recipients_masked)

    @property
    def is_bulk(self) -> bool:
        return self.kind is MessageKind.NEW_CASE and self.recipient_count > 1

    @property
    def wrong_files(self) -> tuple[SentFile, ...]:
        return tuple(f for f in self.files if f.sent_by_mistake)

    @property
    def personal_data_involved(self) -> bool:
        """Whether a file sent by mistake held personal data: then it is a personal data
        breach (GDPR art. 4.12), to be reported to IMY within 72 hours."""
        return any(f.holds_personal_data for f in self.wrong_files)

    @property
    def health_data_involved(self) -> bool:
        return any(f.data is SensitiveData.HEALTH for f in self.wrong_files)


def as_utc(value: dt.datetime, field: str) -> dt.datetime:
    """``value`` in UTC; a time without a zone is refused, since it cannot be placed."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise DeviationInputError("deviation.input.time_without_zone", field=field)
    return value.astimezone(dt.UTC)


def _optional_utc(value: dt.datetime | None, field: str) -> dt.datetime | None:
    return None if value is None else as_utc(value, field)


def _masked_recipients(recipients: Sequence[str]) -> tuple[str, ...]:
    if not recipients:
        raise DeviationInputError("deviation.input.no_recipients")
    masked = []
    for position, value in enumerate(recipients, start=1):
        identifier = parse_canonical(value)
        if identifier is None:
            # The value itself is not quoted back: it may be most of a personnummer.
            raise DeviationInputError("deviation.input.recipient_invalid", position=position)
        masked.append(mask(identifier.value))
    return tuple(masked)


def _checked_file(file: SentFile) -> SentFile:
    if not file.name.strip():
        raise DeviationInputError("deviation.input.file_name_missing")
    # A file name may carry an identifier ("remiss 191212-1212.pdf"); the SHA-256 still
    # names the file exactly, so only the masked name is kept, and quoted in errors.
    name = mask_identifiers(file.name.strip())
    sha256 = file.sha256.strip().lower()
    if not _SHA256.fullmatch(sha256):
        raise DeviationInputError("deviation.input.sha256_invalid", name=name)
    retraction = Retraction(
        file.retraction.status,
        _optional_utc(file.retraction.requested_at, "retraction.requested_at"),
        _optional_utc(file.retraction.finished_at, "retraction.finished_at"),
    )
    if retraction.status is not RetractionStatus.NOT_REQUESTED and retraction.requested_at is None:
        raise DeviationInputError("deviation.input.retraction_time_missing", name=name)
    if retraction.status in (RetractionStatus.DONE, RetractionStatus.REFUSED) and (
        retraction.finished_at is None
    ):
        raise DeviationInputError("deviation.input.retraction_time_missing", name=name)
    return SentFile(name, sha256, file.data, file.sent_by_mistake, retraction)


def build_report(
    *,
    message_id: str,
    kind: MessageKind | str,
    case_id: str | None,
    subject: str,
    sent_at: dt.datetime,
    sender: StaffMember,
    recipients: Sequence[str],
    files: Sequence[SentFile],
    sign_off: SignOff | None,
    found_at: dt.datetime,
) -> DeviationReport:
    """A checked report; :class:`DeviationInputError` names the first value that is wrong.

    ``recipients`` are canonical 12-digit identifiers as the gateway returns them; only
    their masked form is kept.
    """
    if not message_id.strip():
        raise DeviationInputError("deviation.input.message_id_missing")
    try:
        message_kind = MessageKind(kind)
    except ValueError:
        raise DeviationInputError("deviation.input.kind_unknown", kind=str(kind)[:40]) from None
    sent_utc = as_utc(sent_at, "sent_at")
    found_utc = as_utc(found_at, "found_at")
    if found_utc < sent_utc:
        raise DeviationInputError("deviation.input.found_before_sent")
    checked_files = tuple(_checked_file(f) for f in files)
    if not any(f.sent_by_mistake for f in checked_files):
        raise DeviationInputError("deviation.input.no_wrong_file")
    checked_sign_off = None
    if sign_off is not None:
        signed_at = _optional_utc(sign_off.signed_at, "signed_at")
        checked_sign_off = SignOff(sign_off.reviewer, signed_at)
    return DeviationReport(
        message_id=message_id.strip(),
        kind=message_kind,
        case_id=(case_id or "").strip() or None,
        subject=mask_identifiers(subject.strip()),
        sent_at=sent_utc,
        sender=sender,
        recipients_masked=_masked_recipients(recipients),
        files=checked_files,
        sign_off=checked_sign_off,
        found_at=found_utc,
    )
