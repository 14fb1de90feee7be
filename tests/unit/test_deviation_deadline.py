"""The 72-hour deadline for reporting a personal data breach to IMY (GDPR art. 33)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from app.deviation import (
    DeviationInputError,
    ImyDeadline,
    SensitiveData,
    TimeLeft,
    imy_deadline,
)
from app.deviation.deadline import in_swedish_time
from tests.support.deviation_samples import FOUND_AT, meant_file, sample_report, wrong_file

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def test_the_deadline_is_72_hours_after_the_mistake_was_found_not_after_the_send() -> None:
    deadline = imy_deadline(sample_report())
    assert deadline is not None
    assert deadline.found_at == FOUND_AT
    assert deadline.deadline == dt.datetime(2026, 3, 31, 14, 50, tzinfo=dt.UTC)


def test_across_the_change_to_summer_time_it_is_72_real_hours_shown_in_swedish_time() -> None:
    # Found 15:50 Swedish winter time (UTC+1) on 28 March; the clocks go forward on the 29th,
    # so 72 hours later a clock in Sweden shows 16:50 (UTC+2).
    deadline = ImyDeadline.from_found_at(FOUND_AT)
    assert in_swedish_time(FOUND_AT).strftime("%H:%M %z") == "15:50 +0100"
    local = deadline.deadline_in_sweden
    assert (local.date(), local.strftime("%H:%M %z")) == (dt.date(2026, 3, 31), "16:50 +0200")
    assert deadline.deadline - deadline.found_at == dt.timedelta(hours=72)


def test_across_the_change_back_to_winter_time() -> None:
    found = dt.datetime(2026, 10, 24, 22, 30, tzinfo=STOCKHOLM)  # Saturday night, UTC+2
    deadline = ImyDeadline.from_found_at(found)
    assert deadline.found_at == dt.datetime(2026, 10, 24, 20, 30, tzinfo=dt.UTC)
    assert deadline.deadline_in_sweden.strftime("%Y-%m-%d %H:%M %z") == "2026-10-27 21:30 +0100"


def test_time_left_counts_down_in_whole_minutes() -> None:
    deadline = ImyDeadline.from_found_at(FOUND_AT)
    assert deadline.time_left(FOUND_AT) == TimeLeft(72, 0, overdue=False)
    later = FOUND_AT + dt.timedelta(hours=17, minutes=10, seconds=59)
    assert deadline.time_left(later) == TimeLeft(54, 49, overdue=False)
    assert deadline.time_left(deadline.deadline) == TimeLeft(0, 0, overdue=False)


def test_after_the_deadline_the_time_is_counted_as_overdue() -> None:
    deadline = ImyDeadline.from_found_at(FOUND_AT)
    late = deadline.deadline + dt.timedelta(hours=3, minutes=5)
    assert deadline.time_left(late) == TimeLeft(3, 5, overdue=True)


def test_time_left_is_the_same_whatever_zone_now_is_given_in() -> None:
    deadline = ImyDeadline.from_found_at(FOUND_AT)
    now_utc = FOUND_AT + dt.timedelta(hours=20)
    assert deadline.time_left(now_utc) == deadline.time_left(now_utc.astimezone(STOCKHOLM))


def test_a_time_without_a_zone_is_refused_rather_than_guessed() -> None:
    with pytest.raises(DeviationInputError) as raised:
        ImyDeadline.from_found_at(dt.datetime(2026, 3, 28, 15, 50))
    assert raised.value.code == "deviation.input.time_without_zone"
    with pytest.raises(DeviationInputError):
        ImyDeadline.from_found_at(FOUND_AT).time_left(dt.datetime(2026, 3, 29, 8, 0))


@pytest.mark.parametrize("data", [SensitiveData.PERSONAL, SensitiveData.HEALTH])
def test_a_deadline_exists_when_a_wrong_file_held_personal_or_health_data(
    data: SensitiveData,
) -> None:
    assert imy_deadline(sample_report(files=[wrong_file(data), meant_file()])) is not None


def test_no_deadline_when_no_wrong_file_held_personal_data() -> None:
    assert imy_deadline(sample_report(files=[wrong_file(SensitiveData.NONE)])) is None
