"""The send gate: the first thing between a draft and sending, and nothing once all is done."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.drafts.message_draft import Attachment, Draft, SignOff
from app.inspection.report import Finding, InspectionReport, PersonalDataHit, Severity
from app.protocol.model import Case, MessageKind, Resident
from app.send import send_gate
from app.storage.staging import StagedFile

KARIN = Resident("196801029288", "Karin Berg")
CASE = Case("2024-118", KARIN, "Provsvar", "2024-11-18T08:12:00Z", "open")
OTHER_PERSON_ID = "189001019802"  # a Skatteverket test number, not the case's resident


def attachment(
    name: str = "brev.pdf",
    media_type: str = "application/pdf",
    pages: int = 2,
    *,
    found: bool | None = False,
    hits: tuple[PersonalDataHit, ...] = (),
    findings: tuple[Finding, ...] = (),
) -> Attachment:
    staged = StagedFile(Path("/staging") / name, name[0] * 64, 100, name, media_type)
    report = InspectionReport(staged.sha256, media_type, pages, findings, found, hits)
    return Attachment(staged, page_count=pages, report=report)


def ready_reply(*attachments: Attachment) -> Draft:
    draft = Draft(MessageKind.REPLY, CASE, subject="Sv: Provsvar", body="Hej!")
    draft.attachments.extend(attachments)
    for a in attachments:
        a.seen_pages = set(range(a.page_count or 0))
    return draft


def codes(draft: Draft, now: float = 1000.0) -> list[str]:
    return [r.code for r in send_gate.reasons(draft, now=now)]


def test_a_finished_reply_without_personal_data_may_be_sent() -> None:
    assert codes(ready_reply(attachment())) == []


def test_reasons_come_in_the_order_a_clinician_works_in() -> None:
    draft = Draft(MessageKind.REPLY)
    draft.attachments.append(attachment())
    assert codes(draft)[:4] == [
        "send.case_missing",
        "send.subject_missing",
        "send.body_missing",
        "send.page_unseen",
    ]


def test_the_first_unseen_page_is_named_and_can_be_gone_to() -> None:
    file = attachment(pages=3)
    draft = ready_reply(file)
    file.seen_pages = {0, 2}
    (reason,) = send_gate.reasons(draft)
    assert reason.code == "send.page_unseen"
    assert (reason.attachment_id, reason.page) == (file.id, 1)
    assert reason.param_dict["page"] == 2 and reason.param_dict["unseen"] == 1


def test_a_file_still_being_inspected_holds_the_send() -> None:
    file = attachment()
    file.report = None
    assert codes(ready_reply(file)) == ["send.inspecting"]


def test_a_blocking_finding_holds_the_send_on_its_page() -> None:
    scan = Finding("pdf.scanned_page", Severity.BLOCK, 2)
    (reason,) = send_gate.reasons(ready_reply(attachment(findings=(scan,))))
    assert (reason.code, reason.page) == ("send.file_blocked", 1)
    warn = Finding("pdf.no_title", Severity.WARN, None)
    assert codes(ready_reply(attachment(findings=(warn,)))) == []


def test_an_image_needs_alt_text_and_an_answer_about_personal_data() -> None:
    image = attachment("bild.png", "image/png", pages=1, found=None)
    draft = ready_reply(image)
    assert codes(draft) == ["send.alt_text_missing", "send.personal_data_unanswered"]
    image.alt_text = "Karta över vårdcentralens entré"
    image.declared_personal_data = False
    assert codes(draft) == []


def test_a_file_naming_another_person_than_the_resident_is_blocked() -> None:
    hit = PersonalDataHit("personnummer", 1, "18900101-****", None, OTHER_PERSON_ID)
    file = attachment(found=True, hits=(hit,))
    (reason,) = send_gate.reasons(ready_reply(file))
    assert reason.code == "send.file_blocked"
    assert reason.param_dict["finding"] == "personal_data.other_person"


def test_the_identity_match_follows_the_recipients_as_they_are_now() -> None:
    hit = PersonalDataHit("personnummer", 1, "18900101-****", None, OTHER_PERSON_ID)
    file = attachment(found=True, hits=(hit,))
    draft = ready_reply(file)
    draft.kind = MessageKind.NEW_CASE
    draft.new_case_recipients = [OTHER_PERSON_ID]
    assert codes(draft) == ["send.sign_off_required"], "now the file is the recipient's own"


def test_personal_data_needs_a_sign_off_bound_to_exactly_this_message() -> None:
    hit = PersonalDataHit("personnummer", 1, "19680102-****", None, KARIN.id)
    file = attachment(found=True, hits=(hit,))
    draft = ready_reply(file)
    assert codes(draft) == ["send.sign_off_required"]
    assert send_gate.only_sign_off_missing(send_gate.reasons(draft))
    digest = draft.review_subject().digest
    draft.sign_off = SignOff("r1", "bertil", "Bertil Berg", digest, expires_at=2000.0)
    assert codes(draft, now=1000.0) == []
    assert send_gate.valid_sign_off(draft, now=1000.0) is draft.sign_off
    assert codes(draft, now=2000.0) == ["send.sign_off_expired"]
    assert send_gate.valid_sign_off(draft, now=2000.0) is None
    draft.kind = MessageKind.PARTIAL_REPLY
    assert codes(draft, now=1000.0) == ["send.sign_off_void"]
    assert send_gate.valid_sign_off(draft, now=1000.0) is None


def test_unmarking_detected_personal_data_needs_a_recorded_reason() -> None:
    file = attachment(found=True)
    draft = ready_reply(file)
    file.declared_personal_data = False
    assert codes(draft) == ["send.unmark_reason_missing"]
    file.unmark_reason = "Numret är vårdcentralens organisationsnummer."
    assert codes(draft) == []


def test_the_sender_may_mark_any_file_as_holding_personal_data() -> None:
    file = attachment(found=False)
    draft = ready_reply(file)
    file.declared_personal_data = True
    assert codes(draft) == ["send.sign_off_required"]


@pytest.mark.parametrize(
    ("recipients", "code"),
    [
        ([], "send.recipients_missing"),
        (["196801029288"] * 2, "send.duplicate_recipients"),
        ([f"{n:012d}" for n in range(251)], "send.too_many_recipients"),
    ],
)
def test_a_new_case_goes_to_one_to_250_distinct_residents(recipients: list[str], code: str) -> None:
    draft = Draft(MessageKind.NEW_CASE, subject="Kallelse", body="Hej!")
    draft.new_case_recipients = recipients
    assert codes(draft)[0] == code


def test_a_recipient_that_was_not_understood_is_never_dropped_silently() -> None:
    draft = Draft(MessageKind.NEW_CASE, subject="Kallelse", body="Hej!")
    draft.new_case_recipients = [KARIN.id]
    draft.rejected_recipients = ["19680102-9287"]
    (reason,) = send_gate.reasons(draft)
    assert reason.code == "send.recipient_invalid"
    assert reason.param_dict["entry"] == "19680102-9287"


def test_a_file_that_may_not_be_sent_asks_nothing_more_of_the_sender() -> None:
    scan = Finding("pdf.scanned_page", Severity.BLOCK, 1)
    image = attachment("skanning.png", "image/png", 1, found=None, findings=(scan,))
    image.seen_pages = set()
    draft = ready_reply(attachment())
    draft.attachments.append(image)
    assert codes(draft) == ["send.file_blocked"], "no preview, alt text or personal-data question"
    assert not image.asks_about_personal_data(draft.recipients, draft.kind)
    fine = attachment("bild.png", "image/png", 1, found=None)
    assert fine.asks_about_personal_data(draft.recipients, draft.kind)


def test_each_reason_says_where_the_clinician_goes_to_clear_it() -> None:
    draft = Draft(MessageKind.NEW_CASE, new_case_recipients=[])
    draft.attachments.append(attachment())
    targets = {r.code: r.target for r in send_gate.reasons(draft)}
    assert targets["send.recipients_missing"] is send_gate.Target.RECIPIENTS
    assert targets["send.subject_missing"] is send_gate.Target.SUBJECT
    assert targets["send.body_missing"] is send_gate.Target.BODY
    assert targets["send.page_unseen"] is send_gate.Target.PAGE  # seen in the preview
    blocked = Draft(MessageKind.NEW_CASE, new_case_recipients=[])
    blocked.attachments.append(
        attachment(findings=(Finding("pdf.scanned_page", Severity.BLOCK, 1),))
    )
    assert {r.target for r in send_gate.reasons(blocked) if r.attachment_id} == {
        send_gate.Target.FILE  # removed from the list of files
    }
    signed = ready_reply(attachment(found=True))
    (reason,) = send_gate.reasons(signed)
    assert reason.target is send_gate.Target.SIGN_OFF


def test_written_alt_text_clears_the_advice_to_write_it() -> None:
    advice = Finding("image.alt_text_required", Severity.WARN, None)
    image = attachment("bild.png", "image/png", 1, found=None, findings=(advice,))
    assert [f.code for f in image.findings([], MessageKind.REPLY)] == ["image.alt_text_required"]
    image.alt_text = "Karta över vårdcentralen"
    assert image.findings([], MessageKind.REPLY) == []


def test_an_alt_text_of_only_a_zero_width_space_is_no_alt_text() -> None:
    image = attachment("bild.png", "image/png", pages=1)
    draft = ready_reply(image)
    image.alt_text = "\u200b"
    assert codes(draft) == ["send.alt_text_missing"]


@pytest.mark.parametrize("name", ["．．／x.pdf", "prov\u3164svar.pdf", "a\u2215b.pdf"])
def test_a_name_the_gateway_would_refuse_holds_the_send_before_it_is_tried(name: str) -> None:
    draft = ready_reply(attachment(name))
    assert codes(draft) == ["send.filename_unsafe"]
