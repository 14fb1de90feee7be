"""``bifoga a11y-eval``: the share of the tests' PDF/UA-1 fail files noticed and of pass
files left without a warning, printed from the tests' own copy of the corpus."""

from __future__ import annotations

import pytest

from app.commands.cli import main
from app.inspection.a11y_eval import default_folder, evaluate, shares


def test_every_accessible_file_is_silent_and_most_failing_files_are_noticed() -> None:
    outcomes = evaluate(default_folder())
    flagged, silent = shares(outcomes)
    assert silent == 1.0, [o for o in outcomes if o.should_pass and o.complaints]
    assert flagged is not None and flagged >= 0.7
    assert sum(1 for o in outcomes if o.should_pass) >= 60
    assert sum(1 for o in outcomes if not o.should_pass) >= 70


def test_the_command_prints_both_shares(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["a11y-eval"]) == 0
    printed = capsys.readouterr().out
    assert "fail files flagged: 71% of 73" in printed
    assert "pass files silent:  100% of 61" in printed
