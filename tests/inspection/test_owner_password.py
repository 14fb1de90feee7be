"""Issue 21: a PDF encrypted with an owner password alone (as lab systems make them)
opens without a password and lets its text be read; it is inspected and sent as it is,
with a finding that says so. Anything more locked stays refused."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from app.inspection import inspect_file
from app.inspection.hidden import remove_hidden
from app.inspection.jobs import UNCHANGED
from app.inspection.report import Severity
from tests.inspection.conftest import codes
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]


def test_an_owner_password_alone_is_inspected_and_sent_as_it_is(write: Write) -> None:
    data = samples.encrypted_pdf(extract=True)
    path = write("labbsvar.pdf", data)
    assert remove_hidden(path) == UNCHANGED  # the working copy is the file itself
    assert path.read_bytes() == data
    report = inspect_file(path)
    assert not report.blocked
    assert "pdf.owner_password_only" in codes(report)
    assert "pdf.encrypted" not in codes(report)
    (finding,) = [f for f in report.findings if f.code == "pdf.owner_password_only"]
    assert finding.severity is Severity.INFO
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.personal_data_found is False  # its text was read


def test_an_owner_password_that_forbids_extracting_text_is_still_refused(write: Write) -> None:
    report = inspect_file(write("last.pdf", samples.encrypted_pdf(extract=False)))
    assert "pdf.encrypted" in codes(report) and report.blocked


def test_a_user_password_is_still_refused(write: Write) -> None:
    data = samples.encrypted_pdf(user_password="hemligt", extract=True)
    assert codes(inspect_file(write("losen.pdf", data))) == {"pdf.password_protected"}


def test_the_finding_has_a_swedish_sentence_and_a_severity_in_the_policy() -> None:
    root = Path(__file__).resolve().parents[2] / "resources"
    texts = json.loads((root / "texts" / "pdf.json").read_text(encoding="utf-8"))
    policy = json.loads((root / "policy.json").read_text(encoding="utf-8"))
    assert set(texts["pdf.owner_password_only"]) == {"sv", "en"}
    assert policy["severities"]["pdf.owner_password_only"] == "info"
