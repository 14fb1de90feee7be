"""The deviation report's model: built from plain values, checked, and never holding an
identifier in clear."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.config.texts import message
from app.deviation import (
    DeviationInputError,
    Retraction,
    RetractionStatus,
    SensitiveData,
    SentFile,
    StaffMember,
    build_report,
)
from app.protocol.model import MessageKind
from tests.support.deviation_samples import (
    FOUND_AT,
    MEANT_SHA,
    SENT_AT,
    WRONG_SHA,
    meant_file,
    sample_report,
    sample_residents,
    wrong_file,
)


def test_a_report_keeps_what_was_sent_when_by_whom_and_to_whom_masked() -> None:
    resident = sample_residents(1)[0]
    report = sample_report(recipients=[resident])
    assert report.message_id == "msg-4f1c"
    assert report.kind is MessageKind.REPLY
    assert report.case_id == "case-0042"
    assert report.sent_at == SENT_AT and report.found_at == FOUND_AT
    assert report.sender == StaffMember("anna", "Anna Sandlåda")
    assert report.sign_off is not None and report.sign_off.reviewer.staff_id == "bertil"
    assert report.recipients_masked == (f"{resident[:8]}-****",)
    assert report.recipient_count == 1 and not report.is_bulk
    assert [f.sha256 for f in report.files] == [WRONG_SHA, MEANT_SHA]
    assert [f.name for f in report.wrong_files] == ["Provsvar blodstatus åäö.pdf"]
    assert report.personal_data_involved and report.health_data_involved
    # No field of the report holds the identifier in clear.
    assert resident not in repr(dataclasses.asdict(report))


def test_a_bulk_send_keeps_the_count_and_every_recipient_masked() -> None:
    residents = sample_residents(250)
    report = sample_report(kind="new_case", recipients=residents)
    assert report.case_id is None
    assert report.is_bulk and report.recipient_count == 250
    assert report.recipients_masked == tuple(f"{r[:8]}-****" for r in residents)


def test_times_are_stored_in_utc_whatever_zone_they_came_in() -> None:
    stockholm = dt.timezone(dt.timedelta(hours=1))
    report = sample_report(found_at=dt.datetime(2026, 3, 28, 15, 50, tzinfo=stockholm))
    assert report.found_at == FOUND_AT
    assert report.found_at.utcoffset() == dt.timedelta(0)


def test_identifiers_in_the_subject_or_a_file_name_are_masked() -> None:
    resident = sample_residents(1)[0]
    written = f"{resident[2:8]}-{resident[8:]}"
    report = sample_report(
        subject=f"Provsvar för {written}",
        files=[wrong_file(name=f"remiss {resident}.pdf")],
    )
    assert report.subject == f"Provsvar för {resident[2:8]}-****"
    assert report.files[0].name == f"remiss {resident[:8]}-****.pdf"
    assert resident[8:] not in report.subject + report.files[0].name


def test_without_personal_data_in_the_wrong_files_no_breach_is_involved() -> None:
    # A file meant to be sent may hold personal data: it did not go wrong.
    meant_with_data = dataclasses.replace(meant_file(), data=SensitiveData.PERSONAL)
    report = sample_report(files=[wrong_file(SensitiveData.NONE), meant_with_data])
    assert not report.personal_data_involved and not report.health_data_involved


def _report_with(**changes: object) -> None:
    values: dict[str, object] = {
        "message_id": "msg-1",
        "kind": "reply",
        "case_id": "case-1",
        "subject": "Svar",
        "sent_at": SENT_AT,
        "sender": StaffMember("anna", "Anna Sandlåda"),
        "recipients": sample_residents(1),
        "files": [wrong_file()],
        "sign_off": None,
        "found_at": FOUND_AT,
    }
    values.update(changes)
    build_report(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"message_id": " "}, "deviation.input.message_id_missing"),
        ({"kind": "letter"}, "deviation.input.kind_unknown"),
        ({"sent_at": dt.datetime(2026, 3, 28, 14, 5)}, "deviation.input.time_without_zone"),
        ({"found_at": SENT_AT - dt.timedelta(minutes=1)}, "deviation.input.found_before_sent"),
        ({"recipients": []}, "deviation.input.no_recipients"),
        ({"recipients": ["191212121213"]}, "deviation.input.recipient_invalid"),
        ({"files": [meant_file()]}, "deviation.input.no_wrong_file"),
        ({"files": []}, "deviation.input.no_wrong_file"),
        (
            {"files": [dataclasses.replace(wrong_file(), sha256="abc")]},
            "deviation.input.sha256_invalid",
        ),
        (
            {"files": [dataclasses.replace(wrong_file(), name=" ")]},
            "deviation.input.file_name_missing",
        ),
        (
            {
                "files": [
                    SentFile(
                        "a.pdf",
                        WRONG_SHA,
                        SensitiveData.PERSONAL,
                        True,
                        Retraction(RetractionStatus.DONE, FOUND_AT, None),
                    )
                ]
            },
            "deviation.input.retraction_time_missing",
        ),
    ],
)
def test_bad_input_gets_a_code_with_a_sentence_in_both_languages(
    changes: dict[str, object], code: str
) -> None:
    with pytest.raises(DeviationInputError) as raised:
        _report_with(**changes)
    assert raised.value.code == code
    for lang in ("sv", "en"):
        sentence = message(code, lang, raised.value.params)
        assert sentence != code and "{" not in sentence


def test_an_invalid_recipient_is_named_by_position_never_by_its_digits() -> None:
    bad = "191212121213"
    with pytest.raises(DeviationInputError) as raised:
        _report_with(recipients=[*sample_residents(2), bad])
    assert raised.value.params == {"position": 3}
    assert bad not in message(raised.value.code, "sv", raised.value.params)


def test_an_upper_case_checksum_is_kept_in_lower_case() -> None:
    report = sample_report(files=[dataclasses.replace(wrong_file(), sha256=WRONG_SHA.upper())])
    assert report.files[0].sha256 == WRONG_SHA


def test_an_error_about_a_file_quotes_its_name_masked() -> None:
    resident = sample_residents(1)[0]
    named = dataclasses.replace(wrong_file(), name=f"remiss {resident}.pdf", sha256="x")
    with pytest.raises(DeviationInputError) as raised:
        _report_with(files=[named])
    assert raised.value.params == {"name": f"remiss {resident[:8]}-****.pdf"}
