"""The deadline for reporting a personal data breach to IMY.

GDPR art. 33: the controller reports a personal data breach to the supervisory authority
(IMY in Sweden) without undue delay and, where feasible, within 72 hours of becoming aware
of it. Bifoga counts from when the clinician found the mistake, the earliest moment the
organisation can be said to be aware. Times are kept in UTC and shown in Swedish time, so
a deadline across a change to or from summer time is still exactly 72 hours away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from app.deviation.report import DeviationReport, as_utc

IMY_REPORTING_WINDOW = dt.timedelta(hours=72)
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")


def in_swedish_time(moment: dt.datetime) -> dt.datetime:
    """``moment`` as a clock in Sweden shows it."""
    return as_utc(moment, "moment").astimezone(SWEDISH_TIME)


@dataclass(frozen=True, slots=True)
class TimeLeft:
    """What remains until the deadline, rounded down to whole minutes."""

    hours: int
    minutes: int
    overdue: bool

    @classmethod
    def of(cls, remaining: dt.timedelta) -> TimeLeft:
        overdue = remaining < dt.timedelta(0)
        whole_minutes = int(abs(remaining).total_seconds() // 60)
        return cls(whole_minutes // 60, whole_minutes % 60, overdue)


@dataclass(frozen=True, slots=True)
class ImyDeadline:
    found_at: dt.datetime  # UTC
    deadline: dt.datetime  # UTC

    @classmethod
    def from_found_at(cls, found_at: dt.datetime) -> ImyDeadline:
        found_utc = as_utc(found_at, "found_at")
        return cls(found_utc, found_utc + IMY_REPORTING_WINDOW)

    @property
    def deadline_in_sweden(self) -> dt.datetime:
        return self.deadline.astimezone(SWEDISH_TIME)

    def time_left(self, now: dt.datetime) -> TimeLeft:
        return TimeLeft.of(self.deadline - as_utc(now, "now"))


def imy_deadline(report: DeviationReport) -> ImyDeadline | None:
    """The deadline when a file sent by mistake held personal data, else ``None``."""
    if not report.personal_data_involved:
        return None
    return ImyDeadline.from_found_at(report.found_at)
