"""Swedish personal identity numbers in their canonical 12-digit form.

A resident is addressed by a personnummer or a samordningsnummer written
``YYYYMMDDNNNC`` (docs/protocol.md). This module decides whether such a string is a
valid identifier and how to show it masked. Finding identifiers in free text
(other written forms, reserve numbers) is the personal-data detector's job,
which builds on the rules here.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

# ASCII only: ``\d`` and ``int()`` accept every Unicode digit (fullwidth, Arabic-Indic...),
# and one resident written with other digits must never become a second recipient.
_TWELVE_DIGITS = re.compile(r"[0-9]{12}")

#: Samordningsnummer add 60 to the day of birth.
COORDINATION_DAY_OFFSET = 60


class IdentifierKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"


def ascii_form(text: str) -> str | None:
    """``text`` as it is compared: Unicode NFKC, which makes fullwidth digits and dashes
    (``１９１２…``, ``－``) ASCII, and then no other digit than ASCII ``0``-``9``.

    ``None`` when a digit is left that is not ASCII (Arabic-Indic ``١``, Devanagari
    ``१``, mathematical ``𝟏`` are made ASCII by NFKC, the first two are not): such an
    entry is refused (``recipient.non_ascii_digits``) rather than read, so that no written form
    can make one resident two recipients. This is the one normalisation every identifier
    the client or the gateway reads goes through (docs/protocol.md).
    """
    normal = unicodedata.normalize("NFKC", text)
    if normal.isascii():
        return normal
    if any(
        not char.isascii() and (char.isdigit() or unicodedata.category(char) == "Nd")
        for char in normal
    ):
        return None
    return normal


def ascii_digits(text: str) -> bool:
    """Whether ``text`` is one or more ASCII digits (``str.isdigit`` takes any script's)."""
    return bool(text) and text.isascii() and text.isdigit()


@dataclass(frozen=True, slots=True)
class ResidentIdentifier:
    """A validated identifier, always stored in canonical 12-digit form."""

    value: str
    kind: IdentifierKind

    @property
    def masked(self) -> str:
        return mask(self.value)


def luhn_ok(ten_digits: str) -> bool:
    """The Luhn check that Skatteverket uses, over ``YYMMDDNNNC``."""
    total = 0
    for index, char in enumerate(ten_digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return total % 10 == 0


def date_is_possible(year: int, month: int, day: int, *, coordination: bool) -> bool:
    """Whether the date part can belong to an identifier of that kind.

    Samordningsnummer may carry month ``00`` (month unknown) and day ``60``
    (day unknown); a personnummer always names a real date.
    """
    if coordination:
        if not COORDINATION_DAY_OFFSET <= day <= COORDINATION_DAY_OFFSET + 31:
            return False
        day -= COORDINATION_DAY_OFFSET
        if month == 0:
            return 0 <= day <= 31
        if not 1 <= month <= 12:
            return False
        return day == 0 or day <= calendar.monthrange(year, month)[1]
    if not 1 <= month <= 12 or day < 1:
        return False
    return day <= calendar.monthrange(year, month)[1]


def parse_canonical(value: str, *, today: dt.date | None = None) -> ResidentIdentifier | None:
    """The identifier in ``value`` if it is a valid 12-digit one, else ``None``.

    Valid means: twelve ASCII digits, a serial other than 000, the Luhn check
    over the last ten digits, a date that exists (leap years included) and a
    year of birth not in the future.
    """
    if not isinstance(value, str) or not _TWELVE_DIGITS.fullmatch(value):
        return None
    year, month, day = int(value[0:4]), int(value[4:6]), int(value[6:8])
    if value[8:11] == "000" or not luhn_ok(value[2:]):
        return None
    coordination = day > 31 or (day == COORDINATION_DAY_OFFSET)
    if not date_is_possible(year, month, day, coordination=coordination):
        return None
    today = today or dt.date.today()
    if year > today.year or year < 1800:
        return None
    if not coordination and dt.date(year, month, day) > today:
        return None
    kind = IdentifierKind.SAMORDNINGSNUMMER if coordination else IdentifierKind.PERSONNUMMER
    return ResidentIdentifier(value, kind)


def is_valid_resident_id(value: str) -> bool:
    return parse_canonical(value) is not None


def is_organisation_number(ten_digits: str) -> bool:
    """Organisationsnummer put 20 or more in the "month" (third and fourth digit).

    A personnummer's month is 01..12 and a samordningsnummer's 00..12, so a
    ten-digit number with a "month" of 20+ can never be a person's (sole traders use
    their personnummer, which this rule rightly leaves personal).
    """
    return len(ten_digits) >= 4 and int(ten_digits[2:4]) >= 20


def resolve_century(
    yy: int, month: int, day: int, *, plus: bool, today: dt.date | None = None
) -> int:
    """The four-digit year of a ten-digit identifier ``YYMMDD[-+]NNNC``.

    Skatteverket's rule: the latest century in which the date is not in the future;
    the ``+`` separator (written from the year one turns 100) moves it back another
    hundred years. ``month``/``day`` may be 0 (unknown, samordningsnummer); a day
    above 31 must already have had the 60 taken off.
    """
    today = today or dt.date.today()
    year = (today.year // 100) * 100 + yy
    # Comparing tuples avoids building a date that may not exist (29 Feb, day 0).
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    if plus:
        year -= 100
    return year


def canonical_from_parts(
    date_digits: str, serial: str, *, plus: bool = False, today: dt.date | None = None
) -> ResidentIdentifier | None:
    """A valid identifier from a written date part (6 or 8 digits) and a 4-digit serial.

    This is the one validator behind every written form (``YYMMDD-NNNC``,
    ``YYMMDD+NNNC``, ``YYYYMMDDNNNC``, ...): the caller strips the separator and
    says whether it was ``+``. Returns ``None`` for organisationsnummer, a failed
    Luhn check, serial 000, a date that does not exist or a birth in the future.
    """
    if len(serial) != 4 or not ascii_digits(serial) or not ascii_digits(date_digits):
        return None
    if len(date_digits) == 8:
        # Spelled-out century: the canonical form already; "+" adds nothing here.
        return parse_canonical(date_digits + serial, today=today)
    if len(date_digits) != 6:
        return None
    ten = date_digits + serial
    if is_organisation_number(ten):
        return None
    month, day = int(ten[2:4]), int(ten[4:6])
    real_day = day - COORDINATION_DAY_OFFSET if day >= COORDINATION_DAY_OFFSET else day
    year = resolve_century(int(ten[0:2]), month, real_day, plus=plus, today=today)
    return parse_canonical(f"{year:04d}{ten[2:]}", today=today)


def plausible_date_part(date_digits: str) -> bool:
    """Whether 6 or 8 digits could be the date part of any identifier (no Luhn, no century).

    Used where over-masking is cheap and under-masking is not (log records).
    """
    if len(date_digits) not in (6, 8) or not ascii_digits(date_digits):
        return False
    month, day = int(date_digits[-4:-2]), int(date_digits[-2:])
    if day >= COORDINATION_DAY_OFFSET:
        return month <= 12 and day <= COORDINATION_DAY_OFFSET + 31
    return 1 <= month <= 12 and 1 <= day <= 31


def mask(value: str, shown: int = 0) -> str:
    """``191212121212`` -> ``19121212-****``: the date stays, the personal part never shows.
    With ``shown``, that many of the last digits show (``19121212-***2``): only to tell
    apart two residents born the same day (:func:`distinct_masks`)."""
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) >= 8:
        tail = digits[8:]
        shown = max(0, min(shown, len(tail)))
        return f"{digits[:8]}-{'*' * (len(tail) - shown)}{tail[len(tail) - shown :]}"
    return "*" * len(value)


def distinct_masks(values: Sequence[str]) -> dict[str, str]:
    """Each value's mask, distinguishable from the others': where two residents share a
    birth date (``19680102-****`` twice), as few of the last digits show as tell them
    apart (usually the check digit alone). Values that are the same stay the same."""
    out: dict[str, str] = {}
    groups: dict[str, list[str]] = {}
    for value in dict.fromkeys(values):
        groups.setdefault(mask(value), []).append(value)
    for plain, group in groups.items():
        shown = 0
        while len({mask(v, shown) for v in group}) < len(group) and shown < 4:
            shown += 1
        for value in group:
            out[value] = mask(value, shown) if len(group) > 1 else plain
    return out
