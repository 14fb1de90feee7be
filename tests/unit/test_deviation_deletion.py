"""The deletion request for the support for digital services (R10): the text to paste
into the region's service portal, and the portal's address."""

from __future__ import annotations

import pytest

from app.deviation import RetractionStatus, SensitiveData, deletion_request
from tests.support.deviation_samples import (
    MEANT_SHA,
    PORTAL,
    WRONG_SHA,
    meant_file,
    sample_report,
    sample_residents,
    wrong_file,
)


def test_the_text_names_the_message_the_files_by_name_and_hash_and_the_residents_masked() -> None:
    residents = sample_residents(3)
    report = sample_report(kind="new_case", recipients=residents)
    request = deletion_request(report, portal_url=PORTAL, lang="sv")
    assert request.needed and request.portal_url == PORTAL and request.portal_problem is None
    text = request.text
    assert "Meddelande-id: msg-4f1c" in text
    assert "Skickat: 2026-03-28 kl. 15:05" in text
    assert "Felet upptäcktes 2026-03-28 kl. 15:50." in text
    assert "Skickat av: Anna Sandlåda (anna)" in text
    assert "Fil: Provsvar blodstatus åäö.pdf" in text
    assert f"SHA-256 {WRONG_SHA}" in text
    assert "Återkallelse: begärd 2026-03-28 kl. 15:50, klar 2026-03-28 kl. 15:51" in text
    assert "Mottagare, 3 st (maskerade):" in text
    for resident in residents:
        assert f"{resident[:8]}-****" in text
        assert resident not in text and resident[2:] not in text and resident[8:] not in text


def test_only_wrong_files_with_personal_data_are_asked_to_be_deleted() -> None:
    no_data = wrong_file(SensitiveData.NONE, name="Broschyr.pdf")
    report = sample_report(files=[wrong_file(), no_data, meant_file()])
    request = deletion_request(report, portal_url=PORTAL, lang="sv")
    assert [f.name for f in request.files] == ["Provsvar blodstatus åäö.pdf"]
    assert "Broschyr.pdf" not in request.text and "Kallelse.pdf" not in request.text
    assert MEANT_SHA not in request.text


def test_a_retraction_not_yet_done_is_said_to_be_under_way() -> None:
    report = sample_report(files=[wrong_file(status=RetractionStatus.REQUESTED)])
    text = deletion_request(report, portal_url=PORTAL, lang="en").text
    assert "Retraction: requested 2026-03-28 at 15:50, not done yet" in text
    assert "I request deletion of the following file, sent by mistake" in text


def test_several_files_are_counted_in_the_request() -> None:
    second = wrong_file(SensitiveData.PERSONAL, name="Remiss.pdf")
    report = sample_report(files=[wrong_file(), second])
    text = deletion_request(report, portal_url=PORTAL, lang="sv").text
    assert "följande 2 filer" in text and text.count("Fil: ") == 2


def test_without_personal_data_no_request_is_needed() -> None:
    report = sample_report(files=[wrong_file(SensitiveData.NONE)])
    request = deletion_request(report, portal_url=PORTAL, lang="sv")
    assert not request.needed and request.text == "" and request.files == ()


@pytest.mark.parametrize(
    "portal", ["", "   ", "serviceportal.region.example", "javascript:alert(1)", "https://"]
)
def test_a_missing_or_unusable_portal_address_gets_a_code_not_a_broken_link(portal: str) -> None:
    request = deletion_request(sample_report(), portal_url=portal, lang="sv")
    assert request.portal_url is None
    assert request.portal_problem == "deviation.deletion.portal_missing"
    assert request.text  # the text to paste is still prepared


def test_the_portal_address_is_the_one_given() -> None:
    other = " https://portal.other-region.example/case/new?type=delete "
    request = deletion_request(sample_report(), portal_url=other, lang="sv")
    assert request.portal_url == other.strip()
