"""Masked recipients that can be told apart (issue 20 item 10): two residents born the
same day do not both show as "19680102-****"."""

from __future__ import annotations

from app.protocol.identifiers import distinct_masks, mask

KARIN, TWIN, TWIN_SAME_LAST = "196801029288", "196801023297", "196801021238"
GUNNAR = "194501103297"


def test_a_lone_birth_date_stays_fully_masked() -> None:
    assert distinct_masks([KARIN, GUNNAR]) == {KARIN: "19680102-****", GUNNAR: "19450110-****"}


def test_the_same_birth_date_shows_as_few_last_digits_as_tell_them_apart() -> None:
    masks = distinct_masks([KARIN, TWIN, GUNNAR])
    assert masks[KARIN] == "19680102-***8" and masks[TWIN] == "19680102-***7"
    assert masks[GUNNAR] == "19450110-****"
    both_end_in_8 = distinct_masks([KARIN, TWIN_SAME_LAST])
    assert both_end_in_8 == {KARIN: "19680102-**88", TWIN_SAME_LAST: "19680102-**38"}
    assert len(set(both_end_in_8.values())) == 2


def test_the_same_number_twice_is_one_mask_and_the_default_shows_nothing() -> None:
    assert distinct_masks([KARIN, KARIN]) == {KARIN: "19680102-****"}
    assert mask(KARIN) == "19680102-****" and mask("abc") == "***"
