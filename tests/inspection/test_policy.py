"""The policy file: defaults, a region's overrides, and refusing a broken policy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config.texts import has_message
from app.inspection import inspect_file
from app.inspection.policy import PolicyError, default_policy, load_policy
from app.inspection.report import Severity
from tests.inspection.conftest import codes
from tests.support import inspection_samples as samples


def test_default_policy_blocks_what_the_issue_says_must_block() -> None:
    policy = default_policy()
    for code in (
        "pdf.scanned_page",
        "pdf.encrypted",
        "pdf.password_protected",
        "pdf.javascript",
        "pdf.launch_action",
        "pdf.embedded_file",
        "pdf.dynamic_xfa",
        "pdf.unreadable",
        "image.unreadable",
        "image.flashing",
    ):
        assert policy.severity(code) is Severity.BLOCK, code
    # Not accessible under the DOS law: a screen reader cannot follow it (issue 23).
    assert policy.severity("pdf.untagged") is Severity.BLOCK
    assert policy.severity("pdf.no_title") is Severity.WARN
    assert policy.limits.max_bytes == 20 * 1024 * 1024
    assert policy.limits.max_files == 10


def test_every_policy_code_has_swedish_and_english_text() -> None:
    for code in default_policy().severities:
        assert has_message(code), code


def test_unknown_codes_block() -> None:
    assert default_policy().severity("pdf.something_new") is Severity.BLOCK


def test_a_region_can_change_severities_and_limits(tmp_path: Path) -> None:
    region = tmp_path / "skane.json"
    region.write_text(
        json.dumps(
            {
                "severities": {"pdf.untagged": "warn", "pdf.no_title": "off"},
                "limits": {"max_files": 5},
            }
        )
    )
    policy = load_policy(region)
    assert policy.severity("pdf.untagged") is Severity.WARN
    assert policy.severity("pdf.no_title") is None
    assert policy.limits.max_files == 5
    assert policy.limits.max_bytes == default_policy().limits.max_bytes
    path = tmp_path / "brev.pdf"
    from tests.support.pdfgen import text_pdf

    path.write_bytes(text_pdf([["Hej"]], tagged=False, title=None))
    report = inspect_file(path, policy_path=str(region))
    assert not report.blocked  # untagged, but this region only warns
    assert "pdf.untagged" in codes(report)
    assert "pdf.no_title" not in codes(report)


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        json.dumps({"severities": {"pdf.untagged": "sometimes"}}),
        json.dumps({"limits": {"max_bytes": -1}}),
        json.dumps({"limits": {"no_such_limit": 1}}),
        json.dumps([1, 2]),
    ],
)
def test_broken_policy_is_an_error(tmp_path: Path, content: str) -> None:
    region = tmp_path / "p.json"
    region.write_text(content)
    with pytest.raises(PolicyError):
        load_policy(region)


def test_broken_policy_never_lets_a_file_through(tmp_path: Path) -> None:
    region = tmp_path / "p.json"
    region.write_text("{")
    path = tmp_path / "brev.pdf"
    path.write_bytes(samples.letter_pdf())
    report = inspect_file(path, policy_path=str(region))
    assert report.blocked
    assert "file.inspection_failed" in codes(report)
