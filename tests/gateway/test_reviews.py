"""POST /v1/reviews: the digest, the colleague's credentials and who may sign off."""

from __future__ import annotations

from app.review import subject_digest
from tests.gateway.helpers import Raw, attachment_json, codes, pdf_blob, reply, subject_of


def _subject() -> dict[str, object]:
    return subject_of(reply([attachment_json(pdf_blob(), personal_data=True)]))


def test_a_colleague_signs_off(raw: Raw, token: str) -> None:
    subject = _subject()
    response = raw.review(token, subject, reviewer="bertil")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["reviewer"] == {"staff_id": "bertil", "name": "Bertil Berg"}
    assert body["digest"] == subject_digest(subject) and body["review_id"]
    assert body["expires_at"]


def test_digest_must_be_the_subjects(raw: Raw, token: str) -> None:
    response = raw.review(token, _subject(), digest="0" * 64)
    assert response.status_code == 422 and codes(response) == ["digest_mismatch"]


def test_the_sender_cannot_sign_off_on_their_own_message(raw: Raw, token: str) -> None:
    response = raw.review(token, _subject(), reviewer="anna")
    assert response.status_code == 403 and codes(response) == ["reviewer_is_sender"]


def test_a_colleague_without_the_reviewer_role_cannot(raw: Raw, token: str) -> None:
    response = raw.review(token, _subject(), reviewer="david")
    assert response.status_code == 403 and codes(response) == ["not_a_reviewer"]


def test_a_colleague_of_another_unit_cannot(raw: Raw, token: str) -> None:
    response = raw.review(token, _subject(), reviewer="erik")
    assert response.status_code == 403 and codes(response) == ["reviewer_other_unit"]


def test_reviewer_credentials_are_checked_like_a_sign_in(raw: Raw, token: str) -> None:
    wrong = raw.review(token, _subject(), reviewer="bertil", secret="wrong")
    assert wrong.status_code == 401 and codes(wrong) == ["invalid_credentials"]
    for _ in range(4):
        raw.review(token, _subject(), reviewer="bertil", secret="wrong")
    locked = raw.review(token, _subject(), reviewer="bertil")
    assert locked.status_code == 429 and "Retry-After" in locked.headers
    # The same throttle guards Bertil's own sign-in.
    assert raw.sign_in("bertil").status_code == 429


def test_malformed_review_request_is_refused_per_field(raw: Raw, token: str) -> None:
    response = raw.call("POST", "/v1/reviews", token, json={"digest": "x", "subject": {}})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"reviewer", "digest", "subject.kind"} <= fields
