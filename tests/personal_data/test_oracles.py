"""The ``personnummer`` and ``python-stdnum`` packages as oracles.

Where they are right we agree with them on every test number and on a large random
sample; where they have known gaps the tests pin both their behaviour and ours, so a
change on either side is seen.
"""

from __future__ import annotations

import random

import pytest
from personnummer import personnummer as pnr_package
from stdnum.se import personnummer as stdnum_pnr

from app.inspection.personal_data import Detector
from app.protocol.identifiers import canonical_from_parts, parse_canonical
from tests.personal_data.helpers import TODAY, skatteverket_numbers, with_check_digit

DETECTOR = Detector(today=TODAY)


def _ours(text: str) -> list[str]:
    return [
        h.identifier or ""
        for h in DETECTOR.find(text)
        if h.kind in ("personnummer", "samordningsnummer")
    ]


def test_all_agree_on_every_test_number() -> None:
    for number in skatteverket_numbers()[::7]:
        written = f"{number[:8]}-{number[8:]}"
        assert pnr_package.valid(written), number
        assert stdnum_pnr.is_valid(written), number
        assert parse_canonical(number, today=TODAY) is not None


def test_agreement_on_random_ten_digit_numbers_where_the_oracles_are_right() -> None:
    rng = random.Random(1177)
    checked = disagreements = 0
    for _ in range(20_000):
        # Half with a correct check digit, so that the date rules are exercised too.
        nine = f"{rng.randrange(100):02d}{rng.randrange(13):02d}{rng.randrange(32):02d}"
        nine += f"{rng.randrange(1000):03d}"
        ten = with_check_digit(nine) if rng.random() < 0.5 else nine + str(rng.randrange(10))
        if int(ten[2:4]) >= 20:
            continue  # organisationsnummer are out of the oracles' scope
        written = f"{ten[:6]}-{ten[6:]}"
        ours = canonical_from_parts(ten[:6], ten[6:], today=TODAY)
        oracle = stdnum_pnr.is_valid(written)
        if ten[6:9] == "000" or ten[2:4] == "00":
            continue  # serial 000 and month 00: see the gap tests below
        checked += 1
        if (ours is not None) != oracle:
            disagreements += 1
    assert checked > 15_000
    assert disagreements == 0


KNOWN_GAPS = [
    # text, personnummer package, python-stdnum, Bifoga (canonical found)
    ("121212 1212", False, True, "201212121212"),  # space separator
    ("701063-2391", True, False, "197010632391"),  # samordningsnummer
    ("551167-8905", True, False, "195511678905"),  # samordningsnummer
    ("19850074-1239", False, False, "198500741239"),  # month 00
    ("19900060-4562", False, False, "199000604562"),  # month 00, day 60
]


@pytest.mark.parametrize(("text", "package", "stdnum", "ours"), KNOWN_GAPS)
def test_known_gaps(text: str, package: bool, stdnum: bool, ours: str) -> None:
    assert pnr_package.valid(text) is package
    assert stdnum_pnr.is_valid(text) is stdnum
    assert _ours(f"Patient {text}.") == [ours]


def test_30_february_is_rejected_by_all() -> None:
    ten = with_check_digit("120230123")
    written = f"{ten[:6]}-{ten[6:]}"
    assert not pnr_package.valid(written)
    assert not stdnum_pnr.is_valid(written)
    assert _ours(f"Patient {written}.") == []


def test_inside_longer_digit_runs() -> None:
    # The oracles validate whole strings; a finder must not cut a number out of a run.
    assert not stdnum_pnr.is_valid("119121212121212")
    assert _ours("Löpnummer 119121212121212 och 1912121212125.") == []
    assert _ours("Löpnummer 19121212-1212 i klartext.") == ["191212121212"]


def test_en_dash_and_plus() -> None:
    assert not pnr_package.valid("121212–1212")  # the package does not read an en dash
    assert stdnum_pnr.is_valid("121212–1212")
    assert _ours("pnr 121212–1212") == ["201212121212"]
    assert pnr_package.valid("121212+1212")
    assert _ours("pnr 121212+1212") == ["191212121212"]
