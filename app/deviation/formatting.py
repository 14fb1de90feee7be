"""Times, people and retraction states as the report's sentences show them."""

from __future__ import annotations

import datetime as dt

from app.config.texts import message
from app.deviation.deadline import in_swedish_time
from app.deviation.report import SentFile, StaffMember


def format_time(moment: dt.datetime, lang: str) -> str:
    """``2026-11-30 kl. 06:21`` in Swedish time (``... at 06:21`` in English)."""
    local = in_swedish_time(moment)
    return message(
        "deviation.time",
        lang,
        {"date": local.strftime("%Y-%m-%d"), "clock": local.strftime("%H:%M")},
    )


def person(member: StaffMember, lang: str) -> str:
    """``Name (staff id)``; the name alone when the id is not known (never ``Name ()``)."""
    if not member.staff_id.strip():
        return message("deviation.person_no_id", lang, {"name": member.name})
    return message("deviation.person", lang, {"name": member.name, "staff_id": member.staff_id})


def retraction_line(file: SentFile, lang: str) -> str:
    retraction = file.retraction
    params: dict[str, object] = {}
    if retraction.requested_at is not None:
        params["requested"] = format_time(retraction.requested_at, lang)
    if retraction.finished_at is not None:
        params["finished"] = format_time(retraction.finished_at, lang)
    return message(f"deviation.retraction.{retraction.status.value}", lang, params)
