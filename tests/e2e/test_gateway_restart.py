"""A gateway killed while it processes a message (docs/protocol.md 1.1): the sandbox runs as a
process of its own with ``--fault slow:1``, so the message's POST claims its key and then
waits; the sender's read times out, it asks for the key (nothing yet), sends again and
hears 409 (in flight). The gateway is then killed with SIGKILL and started again on the
same ``--data``: the key is no longer stuck, the sender's retry with the same key and body
makes the message, and each resident gets it once."""

from __future__ import annotations

import urllib.parse
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import requests

from app.gateway.client import GatewayClient
from app.outbox import DeliveryPolicy, JobState, Outbox, run_job
from app.send.sending import enqueue_draft
from app.storage.staging import StagingArea, read_staged
from tests.gateway.helpers import AnswerLog, bulk_personnummer
from tests.support.outbox_work import padded_pdf, ready_draft
from tests.support.processes import Child, sandbox_process
from tests.support.signed_client import sign_in


def test_a_key_in_flight_when_the_gateway_is_killed_is_sent_once_after_its_restart(
    tmp_path: Path,
) -> None:
    data = tmp_path / "gateway"
    residents = bulk_personnummer()[:250]
    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    draft = ready_draft(staging, padded_pdf(tmp_path / "Kallelse.pdf", 200_000, 3), residents)
    session = AnswerLog()
    with ExitStack() as stack:
        # First run: sign in and upload, so the fault below meets the message's POST.
        first, base_url = stack.enter_context(sandbox_process(data, tmp_path / "gw1.log"))
        port = urllib.parse.urlsplit(base_url).port
        client = stack.enter_context(GatewayClient(base_url, read_timeout=1.0, session=session))
        sign_in(client, "anna")
        outbox = stack.enter_context(Outbox(tmp_path / "data" / "outbox.sqlite3"))
        job = enqueue_draft(draft, outbox, "anna")
        client.upload_attachment(
            read_staged(job.files[0].path), job.files[0].sha256, job.files[0].media_type
        )
        first.release()

        slow, _ = stack.enter_context(
            sandbox_process(data, tmp_path / "gw2.log", port=port or 0, fault="slow:1")
        )
        restarted: list[Child] = []

        def wait_then_restart(seconds: float) -> None:
            """The outbox's wait between tries. Once the key is seen in flight (409), the
            gateway is killed where it is and started again on the same data."""
            if not restarted and ("POST", "/v1/messages", 409) in session.answers:
                slow.kill()
                again, _ = stack.enter_context(
                    sandbox_process(data, tmp_path / "gw3.log", port=port or 0)
                )
                restarted.append(again)

        clock = iter(range(1_000_000))
        done = run_job(
            outbox,
            job.job_id,
            client,
            policy=DeliveryPolicy(settle_within_s=100.0),
            sleep=wait_then_restart,
            clock=lambda: float(next(clock)),
        )
        assert restarted, "the gateway was killed with the key in flight"
        assert done.state is JobState.DELIVERED, done.error_code
        posts = [status for method, path, status in session.answers if method == "POST"]
        assert posts[-2:] == [409, 201]
        ledger = requests.get(f"{base_url}/sandbox/ledger", timeout=10).json()["deliveries"]

    per_resident = Counter(
        d["resident_id"] for d in ledger if d["idempotency_key"] == job.idempotency_key
    )
    assert set(per_resident) == set(residents) and set(per_resident.values()) == {1}
    assert len(ledger) == len(residents)
    assert sorted(d.resident_id for d in done.deliveries) == sorted(residents)
