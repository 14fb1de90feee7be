from __future__ import annotations

import datetime as dt

import pytest

from app.drafts.recipients import canonical_from_input, parse_recipient_list, read_recipients

TODAY = dt.date(2026, 11, 26)


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("19121212-1212", "191212121212"),
        ("191212121212", "191212121212"),
        ("121212-1212", "201212121212"),  # latest century not in the future
        ("121212+1212", "191212121212"),  # + means a hundred years or older
        ("121212 – 1212", "201212121212"),
        (" 191212121212 ", "191212121212"),
    ],
)
def test_written_forms_become_canonical(typed: str, canonical: str) -> None:
    assert canonical_from_input(typed, today=TODAY) == canonical


@pytest.mark.parametrize("typed", ["19121212-1213", "1912121212", "abc", "19121212-121", ""])
def test_invalid_entries_are_not_accepted(typed: str) -> None:
    assert canonical_from_input(typed, today=TODAY) is None


def test_a_pasted_list_keeps_what_was_not_understood() -> None:
    entries = parse_recipient_list("19121212-1212\n\nfel; 189001019802")
    assert [e.canonical for e in entries] == ["191212121212", None, "189001019802"]
    assert entries[1].text == "fel"


def test_a_resident_written_twice_is_one_recipient_and_the_repeat_is_counted() -> None:
    typed = "19121212-1212\n191212121212; 19680102-9288, inte ett nummer\n196801029288"
    read = read_recipients(typed)
    assert read.recipients == ("191212121212", "196801029288")
    assert read.rejected == ("inte ett nummer",)
    assert read.duplicates == 2
