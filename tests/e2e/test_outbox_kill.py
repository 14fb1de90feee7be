"""Exactly once through any crash: the sender is killed with SIGKILL at random moments
(seeded) while it uploads, while the message's POST is on its way and just after a
delivery, and started again on the same journal each time, until the outbox reports every
job delivered by itself. The gateway's ledger then shows every resident delivered exactly
once per message, none missing.

Two jobs: a bulk send of a file with personal data to 250 residents (signed off by a demo
reviewer) and one of a file without. The sandbox gateway is a process of its own, so the
test's process only reads the sender's lines and picks its moments.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import requests

from app.gateway.client import GatewayClient
from app.outbox import JobState, Outbox, OutboxJob
from app.protocol.model import MAX_BULK_RECIPIENTS
from app.send.sending import enqueue_draft
from app.storage import storage_key
from app.storage.staging import StagingArea
from tests.gateway.helpers import bulk_personnummer
from tests.support.idp_robot import sandbox_tokens
from tests.support.outbox_work import padded_pdf, ready_draft, sign_off
from tests.support.processes import Child, sandbox_process
from tests.support.signed_client import sign_in

SEED = 20261130
FILE_BYTES = 6 * 1024 * 1024
UPLOAD_KILLS_PER_JOB = 11
SENDING_KILLS_PER_JOB = 2
PHASES = {"queued": 0, "uploading": 0, "sending": 1, "delivered": 2}


@dataclass(frozen=True, order=True)
class Moment:
    """Where a sender is: job (in sending order), phase, bytes uploaded."""

    job: int
    phase: int
    bytes_done: int


def _plan(rng: random.Random) -> list[Moment]:
    """For each job: kills at random points of its upload, kills as its message is sent,
    and one just after it was delivered; in the order a sender reaches them."""
    plan = []
    for job in (0, 1):
        plan += [
            Moment(job, 0, rng.randrange(256 * 1024, FILE_BYTES * 3 // 4))
            for _ in range(UPLOAD_KILLS_PER_JOB)
        ]
        plan += [Moment(job, 1, 0)] * SENDING_KILLS_PER_JOB
        plan.append(Moment(job, 2, 0))
    return plan


def _journal(path: Path) -> list[OutboxJob]:
    with Outbox(path) as outbox:
        return list(reversed(outbox.jobs("anna")))  # oldest first: the sending order


def _add_jobs(outbox_file: Path, base_url: str, tmp_path: Path) -> list[OutboxJob]:
    residents = bulk_personnummer()[:MAX_BULK_RECIPIENTS]
    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    with GatewayClient(base_url) as client, Outbox(outbox_file) as outbox:
        sign_in(client, "anna")
        personal = ready_draft(
            staging,
            padded_pdf(tmp_path / "Provsvar.pdf", FILE_BYTES, 1, "Provsvar 19990101-0000"),
            residents,
            personal_data=True,
            subject="Provsvar",
        )
        personal.sign_off = sign_off(client, personal, "bertil")
        plain = ready_draft(
            staging, padded_pdf(tmp_path / "Kallelse.pdf", FILE_BYTES, 2), residents
        )
        jobs = [enqueue_draft(personal, outbox, "anna"), enqueue_draft(plain, outbox, "anna")]
    assert jobs[0].message.review_id and jobs[0].signed_off_by == "Bertil Berg"
    assert jobs[1].message.review_id is None
    return jobs


def test_killed_senders_deliver_each_message_to_each_resident_exactly_once(
    tmp_path: Path,
) -> None:
    rng = random.Random(SEED)
    outbox_file = tmp_path / "data" / "outbox.sqlite3"
    with sandbox_process(tmp_path / "gateway", tmp_path / "sandbox.log") as (_, base_url):
        jobs = _add_jobs(outbox_file, base_url, tmp_path)
        order = {job.job_id: index for index, job in enumerate(jobs)}
        landed: list[str] = []  # the journal's state of the job being sent, after each kill
        plan = _plan(rng)
        finished: str | None = None
        for round_number in range(len(plan) + 5):
            target = plan[round_number] if round_number < len(plan) else None
            sender = Child(
                [
                    "-m",
                    "tests.e2e.outbox_sender",
                    str(outbox_file),
                    base_url,
                    "anna",
                ],
                tmp_path / "sender.log",
                # The storage key, then a fresh access token (each life signs in anew).
                first_input=storage_key.current().secret.hex()
                + "\n"
                + sandbox_tokens(base_url, "anna")["access_token"],
            )
            try:
                moment = None
                while True:
                    line = sender.line()
                    assert line, "the sender ended without saying so"
                    if line.startswith("done"):
                        finished = line
                        break
                    job_id, state, bytes_done = line.split()
                    moment = Moment(order[job_id], PHASES[state], int(bytes_done))
                    if target is not None and moment >= target:
                        if moment.phase == 1:
                            # Choosing the moment, not waiting for anything: somewhere
                            # in the POST (the server takes tens of ms for 250), or
                            # before it left, or after the gateway made it.
                            time.sleep(rng.uniform(0, 0.05))
                        sender.kill()
                        break
                if finished is not None:
                    assert sender.close() == 0
                    break
            finally:
                sender.release()
            assert moment is not None
            now = _journal(outbox_file)[moment.job]
            landed.append(now.state.value)

        assert finished is not None, "the sender finished by itself"
        kills = len(landed)
        assert kills >= 20, landed
        # The kills landed in every phase of a send, as the journal recorded it.
        assert {"uploading", "sending", "delivered"} <= set(landed), landed
        ledger = requests.get(f"{base_url}/sandbox/ledger", timeout=30).json()["deliveries"]

    final = _journal(outbox_file)
    assert [j.state for j in final] == [JobState.DELIVERED, JobState.DELIVERED]
    assert all(j.resumed and j.error_code is None for j in final)
    assert not any(f.path.exists() for j in final for f in j.files), "working copies deleted"
    residents = set(jobs[0].message.recipients)
    assert len(residents) == MAX_BULK_RECIPIENTS
    for job in final:
        mine = [d for d in ledger if d["idempotency_key"] == job.idempotency_key]
        per_resident = Counter(d["resident_id"] for d in mine)
        assert set(per_resident) == residents, "none missing"
        assert set(per_resident.values()) == {1}, "none twice"
        assert {d["message_id"] for d in mine} == {job.message_id}
        assert sorted(d.resident_id for d in job.deliveries) == sorted(residents)
    assert len(ledger) == 2 * MAX_BULK_RECIPIENTS, "nothing else was delivered"
