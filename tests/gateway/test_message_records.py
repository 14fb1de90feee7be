"""The sent-message record the window's "Skickat" view reads: GET /v1/messages/{id} and
GET /v1/messages?sent_by=me, parsed into MessageRecord in one place."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from app.gateway.client import (
    AttachmentRecord,
    Delivery,
    GatewayClient,
    OutgoingAttachment,
    OutgoingMessage,
)
from app.gateway.errors import BAD_RESPONSE, GatewayError
from app.gateway.records import Reviewer, parse_message_record
from tests.gateway.helpers import CASE_PROVSVAR, GUNNAR, KARIN, FakeClock, pdf_blob
from tests.support.signed_client import request_review, sign_in


def _uploaded(client: GatewayClient, tmp_path: Path, text: str, name: str) -> OutgoingAttachment:
    blob = pdf_blob(text, name)
    path = tmp_path / name
    path.write_bytes(blob.data)
    client.upload_attachment(path, blob.sha256, blob.media_type)
    return OutgoingAttachment(blob.sha256, name, blob.media_type, personal_data=True)


def test_a_signed_reply_reads_back_whole(client: GatewayClient, tmp_path: Path) -> None:
    sign_in(client, "anna")
    attachment = _uploaded(client, tmp_path, f"Provsvar {KARIN}", "provsvar.pdf")
    message = OutgoingMessage(
        "reply", CASE_PROVSVAR, [KARIN], "Ditt provsvar", "Hej!", [attachment]
    )
    review = request_review(client, "bertil", message.review_subject())
    sent = client.send_message(replace(message, review_id=review.review_id), str(uuid.uuid4()))

    record = client.get_message(sent.message_id)
    size = (tmp_path / "provsvar.pdf").stat().st_size
    assert record.message_id == sent.message_id and record.created_at == sent.created_at
    assert (record.kind, record.case_id) == ("reply", CASE_PROVSVAR)
    assert record.subject == "Ditt provsvar"
    assert record.attachments == (
        AttachmentRecord(attachment.sha256, "provsvar.pdf", "application/pdf", size, True, None),
    )
    assert record.deliveries == tuple(sent.deliveries)
    assert record.recipients == (KARIN,)
    assert record.reviewer == Reviewer("bertil", "Bertil Berg")

    client.request_retraction(sent.message_id, "Fel fil", [attachment.sha256])
    retracted = client.get_message(sent.message_id)
    assert [d.status for d in retracted.deliveries] == ["retracted"]
    assert retracted.attachments[0].retracted_at is not None


def test_sent_messages_lists_ones_own_since_a_time(
    client: GatewayClient, clock: FakeClock, tmp_path: Path
) -> None:
    sign_in(client, "anna")
    first = client.send_message(
        OutgoingMessage("new_case", None, [KARIN, GUNNAR], "Vaccination", "Välkommen"),
        str(uuid.uuid4()),
    )
    clock.advance(minutes=10)
    since = clock.now.isoformat()
    second = client.send_message(
        OutgoingMessage("partial_reply", CASE_PROVSVAR, [KARIN], "Provsvar", "Snart"),
        str(uuid.uuid4()),
    )
    everything = client.sent_messages()
    assert [m.message_id for m in everything] == [first.message_id, second.message_id]
    bulk = everything[0]
    assert bulk.kind == "new_case" and bulk.case_id is None and bulk.reviewer is None
    assert bulk.recipients == (KARIN, GUNNAR) and bulk.attachments == ()
    assert all(isinstance(d, Delivery) and d.status == "delivered" for d in bulk.deliveries)
    assert [m.message_id for m in client.sent_messages(since=since)] == [second.message_id]

    # Bertil's list holds none of Anna's messages.
    sign_in(client, "bertil")
    assert client.sent_messages() == []
    with pytest.raises(GatewayError) as refused:
        client.sent_messages(since="igår")
    assert refused.value.codes == ("invalid_since",)


def _answer() -> dict[str, Any]:
    return {
        "message_id": "msg_1",
        "created_at": "2026-01-01T00:00:00Z",
        "kind": "reply",
        "case_id": "2024-118",
        "subject": "Provsvar",
        "attachments": [
            {
                "sha256": "a" * 64,
                "filename": "a.pdf",
                "media_type": "application/pdf",
                "size": 10,
                "personal_data": False,
                "retracted_at": None,
            }
        ],
        "deliveries": [{"resident_id": KARIN, "delivery_id": "dlv_1", "status": "delivered"}],
        "review": None,
    }


@pytest.mark.parametrize(
    "spoil",
    [
        lambda m: m.pop("review"),
        lambda m: m["attachments"][0].pop("size"),
        lambda m: m["attachments"][0].update(size="10"),
        lambda m: m["attachments"][0].update(personal_data="false"),
        lambda m: m["deliveries"][0].update(status=None),
        lambda m: m.update(deliveries={"resident_id": KARIN}),
        lambda m: m.update(review={"reviewer": "bertil"}),
        lambda m: m.update(case_id=118),
    ],
)
def test_a_misshapen_record_is_refused_not_half_read(spoil: Any) -> None:
    assert parse_message_record(_answer()).attachments[0].size == 10
    answer = _answer()
    spoil(answer)
    with pytest.raises((KeyError, TypeError, ValueError)):
        parse_message_record(answer)


def test_the_client_turns_a_misshapen_answer_into_bad_response(
    client: GatewayClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in(client, "anna")
    sent = client.send_message(
        OutgoingMessage("partial_reply", CASE_PROVSVAR, [KARIN], "Provsvar", "Snart"),
        str(uuid.uuid4()),
    )
    import app.gateway.client as client_module

    def spoiled(data: dict[str, Any]) -> Any:
        data.pop("deliveries")
        return parse_message_record(data)

    monkeypatch.setattr(client_module, "parse_message_record", spoiled)
    with pytest.raises(GatewayError) as refused:
        client.get_message(sent.message_id)
    assert refused.value.codes == (BAD_RESPONSE,) and refused.value.status == 200
