""" "Fel fil skickad": from a sent message to its deviation report (docs/requirements.md R9, R10).

The clinician names the files that went wrong (and which held health data); the
gateway says how their retraction goes. This turns a "Skickat" item, those answers and
the gateway's retraction requests into the report of :mod:`app.deviation`. Plain data:
the window asks, this decides what goes into the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from app.after_send.sent_list import SentItem
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
from app.protocol.model import Staff

_STATUS = {
    "requested": RetractionStatus.REQUESTED,
    "done": RetractionStatus.DONE,
    "refused": RetractionStatus.REFUSED,
}


def retractions_by_file(requests: Sequence[Mapping[str, Any]]) -> dict[str, Retraction]:
    """Each file's retraction as the gateway lists its requests (the latest per file)."""
    found: dict[str, Retraction] = {}
    for request in sorted(requests, key=lambda r: str(r.get("requested_at") or "")):
        status = _STATUS.get(str(request.get("status")))
        if status is None:
            continue
        requested = _time(request.get("requested_at"))
        finished = (
            _time(request.get("done_at")) if status is not RetractionStatus.REQUESTED else None
        )
        if status is not RetractionStatus.REQUESTED and finished is None:
            finished = requested  # the gateway gave no time of its own: the request's
        for sha256 in request.get("attachments") or []:
            found[str(sha256)] = Retraction(status, requested, finished)
    return found


def report_for(
    item: SentItem,
    *,
    sender: Staff,
    wrong_files: Collection[str],
    health_files: Collection[str],
    retractions: Mapping[str, Retraction],
    found_at: dt.datetime,
) -> DeviationReport:
    """The report of ``item`` with the files named by SHA-256 as sent by mistake.

    A file's data is health data where the clinician said so, personal data where it was
    sent as holding personal data, and none otherwise.
    """
    if item.message_id is None:
        raise ValueError("only a delivered message has a deviation report")
    files = [
        SentFile(
            name=f.filename,
            sha256=f.sha256,
            data=SensitiveData.HEALTH
            if f.sha256 in health_files
            else SensitiveData.PERSONAL
            if f.personal_data
            else SensitiveData.NONE,
            sent_by_mistake=f.sha256 in wrong_files,
            retraction=retractions.get(f.sha256, Retraction()),
        )
        for f in item.files
    ]
    sign_off = (
        SignOff(StaffMember(item.reviewer_id or "", item.signed_off_by))
        if item.signed_off_by
        else None
    )
    return build_report(
        message_id=item.message_id,
        kind=item.kind,
        case_id=item.case_id,
        subject=item.subject,
        sent_at=dt.datetime.fromtimestamp(item.sent_at, dt.UTC),
        sender=StaffMember(sender.staff_id, sender.name),
        recipients=item.recipients,
        files=files,
        sign_off=sign_off,
        found_at=found_at,
    )


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
