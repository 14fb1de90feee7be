"""The client end to end against the sandbox: the path of one message."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from app.gateway.client import (
    GatewayClient,
    OutgoingAttachment,
    OutgoingMessage,
    RetryPolicy,
)
from app.gateway.errors import GatewayError
from app.model import Case, Staff
from sandbox.runner import SandboxHandle
from tests.gateway.helpers import (
    CASE_PROVSVAR,
    GUNNAR,
    KARIN,
    LUND,
    SECRETS,
    FakeClock,
    Raw,
    RecordingSleep,
    pdf_blob,
    png_blob,
)


def test_the_path_of_one_message(
    client: GatewayClient, tmp_path: Path, raw: Raw, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    staff = client.sign_in("anna", SECRETS["anna"])
    assert staff == Staff("anna", "Anna Andersson", LUND, ("sender", "reviewer"))
    assert client.staff == staff and client.token

    cases = client.open_cases()
    case = next(c for c in cases if c.case_id == CASE_PROVSVAR)
    assert isinstance(case, Case) and case.resident.id == KARIN

    pdf, image = pdf_blob(f"Provsvar {KARIN}"), png_blob()
    attachments = []
    for blob, personal, alt in ((pdf, True, None), (image, False, "Kurva över blodvärden")):
        path = tmp_path / blob.filename
        path.write_bytes(blob.data)
        seen: list[tuple[int, int]] = []
        client.upload_attachment(path, blob.sha256, blob.media_type, progress=seen_by(seen))
        assert seen and seen[-1] == (len(blob.data), len(blob.data))
        attachments.append(
            OutgoingAttachment(blob.sha256, blob.filename, blob.media_type, personal, alt)
        )
    message = OutgoingMessage(
        kind="reply",
        case_id=case.case_id,
        recipients=[KARIN],
        subject="Ditt provsvar",
        body="Hej!",
        attachments=attachments,
    )

    review = client.request_review("bertil", SECRETS["bertil"], message.review_subject())
    assert review.reviewer_id == "bertil" and review.reviewer_name == "Bertil Berg"
    assert review.digest == message.review_subject().digest

    key = str(uuid.uuid4())
    signed = replace(message, review_id=review.review_id)
    sent = client.send_message(signed, key)
    assert not sent.replayed and [d.resident_id for d in sent.deliveries] == [KARIN]
    again = client.send_message(signed, key)
    assert again.replayed and again.message_id == sent.message_id

    stored = client.get_message(sent.message_id)
    assert stored.reviewer is not None and stored.reviewer.staff_id == "bertil"
    assert [m.message_id for m in client.sent_messages()] == [sent.message_id]

    accepted = client.request_retraction(sent.message_id, "Fel fil", [pdf.sha256])
    assert accepted["status"] == "requested"
    assert [r["status"] for r in client.retractions(sent.message_id)] == ["done"]

    # Neither secrets, tokens nor full personnummer reach the log.
    logged = caplog.text
    assert SECRETS["anna"] not in logged and SECRETS["bertil"] not in logged
    assert client.token not in logged and KARIN not in logged


def seen_by(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: seen.append((done, total))


def test_upload_skips_what_the_gateway_holds(
    client: GatewayClient, tmp_path: Path, raw: Raw
) -> None:
    client.sign_in("anna", SECRETS["anna"])
    blob = pdf_blob()
    path = tmp_path / "a.pdf"
    path.write_bytes(blob.data)
    assert not client.has_attachment(blob.sha256)
    client.upload_attachment(path, blob.sha256, blob.media_type)
    assert client.has_attachment(blob.sha256)
    path.write_bytes(b"changed on disk: a PUT now would be a hash mismatch")
    client.upload_attachment(path, blob.sha256, blob.media_type)  # HEAD says held: no PUT


def test_refusals_carry_codes_fields_and_status(client: GatewayClient) -> None:
    with pytest.raises(GatewayError) as wrong:
        client.sign_in("anna", "wrong")
    assert wrong.value.status == 401 and wrong.value.codes == ("invalid_credentials",)
    assert client.token is None
    client.sign_in("anna", SECRETS["anna"])
    bad = OutgoingMessage(
        kind="reply", case_id=CASE_PROVSVAR, recipients=[GUNNAR], subject="", body="Hej"
    )
    with pytest.raises(GatewayError) as refused:
        client.send_message(bad, str(uuid.uuid4()))
    assert refused.value.status == 422
    assert dict(zip(refused.value.fields, refused.value.codes, strict=True)) == {
        "recipients": "recipient_not_case_resident",
        "subject": "subject_required",
    }


def test_sandbox_directory(client: GatewayClient) -> None:
    staff, residents = client.sandbox_directory()
    assert {s.staff_id for s in staff} >= {"anna", "bertil", "cecilia", "david"}
    assert "anna-sandlada" not in repr(staff)  # secrets stay out of reprs (and logs)
    assert any(r.id == KARIN and r.name == "Karin Berg" for r in residents)


def test_an_expired_token_is_forgotten(client: GatewayClient, clock: FakeClock) -> None:
    client.sign_in("anna", SECRETS["anna"])
    clock.advance(hours=9)
    with pytest.raises(GatewayError) as expired:
        client.open_cases()
    assert expired.value.codes == ("token_expired",) and client.token is None


def test_no_gateway_is_a_network_error_after_bounded_retries(
    fake_sleep: RecordingSleep,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with GatewayClient(
        f"http://127.0.0.1:{port}",
        connect_timeout=0.5,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=3),
    ) as client:
        with pytest.raises(GatewayError) as down:
            client.open_cases()
        assert down.value.status is None and down.value.codes == ("network",)
        assert len(fake_sleep.waits) == 2
        with pytest.raises(GatewayError):
            client.sign_in("anna", "x")
        assert len(fake_sleep.waits) == 2  # sign-in: one try only


def test_tls_verification_cannot_be_switched_off(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError):
        GatewayClient(sandbox.base_url, verify=False)
