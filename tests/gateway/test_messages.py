"""POST /v1/messages: validation, the sign-off rule, idempotency and the audit record."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.protocol.review import subject_digest
from tests.gateway.helpers import (
    ANSWERED_CASE,
    GUNNAR,
    KARIN,
    MALMO_CASE,
    FakeClock,
    Raw,
    attachment_json,
    bulk_personnummer,
    codes,
    pdf_blob,
    png_blob,
    reply,
    subject_of,
)


def _uploaded(raw: Raw, token: str, *blobs: Any) -> None:
    for blob in blobs:
        assert raw.upload(token, blob).status_code in (200, 201)


def _errors(response: Any) -> dict[str, str]:
    return {e.get("field", ""): e["code"] for e in response.json()["errors"]}


# -- basics -------------------------------------------------------------------------------


def test_a_reply_without_personal_data_is_delivered(raw: Raw, token: str) -> None:
    blob = pdf_blob()
    _uploaded(raw, token, blob)
    response = raw.send(token, reply([attachment_json(blob)]))
    assert response.status_code == 201, response.text
    body = response.json()
    assert [d["resident_id"] for d in body["deliveries"]] == [KARIN]
    assert body["deliveries"][0]["status"] == "delivered"
    assert "Idempotent-Replayed" not in response.headers
    message = raw.call("GET", f"/v1/messages/{body['message_id']}", token).json()
    assert message["review"] is None and message["sender"]["staff_id"] == "anna"


def test_idempotency_key_is_required(raw: Raw, token: str) -> None:
    response = raw.call("POST", "/v1/messages", token, json=reply())
    assert response.status_code == 400 and codes(response) == ["idempotency_key_missing"]


# -- validation ----------------------------------------------------------------------------


def test_one_error_per_field(raw: Raw, token: str) -> None:
    response = raw.send(
        token,
        {
            "kind": "letter",
            "case_id": 5,
            "recipients": "x",
            "subject": "",
            "body": None,
            "attachments": {},
            "review_id": 3,
        },
    )
    assert response.status_code == 422
    fields = [e["field"] for e in response.json()["errors"]]
    assert len(fields) == len(set(fields))
    assert set(fields) == {"kind", "recipients", "subject", "body", "attachments", "review_id"}


def test_reply_must_answer_an_open_case_of_the_unit(raw: Raw, token: str) -> None:
    for case_id in (ANSWERED_CASE, MALMO_CASE, "no-such-case", None):
        response = raw.send(token, reply(case_id=case_id))
        assert _errors(response).get("case_id") == "case_not_open", case_id


def test_reply_goes_to_exactly_the_cases_resident(raw: Raw, token: str) -> None:
    for recipients in ([GUNNAR], [KARIN, GUNNAR], []):
        response = raw.send(token, reply(recipients=recipients))
        assert response.status_code == 422
        assert _errors(response) == {"recipients": "recipient_not_case_resident"}


def test_invalid_personnummer_is_refused(raw: Raw, token: str) -> None:
    bad = KARIN[:-1] + str((int(KARIN[-1]) + 1) % 10)  # wrong check digit
    response = raw.send(token, reply(kind="new_case", case_id=None, recipients=[bad]))
    assert response.status_code == 422
    assert _errors(response) == {"recipients": "invalid_resident_id"}
    assert bad not in response.text  # the answer does not echo identifiers
    for other in ("19680102-9288", "6801029288", "196813029288"):
        response = raw.send(token, reply(kind="new_case", case_id=None, recipients=[other]))
        assert _errors(response) == {"recipients": "invalid_resident_id"}


@pytest.mark.parametrize("zero", [0xFF10, 0x0660, 0x06F0, 0x0966, 0x1D7CE])
def test_a_resident_in_other_digits_is_refused_not_a_second_delivery(
    raw: Raw, token: str, zero: int
) -> None:
    # Issue 21: the wire form is ASCII; fullwidth or Arabic-Indic "196801029288" once made
    # three deliveries to one resident.
    other = "".join(chr(zero + int(d)) for d in KARIN)
    response = raw.send(token, reply(kind="new_case", case_id=None, recipients=[KARIN, other]))
    assert response.status_code == 422
    assert _errors(response) == {"recipients": "invalid_resident_id"}
    assert raw.ledger() == []


def test_new_case_to_a_samordningsnummer(raw: Raw, token: str) -> None:
    response = raw.send(token, reply(kind="new_case", case_id=None, recipients=["189001619809"]))
    assert response.status_code == 201, response.text


def test_bulk_new_case_250_is_delivered_and_251_refused(raw: Raw, token: str) -> None:
    numbers = bulk_personnummer()
    ok = raw.send(
        token,
        reply(
            kind="new_case", case_id=None, subject="Vaccination i höst", recipients=numbers[:250]
        ),
    )
    assert ok.status_code == 201, ok.text
    assert len(ok.json()["deliveries"]) == 250
    too_many = raw.send(token, reply(kind="new_case", case_id=None, recipients=numbers[:251]))
    assert too_many.status_code == 422
    assert _errors(too_many) == {"recipients": "too_many_recipients"}
    assert len(raw.ledger()) == 250


def test_new_case_recipients_are_distinct_and_present(raw: Raw, token: str) -> None:
    twice = raw.send(token, reply(kind="new_case", case_id=None, recipients=[KARIN, KARIN]))
    assert _errors(twice) == {"recipients": "duplicate_recipients"}
    none = raw.send(token, reply(kind="new_case", case_id=None, recipients=[]))
    assert _errors(none) == {"recipients": "recipients_required"}
    with_case = raw.send(token, reply(kind="new_case"))
    assert _errors(with_case) == {"case_id": "case_id_not_allowed"}


def test_an_image_needs_alt_text(raw: Raw, token: str) -> None:
    image = png_blob()
    _uploaded(raw, token, image)
    for alt_text in (None, "", "   "):
        response = raw.send(token, reply([attachment_json(image, alt_text=alt_text)]))
        assert response.status_code == 422
        assert _errors(response) == {"attachments[0].alt_text": "alt_text_required"}
    ok = raw.send(token, reply([attachment_json(image, alt_text="Röd ruta")]))
    assert ok.status_code == 201


def test_attachments_must_be_uploaded_few_and_of_their_type(raw: Raw, token: str) -> None:
    blob = pdf_blob()
    missing = raw.send(token, reply([attachment_json(blob)]))
    assert _errors(missing) == {"attachments[0].sha256": "attachment_not_uploaded"}
    _uploaded(raw, token, blob)
    wrong_type = dict(
        attachment_json(blob), media_type="image/png", filename="provsvar.png", alt_text="x"
    )
    assert _errors(raw.send(token, reply([wrong_type]))) == {
        "attachments[0].media_type": "media_type_mismatch"
    }
    eleven = [pdf_blob(f"Sida {n}", f"fil{n}.pdf") for n in range(11)]
    _uploaded(raw, token, *eleven)
    too_many = raw.send(token, reply([attachment_json(b) for b in eleven]))
    assert _errors(too_many) == {"attachments": "too_many_attachments"}
    ten = raw.send(token, reply([attachment_json(b) for b in eleven[:10]]))
    assert ten.status_code == 201


# -- the sign-off rule ----------------------------------------------------------------------


@pytest.fixture
def personal(raw: Raw, token: str) -> dict[str, Any]:
    """A reply with one personal-data PDF, uploaded, and a matching sign-off by Bertil."""
    blob = pdf_blob(f"Provsvar för {KARIN}")
    _uploaded(raw, token, blob)
    message = reply([attachment_json(blob, personal_data=True)])
    review = raw.review(token, subject_of(message))
    assert review.status_code == 201, review.text
    return {"message": message, "review_id": review.json()["review_id"], "blob": blob}


def test_personal_data_needs_a_sign_off(raw: Raw, token: str, personal: dict[str, Any]) -> None:
    response = raw.send(token, personal["message"])
    assert response.status_code == 403 and codes(response) == ["review_required"]


def test_a_matching_sign_off_lets_it_through_and_is_recorded(
    raw: Raw, token: str, personal: dict[str, Any]
) -> None:
    message = dict(personal["message"], review_id=personal["review_id"])
    response = raw.send(token, message)
    assert response.status_code == 201, response.text
    sent = raw.call("GET", f"/v1/messages/{response.json()['message_id']}", token).json()
    assert sent["review"]["review_id"] == personal["review_id"]
    assert sent["review"]["reviewer"] == {"staff_id": "bertil", "name": "Bertil Berg"}
    assert sent["review"]["digest"] == subject_digest(subject_of(message))
    assert sent["review"]["signed_at"]


def test_a_sign_off_for_other_attachments_is_refused(
    raw: Raw, token: str, personal: dict[str, Any]
) -> None:
    other = pdf_blob("Ett annat dokument", "annat.pdf")
    _uploaded(raw, token, other)
    message = dict(
        personal["message"],
        review_id=personal["review_id"],
        attachments=[attachment_json(other, personal_data=True)],
    )
    response = raw.send(token, message)
    assert response.status_code == 403 and codes(response) == ["review_mismatch"]
    renamed = dict(personal["message"]["attachments"][0], filename="annat-namn.pdf")
    response = raw.send(token, dict(message, attachments=[renamed]))
    assert codes(response) == ["review_mismatch"]


def test_a_sign_off_for_other_recipients_is_refused(raw: Raw, token: str) -> None:
    blob = pdf_blob()
    _uploaded(raw, token, blob)
    signed = reply(
        [attachment_json(blob, personal_data=True)],
        kind="new_case",
        case_id=None,
        recipients=[KARIN],
    )
    review_id = raw.review(token, subject_of(signed)).json()["review_id"]
    sent = dict(signed, recipients=[KARIN, GUNNAR], review_id=review_id)
    response = raw.send(token, sent)
    assert response.status_code == 403 and codes(response) == ["review_mismatch"]


def test_an_expired_sign_off_is_refused(
    raw: Raw, token: str, clock: FakeClock, personal: dict[str, Any]
) -> None:
    clock.advance(minutes=15, seconds=1)
    response = raw.send(token, dict(personal["message"], review_id=personal["review_id"]))
    assert response.status_code == 403 and codes(response) == ["review_expired"]


def test_a_sign_off_serves_one_message(raw: Raw, token: str, personal: dict[str, Any]) -> None:
    # A partial reply keeps the case open, so only the used sign-off stands in the way.
    message = dict(personal["message"], kind="partial_reply")
    message["review_id"] = raw.review(token, subject_of(message)).json()["review_id"]
    assert raw.send(token, message).status_code == 201
    again = raw.send(token, message)  # a new key: a second message, not a retry
    assert again.status_code == 403 and codes(again) == ["review_used"]


def test_another_senders_sign_off_does_not_count(raw: Raw, personal: dict[str, Any]) -> None:
    cecilia = raw.token("cecilia")
    message = dict(personal["message"], review_id=personal["review_id"])
    response = raw.send(cecilia, message)
    assert response.status_code == 403 and codes(response) == ["review_mismatch"]


def test_an_unknown_review_id_does_not_count(
    raw: Raw, token: str, personal: dict[str, Any]
) -> None:
    response = raw.send(token, dict(personal["message"], review_id="rev_unknown"))
    assert codes(response) == ["review_mismatch"]


# -- idempotency -----------------------------------------------------------------------------


def test_same_key_same_body_replays_and_delivers_once(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    first = raw.send(token, reply(), key)
    second = raw.send(token, reply(), key)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"
    ledger = raw.ledger()
    assert len(ledger) == 1 and ledger[0]["idempotency_key"] == key
    assert ledger[0]["resident_id"] == KARIN


def test_same_key_other_body_is_refused(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    assert raw.send(token, reply(), key).status_code == 201
    other = raw.send(token, reply(body="Annan text"), key)
    assert other.status_code == 422 and codes(other) == ["idempotency_key_reused"]
    assert len(raw.ledger()) == 1


def test_a_refused_request_frees_its_key(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    assert raw.send(token, reply(recipients=[GUNNAR]), key).status_code == 422
    assert raw.send(token, reply(), key).status_code == 201


def test_keys_belong_to_their_sender(raw: Raw, token: str) -> None:
    key = str(uuid.uuid4())
    assert raw.send(token, reply(kind="partial_reply"), key).status_code == 201
    bertil = raw.send(raw.token("bertil"), reply(), key)
    assert bertil.status_code == 201 and "Idempotent-Replayed" not in bertil.headers


# -- reading back ----------------------------------------------------------------------------


def test_sent_messages_since(raw: Raw, token: str, clock: FakeClock) -> None:
    raw.send(token, reply(subject="Först", kind="partial_reply"))
    clock.advance(minutes=5)
    since = clock.now.isoformat()
    raw.send(token, reply(subject="Sedan", kind="partial_reply"))
    raw.send(raw.token("bertil"), reply(subject="Bertils", kind="partial_reply"))
    everything = raw.call("GET", "/v1/messages?sent_by=me", token).json()["messages"]
    assert [m["subject"] for m in everything] == ["Först", "Sedan"]
    recent = raw.call(
        "GET", "/v1/messages", token, params={"sent_by": "me", "since": since}
    ).json()["messages"]
    assert [m["subject"] for m in recent] == ["Sedan"]
    bad = raw.call("GET", "/v1/messages", token, params={"since": "yesterday"})
    assert codes(bad) == ["invalid_since"]


def test_a_message_of_another_unit_is_not_found(raw: Raw, token: str) -> None:
    message_id = raw.send(token, reply()).json()["message_id"]
    assert raw.call("GET", f"/v1/messages/{message_id}", raw.token("erik")).status_code == 404
    assert raw.call("GET", f"/v1/messages/{message_id}", raw.token("bertil")).status_code == 200
