"""``bifoga pd-eval``'s places beside a PDF's pages and its pictures (issue 19): the issue's
targets hold on the generated sets (a quick set of pictures here; the whole set is in
docs/personal-data.md), and the tables are printed per place and per kind of picture."""

from __future__ import annotations

import pytest

from app.inspection import pd_eval, pd_eval_more


def _recall(tally: pd_eval_more.Tally, row: str) -> float:
    return tally.tp[row] / (tally.tp[row] + tally.fn[row])


def _precision(tally: pd_eval_more.Tally, rows: list[str]) -> float:
    tp = sum(tally.tp[row] for row in rows)
    return tp / (tp + sum(tally.fp[row] for row in rows))


def test_every_place_beside_the_pages_is_found_and_nothing_else() -> None:
    tally = pd_eval_more.evaluate_places(rounds=1)
    for place in pd_eval_more.PLACE_ORDER:
        assert _recall(tally, place) == 1.0, place
    assert sum(tally.fp.values()) == 0


def test_pictures_meet_the_targets() -> None:
    tally = pd_eval_more.evaluate_pictures(quick=True)
    assert _recall(tally, "screenshot") >= 0.95
    assert _recall(tally, "photo") >= 0.90
    assert _precision(tally, pd_eval_more.PICTURE_ORDER) >= 0.95


def test_pd_eval_prints_a_table_per_place_and_per_picture(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert pd_eval.main(["--quick"]) == 0
    out = capsys.readouterr().out
    for row in ("place", "comment", "form_field", "file_name", "picture", "screenshot", "photo"):
        assert f"\n{row} " in out, row
