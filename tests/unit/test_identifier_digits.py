"""Issue 21: identifiers are ASCII. NFKC first (fullwidth digits and dashes become the
ordinary ones), then ASCII digits only; an entry with digits of another script is refused
with a code naming its line, so one resident written any way is one recipient."""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from app.drafts.recipients import (
    NOT_AN_IDENTIFIER,
    RECIPIENT_NON_ASCII_DIGITS,
    Refusal,
    canonical_from_input,
    read_recipients,
)
from app.protocol.identifiers import (
    ascii_form,
    canonical_from_parts,
    is_valid_resident_id,
    parse_canonical,
)

TODAY = dt.date(2026, 11, 26)
RESIDENTS = ("191212121212", "196801029288", "189001019802", "200001012384")

#: Decimal digit zeros of scripts NFKC leaves as they are, and of those it makes ASCII.
_KEPT_ZEROS = (0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0x1810, 0xA9D0)
_FOLDED_ZEROS = (0xFF10, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1FBF0)


def _in(zero: int, digits: str) -> str:
    return "".join(chr(zero + int(d)) if d.isdigit() else d for d in digits)


def _written(canonical: str, form: int) -> str:
    """One resident's number in one of the forms people write it in."""
    date8, date6, serial = canonical[:8], canonical[2:8], canonical[8:]
    plus = int(TODAY.year) - int(canonical[:4]) >= 100
    return [
        canonical,
        f"{date8}-{serial}",
        f"{date6}{'+' if plus else '-'}{serial}",
        f" {date8} {serial} ",
        f"{date8}\u2013{serial}",
        f"{date8}\uff0d{serial}",  # FULLWIDTH HYPHEN-MINUS
    ][form]


@given(
    resident=st.sampled_from(RESIDENTS),
    forms=st.lists(st.integers(0, 5), min_size=1, max_size=6),
    zeros=st.lists(st.sampled_from((0x30, *_FOLDED_ZEROS)), min_size=1, max_size=6),
)
def test_one_resident_written_any_way_is_one_recipient(
    resident: str, forms: list[int], zeros: list[int]
) -> None:
    entries = [
        _in(zero, _written(resident, form)) for form, zero in zip(forms, zeros, strict=False)
    ]
    read = read_recipients("\n".join(entries), today=TODAY)
    assert read.recipients == (resident,)
    assert read.duplicates == len(entries) - 1
    assert read.refusals == ()


@given(
    resident=st.sampled_from(RESIDENTS),
    form=st.integers(0, 5),
    zero=st.sampled_from(_KEPT_ZEROS),
    position=st.integers(0, 11),
)
def test_a_digit_of_another_script_is_refused_naming_its_line(
    resident: str, form: int, zero: int, position: int
) -> None:
    written = _written(resident, form)
    digit_places = [i for i, c in enumerate(written) if c.isdigit()]
    place = digit_places[position % len(digit_places)]
    foreign = written[:place] + chr(zero + int(written[place])) + written[place + 1 :]
    read = read_recipients(f"{resident}\n{foreign}", today=TODAY)
    assert read.recipients == (resident,)  # never a second recipient, never a duplicate
    assert read.duplicates == 0
    assert read.refusals == (Refusal(2, foreign.strip(), RECIPIENT_NON_ASCII_DIGITS),)


@given(st.characters(categories=["Nd"]))
def test_no_decimal_digit_but_ascii_survives_the_normalisation(char: str) -> None:
    normal = ascii_form(f"19121212{char}212")
    if normal is None:
        assert not unicodedata.normalize("NFKC", char).isascii()
    else:
        assert normal.isascii()


def test_the_whole_list_of_unicode_digit_forms_from_the_issue() -> None:
    typed = "196801029288\n１９６８０１０２－９２８８\n١٩٦٨٠١٠٢-٩٢٨٨\n۱۹۶۸۰۱۰۲۹۲۸۸; fel"
    read = read_recipients(typed, today=TODAY)
    assert read.recipients == ("196801029288",)
    assert read.duplicates == 1
    assert [(r.line, r.code) for r in read.refusals] == [
        (3, RECIPIENT_NON_ASCII_DIGITS),
        (4, RECIPIENT_NON_ASCII_DIGITS),
        (4, NOT_AN_IDENTIFIER),
    ]
    assert read.rejected == ("١٩٦٨٠١٠٢-٩٢٨٨", "۱۹۶۸۰۱۰۲۹۲۸۸", "fel")


def test_the_canonical_form_the_gateway_reads_is_ascii_only() -> None:
    # sandbox/messages.py validates recipients with this same function.
    assert is_valid_resident_id("196801029288")
    for zero in (*_KEPT_ZEROS, *_FOLDED_ZEROS):
        assert not is_valid_resident_id(_in(zero, "196801029288"))
        assert parse_canonical(_in(zero, "196801029288")) is None
        assert canonical_from_parts(_in(zero, "680102"), _in(zero, "9288"), today=TODAY) is None
    assert canonical_from_input("１９６８０１０２９２８８", today=TODAY) == "196801029288"
