"""Sample values for the deviation report, as the window would take them from the
gateway's message record and the outbox.

Residents are Skatteverket's test personnummer (attribution in tests/files/README.md),
born 1999 so that they are valid whatever today's date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from app.config.settings import Contact
from app.deviation import (
    DeviationReport,
    Retraction,
    RetractionStatus,
    SensitiveData,
    SentFile,
    SignOff,
    StaffMember,
    build_report,
)

_NUMBERS = Path(__file__).resolve().parents[1] / "files" / "testpersonnummer.txt"

#: Saturday 28 March 2026, the day before Sweden moves to summer time (29 March, 02:00).
SENT_AT = dt.datetime(2026, 3, 28, 14, 5, tzinfo=dt.UTC)
FOUND_AT = dt.datetime(2026, 3, 28, 14, 50, tzinfo=dt.UTC)
NOW = dt.datetime(2026, 3, 29, 8, 0, tzinfo=dt.UTC)
PORTAL = "https://serviceportal.region.example/deviation-deletion"
WRONG_SHA = "9f2d6c1e5b0a4f8e7d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10"
MEANT_SHA = "0c1b2a3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b"


def sample_residents(count: int) -> list[str]:
    lines = _NUMBERS.read_text(encoding="ascii").split()
    return [line for line in lines if line.startswith("1999")][:count]


def contacts() -> list[Contact]:
    return [
        Contact("service_desk_public", "Servicedesk (offentliga vårdgivare)", "30 000"),
        Contact("manager", "Åsa Öberg", "", "asa.oberg@region.example"),
        Contact("data_protection", "Förvaltningens dataskyddssamordnare", "", ""),
        Contact("information_security", "Informationssäkerhetssamordnare Per Ek", ""),
    ]


def wrong_file(
    data: SensitiveData = SensitiveData.HEALTH,
    status: RetractionStatus = RetractionStatus.DONE,
    name: str = "Provsvar blodstatus åäö.pdf",
) -> SentFile:
    requested = None if status is RetractionStatus.NOT_REQUESTED else FOUND_AT
    finished = (
        FOUND_AT + dt.timedelta(minutes=1)
        if status in (RetractionStatus.DONE, RetractionStatus.REFUSED)
        else None
    )
    return SentFile(name, WRONG_SHA, data, True, Retraction(status, requested, finished))


def meant_file() -> SentFile:
    return SentFile("Kallelse.pdf", MEANT_SHA, SensitiveData.NONE, False)


def sample_report(
    *,
    files: Sequence[SentFile] | None = None,
    recipients: Sequence[str] | None = None,
    kind: str = "reply",
    found_at: dt.datetime = FOUND_AT,
    subject: str = "Svar på din fråga om vaccination",
) -> DeviationReport:
    return build_report(
        message_id="msg-4f1c",
        kind=kind,
        case_id="case-0042" if kind != "new_case" else None,
        subject=subject,
        sent_at=SENT_AT,
        sender=StaffMember("anna", "Anna Sandlåda"),
        recipients=list(recipients) if recipients is not None else sample_residents(1),
        files=list(files) if files is not None else [wrong_file(), meant_file()],
        sign_off=SignOff(StaffMember("bertil", "Bertil Sandlåda"), SENT_AT),
        found_at=found_at,
    )
