"""Driving a journalled job to the gateway: upload, send once, and settle a lost answer.

The order makes a crash at any moment harmless:

1. ``uploading``: each file is made sure of, content-addressed (HEAD, and PUT only when
   the gateway lacks it), so a file uploaded before a crash is not sent again.
2. ``sending`` is committed, with ``posted``, *before* the message's POST leaves. From then
   on the job may exist on the gateway, so every later try (after a lost answer, a 409,
   a restart) first asks the gateway for the key (``GET /v1/messages?idempotency_key=``)
   and only when it has no message for it sends the same key and body again, which the
   gateway's idempotency makes safe even if that message is being made meanwhile.
   Only a POST that provably never left this machine (refused, no such host, a connect
   timeout: ``GatewayError.reached_gateway`` is False), with no earlier POST that might
   have, takes ``posted`` back, so the job can be taken back into its draft; ``posted`` is
   committed again before the next try.
3. ``delivered`` is committed with the gateway's answer, then the staged copies are
   deleted (a kill in between leaves them for the next resume to delete).

How long a lost answer, an in-flight key (409) or an unreachable gateway is waited out is
bounded (``DeliveryPolicy``); past it the job is NEEDS_ACTION with a code, never dropped.
A refusal (4xx) is FAILED with the gateway's own code. Waiting goes through an injected
``sleep`` and ``clock``, so tests wait for nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from app.gateway.answers import RETRY_STATUSES
from app.gateway.client import GatewayClient, SentMessage
from app.gateway.errors import BAD_RESPONSE, TLS, GatewayError
from app.outbox.journal import IN_PROGRESS, JobFile, JobState, Outbox, OutboxJob
from app.storage.sealed import SealedError
from app.storage.staging import read_staged
from app.storage.storage_key import StorageKeyError

log = logging.getLogger(__name__)

#: progress(job): the job as it is now, after each change of state and as bytes go out.
Progress = Callable[[OutboxJob], None]

#: Codes of a job that could not finish (NEEDS_ACTION), for resources/texts/outbox.json.
GATEWAY_UNREACHABLE = "outbox.gateway_unreachable"
STILL_IN_FLIGHT = "outbox.still_in_flight"
SIGNED_OUT = "outbox.signed_out"
GATEWAY_UNTRUSTED = "outbox.gateway_untrusted"
BAD_ANSWER = "outbox.bad_answer"
FILE_MISSING = "outbox.file_missing"
#: The working copy is there but cannot be opened with this user's storage key (sealed by
#: another user or under a key since lost, or changed on disk).
FILE_UNREADABLE = "outbox.file_unreadable"


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    #: How long a lost answer, an in-flight key or an unreachable gateway is waited out
    #: (the sandbox's "slow" fault holds a key 35 s) before the job needs the clinician.
    settle_within_s: float = 120.0
    first_wait_s: float = 0.5
    max_wait_s: float = 8.0
    #: How often the upload's bytes are written to the journal (the progress callback
    #: hears more often): the count is for the window, not for correctness.
    persist_every_bytes: int = 4 * 1024 * 1024
    report_every_bytes: int = 256 * 1024


class _Verdict(Enum):
    TRANSIENT = "transient"  # try again (after asking for the key, once posted)
    SIGNED_OUT = "signed_out"
    REFUSED = "refused"
    HOPELESS = "hopeless"  # no point in waiting: a TLS failure, an answer we cannot read


def _verdict(error: GatewayError) -> _Verdict:
    if error.status is None:
        return _Verdict.HOPELESS if TLS in error.codes else _Verdict.TRANSIENT
    if BAD_RESPONSE in error.codes:
        return _Verdict.HOPELESS
    if error.status == 401:
        return _Verdict.SIGNED_OUT
    if error.status in RETRY_STATUSES:
        return _Verdict.TRANSIENT
    return _Verdict.REFUSED


def _hopeless_code(error: GatewayError) -> str:
    return GATEWAY_UNTRUSTED if TLS in error.codes else BAD_ANSWER


class _Stop(Exception):
    """The job has reached a state to stop in; ``job`` is it."""

    def __init__(self, job: OutboxJob) -> None:
        super().__init__(job.state.value)
        self.job = job


class _JobRun:
    def __init__(
        self,
        outbox: Outbox,
        client: GatewayClient,
        progress: Progress | None,
        policy: DeliveryPolicy,
        sleep: Callable[[float], None],
        clock: Callable[[], float],
    ) -> None:
        self.outbox = outbox
        self.client = client
        self.progress = progress
        self.policy = policy
        self.sleep = sleep
        self.clock = clock

    def run(self, job: OutboxJob) -> OutboxJob:
        # A job posted by an earlier run (or before a crash) may exist on the gateway.
        posted_before = job.posted
        try:
            if not posted_before:
                uploaded = self._upload(job)
                job = self._record(job, state=JobState.SENDING, posted=True, bytes_done=uploaded)
            job = self._settle(job, maybe_made=posted_before)
        except _Stop as stopped:
            return stopped.job
        delete_staged_copies(job)
        return job

    # -- files ------------------------------------------------------------------------

    def _upload(self, job: OutboxJob) -> int:
        """Upload what the gateway lacks; the bytes done. Each file's end is committed
        with the next one's start, the last with ``sending`` (each commit waits for the
        disk, so they are kept few)."""
        job = self._record(job, state=JobState.UPLOADING, bytes_done=0)
        done = 0
        for index, file in enumerate(job.files):
            if index:
                job = self._record(job, bytes_done=done)
            job = self._upload_one(job, file, done)
            done += file.size
        return done

    def _upload_one(self, job: OutboxJob, file: JobFile, base: int) -> OutboxJob:
        reported = persisted = base
        current = job

        def on_bytes(sent: int, _size: int) -> None:
            nonlocal reported, persisted, current
            done = base + sent
            # The file's end is committed by the caller; only the way there is here.
            if sent < file.size and done - persisted >= self.policy.persist_every_bytes:
                persisted = done
                current = self.outbox.record(job.job_id, bytes_done=done)
            if self.progress is not None and done - reported >= self.policy.report_every_bytes:
                reported = done
                self.progress(_with_bytes(current, done))

        try:
            if self.client.has_attachment(file.sha256):
                return current  # uploaded before (by this job, or by another send)
            if not file.path.is_file():
                raise self._stop(current, JobState.NEEDS_ACTION, FILE_MISSING)
            plain = read_staged(file.path)  # sealed at rest: opened in memory only
            if hashlib.sha256(plain).hexdigest() != file.sha256:
                raise self._stop(current, JobState.NEEDS_ACTION, FILE_UNREADABLE)
            self.client.upload_attachment(plain, file.sha256, file.media_type, on_bytes)
        except GatewayError as error:
            raise self._stop_for(current, error) from None
        except OSError:  # the staged copy went away while it was read
            raise self._stop(current, JobState.NEEDS_ACTION, FILE_MISSING) from None
        except (SealedError, StorageKeyError):
            raise self._stop(current, JobState.NEEDS_ACTION, FILE_UNREADABLE) from None
        return current

    # -- the message ------------------------------------------------------------------

    def _settle(self, job: OutboxJob, *, maybe_made: bool) -> OutboxJob:
        """Send the message, or find it: until the gateway says it was made or refused,
        or the bound is reached. ``maybe_made``: an earlier POST of this job may have
        reached the gateway, so it is asked for the key first."""
        deadline = self.clock() + self.policy.settle_within_s
        wait = self.policy.first_wait_s
        while True:
            posting = False
            try:
                if maybe_made:
                    found = self.client.message_for_key(job.idempotency_key)
                    if found is not None:
                        return self._delivered(job, found)
                if not job.posted:  # committed before the POST leaves, as ever
                    job = self._record(job, posted=True)
                posting = True
                sent = self.client.send_message(job.message, job.idempotency_key, retry=False)
                return self._delivered(job, sent)
            except GatewayError as error:
                if posting and not maybe_made and not error.reached_gateway:
                    # Nothing of this job reached the gateway: it cannot have made the
                    # message, and the clinician may take the send back.
                    job = self._record(job, posted=False)
                elif posting:
                    # The answer was lost, or the key is in flight: what became of it is
                    # asked before anything is sent again.
                    maybe_made = True
                verdict = _verdict(error)
                if verdict is not _Verdict.TRANSIENT:
                    raise self._stop_for(job, error) from None
                code = STILL_IN_FLIGHT if error.status == 409 else GATEWAY_UNREACHABLE
                delay = error.retry_after if error.retry_after is not None else wait
                if self.clock() + delay > deadline:
                    raise self._stop(job, JobState.NEEDS_ACTION, code) from None
                log.info("job %s: %s; asking again in %.1f s", job.job_id, error.code, delay)
                self.sleep(delay)
                wait = min(wait * 2, self.policy.max_wait_s)

    def _delivered(self, job: OutboxJob, sent: SentMessage) -> OutboxJob:
        return self._record(
            job,
            state=JobState.DELIVERED,
            message_id=sent.message_id,
            deliveries=tuple(sent.deliveries),
            bytes_done=job.bytes_total,
            error_code=None,
        )

    # -- recording --------------------------------------------------------------------

    def _record(self, job: OutboxJob, **changes: object) -> OutboxJob:
        recorded = self.outbox.record(job.job_id, **changes)
        if self.progress is not None:
            self.progress(recorded)
        return recorded

    def _stop(self, job: OutboxJob, state: JobState, code: str) -> _Stop:
        log.info("job %s stops as %s (%s)", job.job_id, state.value, code)
        return _Stop(self._record(job, state=state, error_code=code))

    def _stop_for(self, job: OutboxJob, error: GatewayError) -> _Stop:
        verdict = _verdict(error)
        if verdict is _Verdict.REFUSED:
            return self._stop(job, JobState.FAILED, error.code)
        if verdict is _Verdict.SIGNED_OUT:
            return self._stop(job, JobState.NEEDS_ACTION, SIGNED_OUT)
        if verdict is _Verdict.HOPELESS:
            return self._stop(job, JobState.NEEDS_ACTION, _hopeless_code(error))
        return self._stop(job, JobState.NEEDS_ACTION, GATEWAY_UNREACHABLE)


def _with_bytes(job: OutboxJob, done: int) -> OutboxJob:
    return replace(job, bytes_done=done)


def delete_staged_copies(job: OutboxJob) -> None:
    """Delete a delivered job's working copies (docs/requirements.md R8), and each copy's own
    folder in the staging area once it is empty."""
    for file in job.files:
        with contextlib.suppress(FileNotFoundError):
            file.path.unlink()
        with contextlib.suppress(OSError):  # not empty, or not ours to remove
            file.path.parent.rmdir()


def run_job(
    outbox: Outbox,
    job_id: str,
    client: GatewayClient,
    progress: Progress | None = None,
    *,
    policy: DeliveryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> OutboxJob:
    """Drive one job to DELIVERED, FAILED or NEEDS_ACTION and return it as it ends.

    Never raises for gateway trouble: that is the job's state and code. A job that is
    finished, waits for the clinician (NEEDS_ACTION: ``Outbox.retry`` first), or is being
    run by another thread of this process, is returned as it is. Raises LookupError for a
    job the outbox does not hold.
    """
    with outbox.running(job_id) as mine:
        job = outbox.job(job_id)
        if job is None:
            raise LookupError(job_id)
        if not mine or job.state not in IN_PROGRESS:
            return job  # as it is now; a run elsewhere in this process goes on with it
        runner = _JobRun(outbox, client, progress, policy or DeliveryPolicy(), sleep, clock)
        return runner.run(job)


def resume_unfinished(
    outbox: Outbox,
    client: GatewayClient,
    staff_id: str,
    progress: Progress | None = None,
    *,
    policy: DeliveryPolicy | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[OutboxJob]:
    """At start (with a signed-in client): finish what a crash, a kill or a closed window
    left in progress, oldest first, with the same keys and bodies. Each such job is marked
    ``resumed``. Jobs waiting for the clinician's retry are left to them. Also deletes the
    working copies of jobs delivered just before a stop. Returns the resumed jobs as they
    ended."""
    ended = []
    for job in outbox.unfinished(staff_id):
        if job.state not in IN_PROGRESS:
            continue
        outbox.record(job.job_id, resumed=True)
        ended.append(
            run_job(outbox, job.job_id, client, progress, policy=policy, sleep=sleep, clock=clock)
        )
    for job in outbox.jobs(staff_id):
        if job.state is JobState.DELIVERED:
            delete_staged_copies(job)
    return ended
