from __future__ import annotations

import hashlib

from app.review import ReviewedAttachment, ReviewSubject, canonical_json, subject_digest


def test_digest_is_sha256_of_canonical_json_in_defined_order() -> None:
    subject = ReviewSubject(
        kind="reply",
        case_id="C-1",
        recipients=("191212121212",),
        attachments=(
            ReviewedAttachment("bb", "b.pdf", True),
            ReviewedAttachment("aa", "å.pdf", False),
        ),
    )
    expected = (
        '{"attachments":[{"filename":"å.pdf","personal_data":false,"sha256":"aa"},'
        '{"filename":"b.pdf","personal_data":true,"sha256":"bb"}],'
        '"case_id":"C-1","kind":"reply","recipients":["191212121212"]}'
    ).encode()
    assert canonical_json(subject.to_json()) == expected
    assert subject.digest == hashlib.sha256(expected).hexdigest()


def test_any_change_gives_another_digest() -> None:
    base = {
        "kind": "reply",
        "case_id": "C-1",
        "recipients": ["1", "2"],
        "attachments": [{"sha256": "aa", "filename": "a.pdf", "personal_data": True}],
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
    ):
        assert subject_digest(dict(base, **change)) != subject_digest(base)
