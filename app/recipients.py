"""Recipients typed or pasted by a clinician: any common written form in, canonical out."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.identifiers import parse_canonical

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_TEN_OR_TWELVE = re.compile(r"(\d{6}|\d{8})([+]?)(\d{4})")


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    text: str  # as the clinician wrote it
    canonical: str | None  # None: not a valid personnummer or samordningsnummer


def canonical_from_input(text: str, *, today: dt.date | None = None) -> str | None:
    """``191212-1212``, ``19121212-1212``, ``1912121212`` and ``121212+1212`` forms to 12 digits.

    The 10-digit form takes the latest century that is not in the future; ``+`` means
    100 years or older, as Skatteverket writes it.
    """
    today = today or dt.date.today()
    compact = _SEPARATORS.sub("", text.strip())
    match = _TEN_OR_TWELVE.fullmatch(compact)
    if not match:
        return None
    date_part, plus, tail = match.groups()
    if len(date_part) == 8:
        if plus:
            return None
        candidate = date_part + tail
    else:
        yy = int(date_part[:2])
        century = today.year // 100 * 100
        year = century + yy
        mmdd = date_part[2:6]
        if year > today.year or (year == today.year and mmdd > today.strftime("%m%d")):
            year -= 100
        if plus:
            year -= 100
        candidate = f"{year:04d}{date_part[2:]}{tail}"
    return candidate if parse_canonical(candidate, today=today) else None


def parse_recipient_list(text: str) -> list[RecipientEntry]:
    """One recipient per line, comma or semicolon; blank entries are ignored."""
    entries = []
    for part in re.split(r"[\n,;]+", text):
        if part.strip():
            entries.append(RecipientEntry(part.strip(), canonical_from_input(part)))
    return entries


@dataclass(frozen=True, slots=True)
class RecipientList:
    """What a typed list of recipients says: who, what was not understood, and how many
    entries named someone already on the list (each resident gets one message)."""

    recipients: tuple[str, ...]  # canonical, distinct, in the order first written
    rejected: tuple[str, ...]  # entries as written that are no valid identifier
    duplicates: int


def read_recipients(text: str) -> RecipientList:
    recipients: list[str] = []
    rejected: list[str] = []
    duplicates = 0
    for entry in parse_recipient_list(text):
        if entry.canonical is None:
            rejected.append(entry.text)
        elif entry.canonical in recipients:
            duplicates += 1
        else:
            recipients.append(entry.canonical)
    return RecipientList(tuple(recipients), tuple(rejected), duplicates)
