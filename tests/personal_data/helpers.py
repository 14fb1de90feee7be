"""Shared helpers for the personal-data tests (no dependency on ../shared at run time)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

from app.protocol.identifiers import luhn_ok

FILES = Path(__file__).resolve().parent.parent / "files"
#: Pinned so the century of ten-digit forms does not move with the calendar.
TODAY = dt.date(2026, 6, 1)


@cache
def skatteverket_numbers() -> tuple[str, ...]:
    """Skatteverket's 41,493 test personnummer, canonical 12-digit form."""
    lines = (FILES / "testpersonnummer.txt").read_text(encoding="ascii").split()
    return tuple(line.strip() for line in lines if line.strip())


def with_check_digit(nine: str) -> str:
    """``YYMMDDNNN`` -> ``YYMMDDNNNC`` (the Luhn check digit appended)."""
    return next(nine + str(d) for d in range(10) if luhn_ok(nine + str(d)))


def hundred_or_older(canonical: str, today: dt.date = TODAY) -> bool:
    """Whether the ten-digit form takes ``+`` (the year one turns 100 or later)."""
    year, month, day = int(canonical[:4]), int(canonical[4:6]), int(canonical[6:8]) % 60
    return (year + 100, month, day) <= (today.year, today.month, today.day)
