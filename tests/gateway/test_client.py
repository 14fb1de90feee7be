"""The client end to end against the sandbox (protocol 1.2): the clinician signed in at
the sandbox's identity provider through the real loopback listener (app.identity), every
call with the session's bearer token, a colleague's approval at the provider, the path of
one message."""

from __future__ import annotations

import logging
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from app.gateway.client import (
    GatewayClient,
    OutgoingAttachment,
    OutgoingMessage,
    RetryPolicy,
    StaticToken,
)
from app.gateway.errors import GatewayError
from app.identity import (
    Provider,
    ProviderSettings,
    SignedIn,
    approval_attempt,
    approval_from,
    sign_in_attempt,
)
from app.protocol.model import Case, Staff
from sandbox.runner import SandboxHandle
from tests.gateway.helpers import (
    CASE_PROVSVAR,
    GUNNAR,
    KARIN,
    LUND,
    Raw,
    RecordingSleep,
    pdf_blob,
    png_blob,
)
from tests.support.idp_robot import robot_browser, sandbox_pins, sandbox_tokens
from tests.support.keyrings import MemoryKeyring


@pytest.fixture
def provider(sandbox: SandboxHandle) -> Iterator[Provider]:
    with Provider(ProviderSettings(sandbox.issuer, "bifoga")) as chosen:
        yield chosen


def _login(provider: Provider, attempt_url: str, staff_id: str, base_url: str) -> None:
    browser = robot_browser(staff_id, sandbox_pins(base_url)[staff_id])
    try:
        assert browser.open(attempt_url), browser.errors
    finally:
        browser.close()


def _session(provider: Provider, base_url: str, staff_id: str = "anna") -> SignedIn:
    attempt = sign_in_attempt(provider)
    _login(provider, attempt.url, staff_id, base_url)
    return SignedIn.start(provider, attempt.wait(), keyring=MemoryKeyring())


def _token(client: GatewayClient, staff_id: str = "anna") -> str:
    return str(sandbox_tokens(client.base_url, staff_id)["access_token"])


def test_the_path_of_one_message(
    client: GatewayClient,
    provider: Provider,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    session = _session(provider, client.base_url)
    client.use_token_source(session)
    staff = client.me()
    assert staff == Staff("anna", "Anna Andersson", LUND, ("sender", "reviewer"))
    assert client.staff == staff and client.signed_in

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

    # Bertil approves at the provider, bound to this message's digest; only his id_token
    # reaches the gateway.
    subject = message.review_subject()
    attempt = approval_attempt(provider, subject.digest, "Anna skickar provsvar.pdf till Karin.")
    _login(provider, attempt.url, "bertil", client.base_url)
    approval = approval_from(attempt.wait())
    review = client.request_review(approval.id_token, subject)
    assert review.reviewer_id == "bertil" and review.reviewer_name == "Bertil Berg"
    assert review.digest == subject.digest
    with pytest.raises(GatewayError) as reused:  # an approval is used once
        client.request_review(approval.id_token, subject)
    assert reused.value.codes == ("approval_reused",)

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

    # Neither tokens nor full personnummer reach the log.
    logged = caplog.text
    assert session.access_token() not in logged and approval.id_token not in logged
    assert KARIN not in logged
    session.sign_out()


def seen_by(seen: list[tuple[int, int]]) -> Callable[[int, int], None]:
    return lambda done, total: seen.append((done, total))


def test_a_token_the_gateway_refuses_is_refreshed_once_and_the_call_made_again(
    client: GatewayClient, provider: Provider
) -> None:
    session = _session(provider, client.base_url)

    class StaleFirst:
        """The session, but its first token is one the gateway no longer takes."""

        def __init__(self) -> None:
            self.stale = True

        def access_token(self) -> str:
            return "stale.token.value" if self.stale else session.access_token()

        def refresh(self, rejected: str | None = None) -> str:
            self.stale = False
            return session.refresh(rejected)

    client.use_token_source(StaleFirst())
    assert client.me().staff_id == "anna"
    session.sign_out()


def test_upload_skips_what_the_gateway_holds(client: GatewayClient, tmp_path: Path) -> None:
    client.use_token_source(StaticToken(_token(client)))
    blob = pdf_blob()
    path = tmp_path / "a.pdf"
    path.write_bytes(blob.data)
    assert not client.has_attachment(blob.sha256)
    client.upload_attachment(path, blob.sha256, blob.media_type)
    assert client.has_attachment(blob.sha256)
    path.write_bytes(b"changed on disk: a PUT now would be a hash mismatch")
    client.upload_attachment(path, blob.sha256, blob.media_type)  # HEAD says held: no PUT


def test_refusals_carry_codes_fields_and_status(client: GatewayClient, raw: Raw) -> None:
    with pytest.raises(GatewayError) as unsigned:
        client.open_cases()
    assert unsigned.value.status == 401 and unsigned.value.codes == ("invalid_token",)
    client.use_token_source(StaticToken(_token(client)))
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


def test_sandbox_directory_names_the_cards_pins_and_its_provider(
    client: GatewayClient, sandbox: SandboxHandle
) -> None:
    staff, residents = client.sandbox_directory()
    assert {s.staff_id for s in staff} >= {"anna", "bertil", "cecilia", "david"}
    pins = {s.staff_id: s.pin for s in staff}
    assert pins["anna"] and pins["anna"] not in repr(staff)  # PINs stay out of reprs (and logs)
    assert any(r.id == KARIN and r.name == "Karin Berg" for r in residents)
    idp = client.sandbox_idp()
    assert (idp.issuer, idp.client_id) == (sandbox.issuer, "bifoga")


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
        subject = OutgoingMessage("reply", CASE_PROVSVAR, [KARIN], "s", "b").review_subject()
        with pytest.raises(GatewayError):
            client.request_review("an.approval.token", subject)
        assert len(fake_sleep.waits) == 2  # a sign-off: one try only


def test_tls_verification_cannot_be_switched_off(sandbox: SandboxHandle) -> None:
    with pytest.raises(ValueError):
        GatewayClient(sandbox.base_url, verify=False)
