"""Phone numbers as the personal-data detector reads them: parsed and validated by Google's
libphonenumber (Swedish by default), written in E.164 to compare, and masked to show."""

from __future__ import annotations

import re

import phonenumbers

_NON_DIGIT = re.compile(r"\D")

#: Numbers that are an organisation's, never a resident's.
EXCLUDED_PHONE_TYPES = frozenset(
    {
        phonenumbers.PhoneNumberType.SHARED_COST,  # 0771, 077-67 30 000 (service desks)
        phonenumbers.PhoneNumberType.TOLL_FREE,  # 020
        phonenumbers.PhoneNumberType.PREMIUM_RATE,  # 0900, 0939, 0944
        phonenumbers.PhoneNumberType.UAN,  # 010: organisations' numbers
    }
)


def parse_phone(candidate: str) -> phonenumbers.PhoneNumber | None:
    digits = _NON_DIGIT.sub("", candidate)
    if not 7 <= len(digits) <= 15:
        return None
    try:
        number = phonenumbers.parse(candidate.replace("(0)", ""), "SE")
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_e164(value: str) -> str | None:
    number = parse_phone(value)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(candidate: str) -> str:
    """``070-123 45 12`` -> ``07x-xxx xx 12``: the operator prefix and last two digits stay."""
    digit_positions = [i for i, c in enumerate(candidate) if c.isdigit()]
    keep = set(digit_positions[:2]) | set(digit_positions[-2:])
    if candidate.startswith(("+", "00")):
        keep |= set(digit_positions[:4])
    return "".join(c if (not c.isdigit() or i in keep) else "x" for i, c in enumerate(candidate))
