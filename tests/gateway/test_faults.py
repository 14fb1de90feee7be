"""Fault injection, and the client's answer to it: a send retried with the same key
reaches each resident exactly once."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest

from app.gateway.client import GatewayClient, OutgoingMessage, RetryPolicy
from app.gateway.errors import GatewayError
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import (
    CASE_PROVSVAR,
    KARIN,
    AnswerLog,
    Raw,
    RecordingSleep,
    bulk_personnummer,
    codes,
    pdf_blob,
)
from tests.support.signed_client import request_review, sign_in


def _reply() -> OutgoingMessage:
    return OutgoingMessage(
        kind="reply", case_id=CASE_PROVSVAR, recipients=[KARIN], subject="Provsvar", body="Hej!"
    )


def _per_resident(raw: Raw) -> dict[str, int]:
    counts: dict[str, int] = {}
    for delivery in raw.ledger():
        counts[delivery["resident_id"]] = counts.get(delivery["resident_id"], 0) + 1
    return counts


@pytest.mark.parametrize("mode", ["reset_after", "error_after", "drop_before"])
def test_send_retried_with_the_same_key_delivers_once(
    mode: str, raw: Raw, client: GatewayClient, fake_sleep: RecordingSleep
) -> None:
    sign_in(client, "anna")
    raw.set_fault(mode, count=2)
    sent = client.send_message(_reply(), str(uuid.uuid4()))
    assert [d.resident_id for d in sent.deliveries] == [KARIN]
    assert len(fake_sleep.waits) == 2  # two failed tries, then success
    assert _per_resident(raw) == {KARIN: 1}
    # Processed-then-lost answers come back as a replay of the first answer.
    assert sent.replayed is (mode != "drop_before")


def test_bulk_send_through_resets_reaches_each_resident_once(
    raw: Raw, client: GatewayClient
) -> None:
    sign_in(client, "anna")
    residents = bulk_personnummer()[:250]
    raw.set_fault("reset_after", count=3)
    message = OutgoingMessage(
        kind="new_case", case_id=None, recipients=residents, subject="Utskick", body="Hej!"
    )
    client.send_message(message, str(uuid.uuid4()))
    counts = _per_resident(raw)
    assert len(counts) == 250 and set(counts.values()) == {1}


def test_throttle_is_honoured_with_retry_after(
    raw: Raw, client: GatewayClient, fake_sleep: RecordingSleep
) -> None:
    sign_in(client, "anna")
    raw.set_fault("throttle", count=1)
    client.send_message(_reply(), str(uuid.uuid4()))
    assert fake_sleep.waits == [1.0]
    assert _per_resident(raw) == {KARIN: 1}


def test_upload_is_retried_after_a_reset(
    raw: Raw, client: GatewayClient, fake_sleep: RecordingSleep, tmp_path: Path
) -> None:
    sign_in(client, "anna")
    blob = pdf_blob()
    path = tmp_path / blob.filename
    path.write_bytes(blob.data)
    raw.set_fault("reset_after", count=1)
    client.upload_attachment(path, blob.sha256, blob.media_type)
    assert client.has_attachment(blob.sha256) and len(fake_sleep.waits) == 1


def test_a_sign_off_is_never_retried(
    raw: Raw, client: GatewayClient, fake_sleep: RecordingSleep
) -> None:
    # (1.2: signing in happens at the identity provider, which takes no gateway faults.)
    sign_in(client, "anna")
    raw.set_fault("error_after", count=1)
    with pytest.raises(GatewayError) as failed:
        request_review(client, "bertil", _reply().review_subject())
    assert failed.value.status == 500 and failed.value.codes == ("internal_error",)
    raw.set_fault("drop_before", count=1)
    with pytest.raises(GatewayError) as dropped:
        request_review(client, "bertil", _reply().review_subject())
    assert dropped.value.status is None and dropped.value.codes == ("network",)
    raw.set_fault("throttle", count=1)
    with pytest.raises(GatewayError) as throttled:
        request_review(client, "bertil", _reply().review_subject())
    assert throttled.value.status == 429 and throttled.value.retry_after == 1.0
    assert fake_sleep.waits == []


def test_retries_give_up_after_the_bounded_attempts(
    raw: Raw, sandbox: SandboxHandle, fake_sleep: RecordingSleep
) -> None:
    with GatewayClient(
        sandbox.base_url, sleep=fake_sleep, retry=RetryPolicy(max_attempts=3)
    ) as client:
        sign_in(client, "anna")
        raw.set_fault("error_after", count=10)
        with pytest.raises(GatewayError) as failed:
            client.send_message(_reply(), str(uuid.uuid4()))
    assert failed.value.status == 500 and len(fake_sleep.waits) == 2
    assert _per_resident(raw) == {KARIN: 1}  # processed once, the rest were replays


#: Longer than any test: a held request goes on only when the test releases it.
HELD_UNTIL_RELEASED_S = 600.0


def test_slow_answer_times_out_and_the_retry_waits_for_the_first(
    sandbox: SandboxHandle, raw: Raw
) -> None:
    # The client's read timeout is real time: it is what is tested. The gateway holds the
    # first POST (its key claimed) until the test lets it go, so nothing else depends on
    # how fast either side is.
    waits: list[float] = []

    def between_tries(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 1:  # the first try timed out: its request holds the key
            assert sandbox.faults.wait_until_held(1)
        elif len(waits) == 2:  # the retry met the first still in flight: let it finish
            sandbox.faults.release_held()
            assert sandbox.faults.wait_until_done(1)

    log = AnswerLog()
    with GatewayClient(
        sandbox.base_url,
        read_timeout=0.3,
        sleep=between_tries,
        session=log,
        retry=RetryPolicy(max_attempts=8),
    ) as client:
        sign_in(client, "anna")
        raw.set_fault("slow", count=1, delay_s=HELD_UNTIL_RELEASED_S)
        sent = client.send_message(_reply(), str(uuid.uuid4()))
    assert sent.replayed and len(waits) == 2
    # The timed-out try has no answer; the retry heard 409 (in flight), then the replay.
    posts = [status for method, path, status in log.answers if method == "POST"]
    assert posts[-2:] == [409, 201]
    assert _per_resident(raw) == {KARIN: 1}


def test_in_flight_key_answers_409(sandbox: SandboxHandle, raw: Raw) -> None:
    token = raw.token()
    raw.set_fault("slow", count=1, delay_s=HELD_UNTIL_RELEASED_S)
    key = str(uuid.uuid4())
    message = {
        "kind": "reply",
        "case_id": CASE_PROVSVAR,
        "recipients": [KARIN],
        "subject": "Provsvar",
        "body": "Hej",
        "attachments": [],
        "review_id": None,
    }
    first: dict[str, int] = {}
    worker = threading.Thread(
        target=lambda: first.update(status=raw.send(token, message, key).status_code)
    )
    worker.start()
    try:
        # Held once its key is claimed: the same key now is in flight.
        assert sandbox.faults.wait_until_held(1)
        other = Raw(sandbox.base_url)  # its own connection, beside the waiting one
        second = other.send(token, message, key)
        other.close()
        assert second.status_code == 409 and codes(second) == ["idempotency_key_in_flight"]
    finally:
        sandbox.faults.release_held()
        worker.join()
    assert first["status"] == 201
    assert raw.send(token, message, key).headers["Idempotent-Replayed"] == "true"


def test_a_held_request_is_let_go_when_the_sandbox_stops() -> None:
    with start_sandbox(fault="slow:1", slow_delay_s=HELD_UNTIL_RELEASED_S) as handle:
        raw = Raw(handle.base_url)
        token = raw.token()  # at the provider: no fault there
        worker = threading.Thread(target=raw.send, args=(token, _new_case()))  # held

        worker.start()
        assert handle.faults.wait_until_held(1)
        assert not handle.faults.wait_until_done(1, timeout_s=0), "still held"
    # Stopping did not wait out the delay (the test's time limit is far shorter): the held
    # request was let go and processed before the sandbox closed its store.
    assert handle.faults.wait_until_done(1, timeout_s=0)
    worker.join()
    raw.close()


def test_fault_from_start_and_invalid_fault_requests(tmp_path: Path) -> None:
    with start_sandbox(fault="throttle:2") as handle:
        raw = Raw(handle.base_url)
        token = raw.token()  # at the provider: the faults are the gateway's
        assert raw.send(token, _new_case()).status_code == 429  # it changes state
        assert raw.send(token, _new_case()).status_code == 429
        assert raw.send(token, _new_case()).status_code == 201
        bad = raw.call("POST", "/sandbox/faults", json={"mode": "explode", "count": -1})
        assert bad.status_code == 422
        assert raw.call("GET", "/sandbox/faults").json()["mode"] is None
        raw.close()
    with pytest.raises(ValueError):
        start_sandbox(fault="explode")


def _new_case() -> dict[str, object]:
    return {"kind": "new_case", "case_id": None, "recipients": [KARIN], "subject": "Hej",
            "body": "Hej", "attachments": [], "review_id": None}  # fmt: skip
