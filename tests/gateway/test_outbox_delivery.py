"""The outbox's jobs against a real sandbox on loopback, through its faults: every job
ends DELIVERED, FAILED (the gateway's code) or NEEDS_ACTION (an ``outbox.*`` code); a lost
answer is settled by asking for the key, never by a blind second send; and each resident
gets the message once."""

from __future__ import annotations

import socket
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from app.drafts.message_draft import Draft
from app.gateway.client import GatewayClient, RetryPolicy
from app.outbox import DeliveryPolicy, JobState, Outbox, OutboxJob, resume_unfinished, run_job
from app.protocol.model import MessageKind
from app.send.sending import enqueue_draft, outgoing_message
from app.storage.staging import StagingArea, read_staged
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import FakeClock, Raw, RecordingSleep, bulk_personnummer
from tests.gateway.sockets import SilentServer, closed_port
from tests.support.outbox_work import padded_pdf, ready_draft, sign_off
from tests.support.signed_client import sign_in

RESIDENTS = bulk_personnummer()[:3]
POLICY = DeliveryPolicy(settle_within_s=30.0, persist_every_bytes=64 * 1024)


class RecordingSession(requests.Session):
    """Notes each request the client makes, as (method, path, query)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, str, str]] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = urllib.parse.urlsplit(request.url or "")
        self.calls.append((request.method or "", url.path, url.query))
        return super().send(request, **kwargs)

    def count(self, method: str, path: str) -> int:
        return sum(1 for m, p, _ in self.calls if (m, p) == (method, path))


class WaitClock:
    """The outbox's sleep and clock together: a wait moves the clock instead of the test
    waiting."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def session() -> Iterator[RecordingSession]:
    with RecordingSession() as recording:
        yield recording


@pytest.fixture
def anna(
    sandbox: SandboxHandle, session: RecordingSession, fake_sleep: RecordingSleep
) -> Iterator[GatewayClient]:
    with GatewayClient(
        sandbox.base_url,
        read_timeout=5.0,
        session=session,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=3, max_total_s=30.0),
    ) as client:
        sign_in(client, "anna")
        yield client


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "data" / "outbox.sqlite3") as journal:
        yield journal


@pytest.fixture
def staging(tmp_path: Path) -> StagingArea:
    return StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)


@pytest.fixture
def waits() -> WaitClock:
    return WaitClock()


def _job(
    outbox: Outbox,
    staging: StagingArea,
    tmp_path: Path,
    *,
    seed: int = 1,
    size: int = 300_000,
    client: GatewayClient | None = None,
) -> OutboxJob:
    """A bulk send of one file to RESIDENTS, journalled; with a colleague's sign-off when
    ``client`` is given (the file then holds personal data)."""
    source = padded_pdf(tmp_path / f"Kallelse-{seed}.pdf", size, seed)
    draft = ready_draft(staging, source, RESIDENTS, personal_data=client is not None)
    if client is not None:
        draft.sign_off = sign_off(client, draft, "bertil")
    return enqueue_draft(draft, outbox, "anna")


def _run(outbox: Outbox, job: OutboxJob, client: GatewayClient, waits: WaitClock) -> OutboxJob:
    return run_job(outbox, job.job_id, client, policy=POLICY, sleep=waits.sleep, clock=waits.clock)


def _upload_first_file(client: GatewayClient, job: OutboxJob) -> None:
    """The job's first file, already at the gateway before the job runs."""
    first = job.files[0]
    client.upload_attachment(read_staged(first.path), first.sha256, first.media_type)


def _deliveries(raw: Raw, job: OutboxJob) -> dict[str, int]:
    counts: dict[str, int] = {}
    for d in raw.ledger():
        if d["idempotency_key"] == job.idempotency_key:
            counts[d["resident_id"]] = counts.get(d["resident_id"], 0) + 1
    return counts


def test_a_job_uploads_sends_and_deletes_its_working_copies(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path, client=anna, size=1_000_000)
    seen: list[OutboxJob] = []
    journalled: list[int] = []  # bytes_done as the journal has it, while it uploads

    def progress(now: OutboxJob) -> None:
        seen.append(now)
        on_disk = outbox.job(now.job_id)
        if on_disk is not None and on_disk.state is JobState.UPLOADING:
            journalled.append(on_disk.bytes_done)

    done = run_job(
        outbox, job.job_id, anna, progress, policy=POLICY, sleep=waits.sleep, clock=waits.clock
    )
    assert done == outbox.job(job.job_id)
    assert done.state is JobState.DELIVERED and done.error_code is None
    assert sorted(d.resident_id for d in done.deliveries) == sorted(RESIDENTS)
    assert done.message_id and done.bytes_done == done.bytes_total == job.files[0].size
    states = [j.state for j in seen]
    assert states[0] is JobState.UPLOADING and states[-1] is JobState.DELIVERED
    assert states.index(JobState.SENDING) > states.index(JobState.UPLOADING)
    uploading = [j.bytes_done for j in seen if j.state is JobState.UPLOADING]
    assert uploading == sorted(uploading) and len(set(uploading)) > 2, "progress as it uploads"
    assert any(0 < b < job.bytes_total for b in journalled), "and in the journal on the way"
    assert not job.files[0].path.exists() and not job.files[0].path.parent.exists()
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)
    assert session.count("POST", "/v1/messages") == 1 and waits.waits == []

    # The same file in a second send is not uploaded again: the gateway holds its bytes.
    puts = session.count("PUT", f"/v1/attachments/{job.files[0].sha256}")
    draft = ready_draft(staging, padded_pdf(tmp_path / "igen.pdf", 1_000_000, 1), RESIDENTS)
    second = _run(outbox, enqueue_draft(draft, outbox, "anna"), anna, waits)
    assert second.state is JobState.DELIVERED
    assert session.count("PUT", f"/v1/attachments/{job.files[0].sha256}") == puts == 1


@pytest.mark.parametrize("fault", ["reset_after", "error_after"])
def test_a_lost_answer_is_found_by_its_key_and_not_sent_again(
    fault: str,
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path)
    _upload_first_file(anna, job)
    raw.set_fault(fault, count=1)  # the message's POST: processed, then its answer lost
    done = _run(outbox, job, anna, waits)
    assert done.state is JobState.DELIVERED
    assert session.count("POST", "/v1/messages") == 1, "never sent a second time"
    lookups = [c for c in session.calls if c[:2] == ("GET", "/v1/messages")]
    assert lookups == [("GET", "/v1/messages", f"idempotency_key={job.idempotency_key}")]
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)
    assert sorted(d.resident_id for d in done.deliveries) == sorted(RESIDENTS)


def test_a_request_dropped_before_the_gateway_read_it_is_sent_again_with_the_same_key(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path)
    _upload_first_file(anna, job)
    raw.set_fault("drop_before", count=1)
    done = _run(outbox, job, anna, waits)
    assert done.state is JobState.DELIVERED
    # Lost, asked (nothing made), sent again: the same key both times.
    assert session.count("POST", "/v1/messages") == 2
    assert session.count("GET", "/v1/messages") == 1
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)


def test_a_gateway_that_never_answers_leaves_the_job_for_a_retry_and_drops_nothing(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path, client=anna)
    _upload_first_file(anna, job)
    raw.set_fault("drop_before", count=1000)
    stuck = _run(outbox, job, anna, waits)
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.gateway_unreachable")
    assert sum(waits.waits) <= POLICY.settle_within_s and len(waits.waits) >= 3
    assert stuck.files[0].path.exists(), "the same bytes stay for the retry"
    assert _deliveries(raw, job) == {}
    assert resume_unfinished(outbox, anna, "anna") == [], "a stuck job waits for the clinician"

    raw.set_fault(None, count=0)
    retried = outbox.retry(job.job_id)
    assert retried.message.to_json() == job.message.to_json() and retried.posted
    done = _run(outbox, retried, anna, waits)
    assert done.state is JobState.DELIVERED
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)


def test_an_unreachable_gateway_during_upload_needs_action(
    outbox: Outbox, staging: StagingArea, waits: WaitClock, tmp_path: Path
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    job = _job(outbox, staging, tmp_path)
    with GatewayClient(
        f"http://127.0.0.1:{port}", sleep=RecordingSleep(), retry=RetryPolicy(max_attempts=2)
    ) as nowhere:
        stuck = _run(outbox, job, nowhere, waits)
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.gateway_unreachable")
    assert not stuck.posted and stuck.files[0].path.exists()


def _text_job(outbox: Outbox) -> OutboxJob:
    """A text-only new case (no file to upload: the message's POST is the first call)."""
    draft = Draft(MessageKind.NEW_CASE, None, subject="Vaccination", body="Välkommen.")
    draft.new_case_recipients = list(RESIDENTS)
    return enqueue_draft(draft, outbox, "anna")


def _nowhere(base_url: str) -> GatewayClient:
    return GatewayClient(base_url, sleep=RecordingSleep(), retry=RetryPolicy(max_attempts=2))


def test_a_send_refused_at_the_connection_is_not_posted_and_goes_once_when_retried(
    outbox: Outbox,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
) -> None:
    job = _text_job(outbox)
    seen: list[bool] = []
    with _nowhere(f"http://127.0.0.1:{closed_port()}") as nowhere:
        stuck = run_job(
            outbox,
            job.job_id,
            nowhere,
            lambda j: seen.append(j.posted),
            policy=POLICY,
            sleep=waits.sleep,
            clock=waits.clock,
        )
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.gateway_unreachable")
    assert len(waits.waits) >= 3, "tried again within the bound"
    assert not stuck.posted, "nothing left this machine: the send can be taken back"
    assert True in seen, "posted was committed before each POST was attempted"

    retried = outbox.retry(job.job_id)
    done = _run(outbox, retried, anna, waits)
    assert done.state is JobState.DELIVERED
    assert session.count("GET", "/v1/messages") == 0, "nothing to ask about: never sent"
    assert session.count("POST", "/v1/messages") == 1
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)


def test_a_send_dropped_after_the_gateway_read_it_stays_posted(
    outbox: Outbox, waits: WaitClock
) -> None:
    job = _text_job(outbox)
    with SilentServer() as server, _nowhere(server.base_url) as doubtful:
        # The POST is read and dropped; the lookups after it are refused (one connection).
        stuck = _run(outbox, job, doubtful, waits)
    assert server.requests[0].startswith(b"POST /v1/messages ")
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.gateway_unreachable")
    assert stuck.posted, "it may have been made: only asking the gateway can tell"


def test_an_expired_sign_off_is_refused_with_the_gateways_code_and_the_files_kept(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    clock: FakeClock,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path, client=anna)
    assert job.message.review_id and job.signed_off_by == "Bertil Berg"
    clock.advance(minutes=16)  # past the sandbox's 15 minutes
    sign_in(anna, "anna")  # the session outlives the sign-off
    failed = _run(outbox, job, anna, waits)
    assert (failed.state, failed.error_code) == (JobState.FAILED, "review_expired")
    assert failed.is_finished and failed.can_retry and failed.files[0].path.exists()
    assert _deliveries(raw, job) == {}


def test_a_signed_out_client_leaves_the_job_waiting(
    outbox: Outbox, staging: StagingArea, anna: GatewayClient, waits: WaitClock, tmp_path: Path
) -> None:
    job = _job(outbox, staging, tmp_path)
    anna.sign_out()
    stuck = _run(outbox, job, anna, waits)
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.signed_out")


def test_a_missing_working_copy_matters_only_if_the_gateway_lacks_the_file(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    lacking = _job(outbox, staging, tmp_path, seed=1)
    lacking.files[0].path.unlink()
    stuck = _run(outbox, lacking, anna, waits)
    assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.file_missing")

    held = _job(outbox, staging, tmp_path, seed=2)
    _upload_first_file(anna, held)
    held.files[0].path.unlink()
    assert _run(outbox, held, anna, waits).state is JobState.DELIVERED
    assert _deliveries(raw, held) == dict.fromkeys(RESIDENTS, 1)


@pytest.mark.parametrize("reached_the_gateway", [True, False])
def test_a_job_left_sending_by_a_crash_is_asked_for_before_anything_is_sent(
    reached_the_gateway: bool,
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path, client=anna)
    _upload_first_file(anna, job)
    # What a sender killed during the POST leaves: "sending", posted; and the gateway has
    # the message, or not, depending on when the kill came.
    outbox.record(job.job_id, state=JobState.SENDING, posted=True)
    if reached_the_gateway:
        sent = raw.send(raw.token("anna"), job.message.to_json(), job.idempotency_key)
        assert sent.status_code == 201
    posts_before = session.count("POST", "/v1/messages")
    ended = resume_unfinished(outbox, anna, "anna", sleep=waits.sleep, clock=waits.clock)
    assert [j.state for j in ended] == [JobState.DELIVERED] and ended[0].resumed
    assert session.calls[-1 if reached_the_gateway else -2][:2] == ("GET", "/v1/messages")
    posts = session.count("POST", "/v1/messages") - posts_before
    assert posts == (0 if reached_the_gateway else 1)
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)


def test_resume_finishes_interrupted_jobs_oldest_first_and_clears_delivered_copies(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    delivered = _job(outbox, staging, tmp_path, seed=1)
    assert _run(outbox, delivered, anna, waits).state is JobState.DELIVERED
    # A sender killed between "delivered" and deleting: the copy is still there.
    leftover = delivered.files[0].path
    leftover.parent.mkdir(parents=True, exist_ok=True)
    leftover.write_bytes(b"%PDF-1.7 left behind")
    older = _job(outbox, staging, tmp_path, seed=2)
    newer = _job(outbox, staging, tmp_path, seed=3)
    outbox.record(older.job_id, state=JobState.UPLOADING, bytes_done=1000)
    order: list[str] = []
    ended = resume_unfinished(
        outbox,
        anna,
        "anna",
        lambda j: order.append(j.job_id) if not order or order[-1] != j.job_id else None,
        sleep=waits.sleep,
        clock=waits.clock,
    )
    assert [j.job_id for j in ended] == [older.job_id, newer.job_id] == order
    assert all(j.state is JobState.DELIVERED and j.resumed for j in ended)
    assert not leftover.exists()
    assert outbox.unfinished("anna") == []
    for job in (delivered, older, newer):
        assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)


def test_a_draft_enqueued_twice_is_refused_and_a_refused_one_gets_a_new_key(
    outbox: Outbox, staging: StagingArea, anna: GatewayClient, waits: WaitClock, tmp_path: Path
) -> None:
    from app.outbox import KeyInOutbox
    from app.send.sending import NotReadyToSend

    source = padded_pdf(tmp_path / "Provsvar.pdf", 10_000, 7)
    draft = ready_draft(staging, source, RESIDENTS, personal_data=True)
    with pytest.raises(NotReadyToSend) as not_ready:
        enqueue_draft(draft, outbox, "anna")
    assert [r.code for r in not_ready.value.reasons] == ["send.sign_off_required"]
    assert outbox.jobs("anna") == []

    draft.sign_off = sign_off(anna, draft, "bertil")
    job = enqueue_draft(draft, outbox, "anna")
    assert job.message.to_json() == outgoing_message(draft).to_json()
    assert job.idempotency_key == draft.idempotency_key
    with pytest.raises(KeyInOutbox) as twice:
        enqueue_draft(draft, outbox, "anna")
    assert twice.value.code == "outbox.already_queued"

    outbox.record(job.job_id, state=JobState.FAILED, error_code="review_expired")
    again = enqueue_draft(draft, outbox, "anna")
    assert again.idempotency_key != job.idempotency_key == outbox.job(job.job_id).idempotency_key  # type: ignore[union-attr]
    assert again.message.kind == MessageKind.NEW_CASE.value


def test_a_key_still_in_flight_is_asked_for_within_the_bound_then_found_after_a_restart(
    tmp_path: Path, outbox: Outbox, staging: StagingArea, waits: WaitClock
) -> None:
    data = tmp_path / "gateway"
    first = start_sandbox(data_dir=data, slow_delay_s=60.0)
    raw = Raw(first.base_url)
    try:
        with GatewayClient(first.base_url, read_timeout=0.5, sleep=RecordingSleep()) as client:
            sign_in(client, "anna")
            job = _job(outbox, staging, tmp_path)
            _upload_first_file(client, job)
            raw.set_fault("slow", count=1)  # the POST: key claimed, answer late
            stuck = _run(outbox, job, client, waits)
        assert (stuck.state, stuck.error_code) == (JobState.NEEDS_ACTION, "outbox.still_in_flight")
        assert _deliveries(raw, job) == {}
    finally:
        first.stop()  # wakes the slow request, which makes the message as the gateway stops
        raw.close()
    with start_sandbox(data_dir=data) as second:
        raw = Raw(second.base_url)
        with GatewayClient(second.base_url) as client:
            sign_in(client, "anna")
            done = _run(outbox, outbox.retry(job.job_id), client, waits)
        assert done.state is JobState.DELIVERED
        assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)
        raw.close()


def test_a_job_being_run_is_not_run_again_beside_it(
    outbox: Outbox,
    staging: StagingArea,
    anna: GatewayClient,
    raw: Raw,
    session: RecordingSession,
    waits: WaitClock,
    tmp_path: Path,
) -> None:
    job = _job(outbox, staging, tmp_path)
    beside: list[OutboxJob] = []

    def run_again_while_sending(now: OutboxJob) -> None:
        # A retry pressed while the job is on its way (here: from its own progress).
        if now.state is JobState.SENDING and not beside:
            beside.append(_run(outbox, now, anna, waits))

    done = run_job(
        outbox,
        job.job_id,
        anna,
        run_again_while_sending,
        policy=POLICY,
        sleep=waits.sleep,
        clock=waits.clock,
    )
    assert [j.state for j in beside] == [JobState.SENDING], "returned as it was"
    assert done.state is JobState.DELIVERED
    assert session.count("POST", "/v1/messages") == 1
    assert _deliveries(raw, job) == dict.fromkeys(RESIDENTS, 1)
