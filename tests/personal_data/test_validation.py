"""Single-digit changes are rejected; samordningsnummer, interim and reserve numbers are found;
organisationsnummer and digits inside longer runs or tokens are not."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.inspection.personal_data import Detector
from app.protocol.identifiers import canonical_from_parts, luhn_ok, parse_canonical
from tests.personal_data.helpers import TODAY, skatteverket_numbers, with_check_digit

DETECTOR = Detector(today=TODAY)
IDENTIFIERS = {"personnummer", "samordningsnummer"}


def _identifier_hits(text: str) -> list[str]:
    return [h.identifier or "" for h in DETECTOR.find(text) if h.kind in IDENTIFIERS]


def _variants(canonical: str) -> list[str]:
    """Every single-digit change over the ten Luhn-covered digits (YYMMDDNNNC)."""
    out = []
    for position in range(2, 12):
        for digit in "0123456789":
            if digit != canonical[position]:
                out.append(canonical[:position] + digit + canonical[position + 1 :])
    return out


def test_every_single_digit_change_of_a_sample_is_rejected() -> None:
    sample = skatteverket_numbers()[::100]  # 415 numbers x 90 changes x 2 forms
    twelve, tens = [], []
    for number in sample:
        for variant in _variants(number):
            twelve.append(f"Pnr {variant[:8]}-{variant[8:]} ")
            tens.append(f"Pnr {variant[2:8]}-{variant[8:]} ")
    # One call per form: a text of ~37,000 changed numbers must yield no identifier.
    assert _identifier_hits("".join(twelve)) == []
    assert _identifier_hits("".join(tens)) == []


valid_numbers = st.sampled_from(skatteverket_numbers())


@settings(max_examples=300, deadline=None)
@given(valid_numbers, st.integers(2, 11), st.integers(1, 9))
def test_hypothesis_single_digit_change_is_rejected(number: str, position: int, add: int) -> None:
    digit = str((int(number[position]) + add) % 10)
    changed = number[:position] + digit + number[position + 1 :]
    assert parse_canonical(changed, today=TODAY) is None
    assert _identifier_hits(f"Patient {changed[:8]}-{changed[8:]}.") == []
    assert _identifier_hits(f"Patient {changed[2:8]}-{changed[8:]}.") == []


def _samordningsnummer(rng: random.Random, *, month00: bool = False, day60: bool = False) -> str:
    born = dt.date(1900, 1, 1) + dt.timedelta(days=rng.randrange(40_000))
    month = 0 if month00 else born.month
    day = 60 if day60 else born.day + 60
    nine = f"{born:%y}{month:02d}{day:02d}{rng.randrange(1, 1000):03d}"
    return f"{born:%Y}"[:2] + with_check_digit(nine)


def test_generated_samordningsnummer_are_found_including_month_00_and_day_60() -> None:
    rng = random.Random(60)
    numbers = (
        [_samordningsnummer(rng) for _ in range(1500)]
        + [_samordningsnummer(rng, month00=True) for _ in range(250)]
        + [_samordningsnummer(rng, day60=True) for _ in range(250)]
        + [_samordningsnummer(rng, month00=True, day60=True) for _ in range(100)]
    )
    text = " ".join(f"Samordningsnummer {n[:8]}-{n[8:]} tilldelat." for n in numbers)
    hits = [h for h in DETECTOR.find(text) if h.kind in IDENTIFIERS]
    assert [h.identifier for h in hits] == numbers
    assert {h.kind for h in hits} == {"samordningsnummer"}
    # and in the ten-digit form, with the century the rule gives
    text10 = " ".join(f"Snr {n[2:8]}-{n[8:]}." for n in numbers)
    tails = [h.identifier[2:] for h in DETECTOR.find(text10) if h.identifier]
    assert tails == [n[2:] for n in numbers]


def test_dates_that_do_not_exist_are_rejected() -> None:
    for nine in ("120230123", "230229123", "000229123"):  # 30 Feb; 29 Feb 2023; 2000 was leap
        ten = with_check_digit(nine)
        hits = _identifier_hits(f"pnr {ten[:6]}-{ten[6:]}")
        assert hits == ([f"20{ten}"] if nine.startswith("0002") else [])
    assert canonical_from_parts("120230", with_check_digit("120230123")[6:]) is None


def test_serial_000_is_rejected() -> None:
    ten = with_check_digit("121212000")
    assert luhn_ok(ten)
    assert _identifier_hits(f"pnr {ten[:6]}-{ten[6:]}") == []


def test_organisationsnummer_are_not_personal() -> None:
    for orgnr in ("232100-0255", "556677-8899", "202100-5489", "802479-6521"):
        assert DETECTOR.find(f"Org.nr {orgnr} ") == [], orgnr


def test_no_match_inside_longer_digit_runs_or_tokens() -> None:
    for text in (
        "Referens 1191212121212 och 191212121212125",
        "OCR 19121212121212",
        "ID A191212-1212 och 191212-1212X och X19121212-1212",
        "kod_191212-1212",
    ):
        assert _identifier_hits(text) == [], text


def test_interim_and_reserve_numbers() -> None:
    hits = DETECTOR.find(
        "Interim 19121212-T123, interim 121212-1K23, reserv Skåne 19121212-DA1B, "
        "reserv 861209-K9ZQ, ingen: 20241399-AB12 (ogiltigt datum)."
    )
    assert [(h.kind, h.masked) for h in hits] == [
        ("interimsnummer", "19121212-****"),
        ("interimsnummer", "20121212-****"),
        ("reservnummer", "19121212-****"),
        ("reservnummer", "19861209-****"),
    ]
    assert all(h.identifier is None for h in hits)


def test_identifier_split_over_a_line_break_after_the_dash() -> None:
    assert _identifier_hits("Personnummer 19861209-\r\n2398 enligt remiss") == ["198612092398"]


def test_full_width_digits_are_read() -> None:
    text = "pnr " + "１９１２１２１２-１２１２".translate({})
    assert _identifier_hits(text) == ["191212121212"]
