from __future__ import annotations

import hashlib

from app.drafts.message_draft import Draft
from app.protocol.review import (
    ReviewedAttachment,
    ReviewSubject,
    canonical_json,
    message_sha256,
    subject_digest,
)
from app.send.sending import outgoing_message

_TEXT_SHA = message_sha256("Provsvar", "Hej!")


def test_digest_is_sha256_of_canonical_json_in_defined_order() -> None:
    subject = ReviewSubject(
        kind="reply",
        case_id="C-1",
        recipients=("191212121212",),
        attachments=(
            ReviewedAttachment("bb", "b.pdf", True),
            ReviewedAttachment("aa", "å.pdf", False),
        ),
        message_sha256=_TEXT_SHA,
    )
    expected = (
        '{"attachments":[{"filename":"å.pdf","personal_data":false,"sha256":"aa"},'
        '{"filename":"b.pdf","personal_data":true,"sha256":"bb"}],'
        f'"case_id":"C-1","kind":"reply","message_sha256":"{_TEXT_SHA}",'
        '"recipients":["191212121212"]}'
    ).encode()
    assert canonical_json(subject.to_json()) == expected
    assert subject.digest == hashlib.sha256(expected).hexdigest()


def test_message_sha256_is_of_subject_line_feed_body_in_utf8() -> None:
    assert message_sha256("Svar", "Hej Åsa") == hashlib.sha256("Svar\nHej Åsa".encode()).hexdigest()
    # The line feed separates the two: moving a word across it changes the hash.
    assert message_sha256("Svar Hej", "Åsa") != message_sha256("Svar", "Hej Åsa")


def test_any_change_gives_another_digest() -> None:
    base = {
        "kind": "reply",
        "case_id": "C-1",
        "recipients": ["1", "2"],
        "attachments": [{"sha256": "aa", "filename": "a.pdf", "personal_data": True}],
        "message_sha256": _TEXT_SHA,
    }
    reordered = dict(base, recipients=["2", "1"])
    assert subject_digest(base) == subject_digest(reordered)
    for change in (
        {"kind": "partial_reply"},
        {"case_id": "C-2"},
        {"recipients": ["1"]},
        {"attachments": [{"sha256": "ab", "filename": "a.pdf", "personal_data": True}]},
        {"attachments": [{"sha256": "aa", "filename": "b.pdf", "personal_data": True}]},
        {"attachments": [{"sha256": "aa", "filename": "a.pdf", "personal_data": False}]},
        {"message_sha256": message_sha256("Provsvar", "Hej!!")},
    ):
        assert subject_digest(dict(base, **change)) != subject_digest(base)


def test_a_drafts_subject_binds_exactly_the_text_that_is_sent() -> None:
    draft = Draft(subject="  Ditt provsvar ", body="\nHej!\n\n")
    sent = outgoing_message(draft)
    assert (sent.subject, sent.body) == ("Ditt provsvar", "Hej!")
    assert draft.review_subject().message_sha256 == message_sha256(sent.subject, sent.body)
    assert draft.review_subject() == sent.review_subject()
    signed = draft.review_subject().digest
    draft.body = "Hej! Ring mig."
    assert draft.review_subject().digest != signed, "an edit after the sign-off voids it"
