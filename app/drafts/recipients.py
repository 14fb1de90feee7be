"""Recipients typed or pasted by a clinician: any common written form in, canonical out.

Every entry is first made ASCII by :func:`app.protocol.identifiers.ascii_form` (NFKC, then ASCII
digits only), so fullwidth digits and dashes read as the ordinary ones and one resident
written two ways is one recipient; an entry with other digits (Arabic-Indic, Devanagari)
is refused with :data:`RECIPIENT_NON_ASCII_DIGITS` rather than guessed at.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.protocol.identifiers import ascii_form, parse_canonical

# After NFKC: white space, the ASCII hyphen and the dashes NFKC leaves as they are.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212]")
_TEN_OR_TWELVE = re.compile(r"([0-9]{6}|[0-9]{8})([+]?)([0-9]{4})")

#: Why an entry is not a recipient (``resources/texts/recipient.json``, ``{line}`` names it).
NOT_AN_IDENTIFIER = "recipient.not_an_identifier"
RECIPIENT_NON_ASCII_DIGITS = "recipient.non_ascii_digits"


@dataclass(frozen=True, slots=True)
class RecipientEntry:
    text: str  # as the clinician wrote it
    canonical: str | None  # None: not a valid personnummer or samordningsnummer
    line: int = 1  # 1-based line of the pasted text it stands on
    #: Why ``canonical`` is None: NOT_AN_IDENTIFIER or RECIPIENT_NON_ASCII_DIGITS.
    problem: str | None = None


def canonical_from_input(text: str, *, today: dt.date | None = None) -> str | None:
    """``191212-1212``, ``19121212-1212``, ``1912121212`` and ``121212+1212`` forms to 12 digits.

    The 10-digit form takes the latest century that is not in the future; ``+`` means
    100 years or older, as Skatteverket writes it.
    """
    canonical, _problem = _read(text, today)
    return canonical


def _read(text: str, today: dt.date | None) -> tuple[str | None, str | None]:
    normal = ascii_form(text)
    if normal is None:
        return None, RECIPIENT_NON_ASCII_DIGITS
    today = today or dt.date.today()
    compact = _SEPARATORS.sub("", normal.strip())
    match = _TEN_OR_TWELVE.fullmatch(compact)
    if not match:
        return None, NOT_AN_IDENTIFIER
    date_part, plus, tail = match.groups()
    if len(date_part) == 8:
        if plus:
            return None, NOT_AN_IDENTIFIER
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
    if parse_canonical(candidate, today=today) is None:
        return None, NOT_AN_IDENTIFIER
    return candidate, None


def parse_recipient_list(text: str, *, today: dt.date | None = None) -> list[RecipientEntry]:
    """One recipient per line, comma or semicolon; blank entries are ignored."""
    entries = []
    for number, line in enumerate(text.splitlines() or [""], start=1):
        for part in re.split(r"[,;]+", line):
            if part.strip():
                canonical, problem = _read(part, today)
                entries.append(RecipientEntry(part.strip(), canonical, number, problem))
    return entries


@dataclass(frozen=True, slots=True)
class Refusal:
    """An entry that names nobody: where it is, what it says and why (a code above)."""

    line: int
    text: str
    code: str


@dataclass(frozen=True, slots=True)
class RecipientList:
    """What a typed list of recipients says: who, what was not understood, and how many
    entries named someone already on the list (each resident gets one message)."""

    recipients: tuple[str, ...]  # canonical, distinct, in the order first written
    rejected: tuple[str, ...]  # entries as written that are no valid identifier
    duplicates: int
    refusals: tuple[Refusal, ...] = ()  # the rejected entries with their line and why


def read_recipients(text: str, *, today: dt.date | None = None) -> RecipientList:
    recipients: list[str] = []
    refusals: list[Refusal] = []
    duplicates = 0
    for entry in parse_recipient_list(text, today=today):
        if entry.canonical is None:
            refusals.append(Refusal(entry.line, entry.text, entry.problem or NOT_AN_IDENTIFIER))
        elif entry.canonical in recipients:
            duplicates += 1
        else:
            recipients.append(entry.canonical)
    rejected = tuple(r.text for r in refusals)
    return RecipientList(tuple(recipients), rejected, duplicates, tuple(refusals))
