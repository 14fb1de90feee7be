"""Protocol 1.1: the colleague signs off on the message's text too (message_sha256)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from app.gateway.client import GatewayClient, OutgoingAttachment, OutgoingMessage
from app.gateway.errors import GatewayError
from app.protocol.review import message_sha256
from tests.gateway.helpers import (
    CASE_PROVSVAR,
    KARIN,
    Raw,
    attachment_json,
    codes,
    pdf_blob,
    reply,
    subject_of,
)
from tests.support.signed_client import request_review, sign_in


def _signed_reply(raw: Raw, token: str) -> tuple[dict[str, object], str]:
    blob = pdf_blob(f"Provsvar för {KARIN}")
    assert raw.upload(token, blob).status_code == 201
    message = reply([attachment_json(blob, personal_data=True)])
    review = raw.review(token, subject_of(message))
    assert review.status_code == 201, review.text
    return message, str(review.json()["review_id"])


@pytest.mark.parametrize(
    "change",
    [
        {"body": "Hej! Här kommer ditt provsvar.\nVänliga hälsningar, Anna"},
        {"subject": "Ditt provsvar (rättat)"},
        {"body": "Hej! Här kommer ditt provsvar.\nVänliga hälsningar "},  # one trailing space
    ],
)
def test_text_changed_after_the_sign_off_is_refused(
    raw: Raw, token: str, change: dict[str, str]
) -> None:
    message, review_id = _signed_reply(raw, token)
    changed = raw.send(token, dict(message, review_id=review_id, **change))
    assert changed.status_code == 403 and codes(changed) == ["review_mismatch"]
    assert raw.ledger() == [], "nothing was delivered"
    # The sign-off was not used up by the refusal: the text as approved goes through.
    exact = raw.send(token, dict(message, review_id=review_id))
    assert exact.status_code == 201, exact.text


def test_a_subject_without_message_sha256_is_refused(raw: Raw, token: str) -> None:
    message, _ = _signed_reply(raw, token)
    subject = subject_of(message)
    del subject["message_sha256"]
    response = raw.review(token, subject)
    assert response.status_code == 422 and codes(response) == ["invalid_message_sha256"]


def test_the_clients_subject_binds_the_text_it_sends(client: GatewayClient, tmp_path: Path) -> None:
    sign_in(client, "anna")
    blob = pdf_blob(f"Provsvar för {KARIN}")
    path = tmp_path / blob.filename
    path.write_bytes(blob.data)
    client.upload_attachment(path, blob.sha256, blob.media_type)
    message = OutgoingMessage(
        kind="reply",
        case_id=CASE_PROVSVAR,
        recipients=[KARIN],
        subject="Ditt provsvar",
        body="Hej!",
        attachments=[OutgoingAttachment(blob.sha256, blob.filename, blob.media_type, True)],
    )
    assert message.review_subject().message_sha256 == message_sha256("Ditt provsvar", "Hej!")
    review = request_review(client, "bertil", message.review_subject())
    edited = replace(message, body="Hej! Ring mig.", review_id=review.review_id)
    with pytest.raises(GatewayError) as refused:
        client.send_message(edited, str(uuid.uuid4()))
    assert refused.value.status == 403 and refused.value.codes == ("review_mismatch",)
