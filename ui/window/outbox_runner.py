"""Runs the outbox's jobs off the GUI thread and says how they go.

The window hands a journalled job (:func:`app.send.sending.enqueue_draft`) to the runner and
goes on; the job's progress and its end come back on the GUI thread as signals, for the
status bar and the "Skickat" view. At start the runner resumes what a crash, a kill or a
closed window left unfinished (:func:`app.outbox.resume_unfinished`), with the same keys
and bodies, so nothing is sent twice and nothing waits for a click.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.gateway.client import GatewayClient
from app.outbox import DeliveryPolicy, Outbox, OutboxJob, resume_unfinished, run_job
from ui.common.workers import run_with_progress


class OutboxRunner(QObject):
    #: A job moved on (bytes uploaded, a new state).
    progressed = Signal(object)  # OutboxJob
    #: A job ended: delivered, refused (FAILED) or waiting for a retry (NEEDS_ACTION).
    ended = Signal(object)  # OutboxJob
    #: Unfinished jobs found at start and being resumed (their count).
    resuming = Signal(int)
    #: The resumed jobs as they ended.
    resumed = Signal(list)

    def __init__(self, outbox: Outbox, client: GatewayClient, staff_id: str) -> None:
        super().__init__()
        self._outbox = outbox
        self._client = client
        self._staff_id = staff_id
        self._running: set[str] = set()
        #: How long a job waits out an unreachable gateway (None: the outbox's default).
        self.policy: DeliveryPolicy | None = None

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def start(self, job_id: str) -> None:
        if job_id in self._running:
            return
        self._running.add(job_id)
        outbox, client, policy = self._outbox, self._client, self.policy
        run_with_progress(
            self,
            lambda report: run_job(outbox, job_id, client, report, policy=policy),
            lambda job: self._finished(job_id, job),
            lambda error: self._crashed(job_id, error),
            self.progressed.emit,
        )

    def retry(self, job_id: str) -> None:
        """The clinician's "Försök igen": the same key and body, never a new message."""
        self._outbox.retry(job_id)
        self.start(job_id)

    def resume(self) -> None:
        """Finish what was left unfinished (at start, once signed in)."""
        waiting = [j for j in self._outbox.unfinished(self._staff_id) if not j.can_retry]
        if not waiting:
            return
        self._running.add("*resume*")
        self.resuming.emit(len(waiting))
        outbox, client, staff_id = self._outbox, self._client, self._staff_id
        run_with_progress(
            self,
            lambda report: resume_unfinished(outbox, client, staff_id, report),
            self._resumed,
            lambda error: self._crashed("*resume*", error),
            self.progressed.emit,
        )

    def _finished(self, job_id: str, job: OutboxJob) -> None:
        self._running.discard(job_id)
        self.ended.emit(job)

    def _resumed(self, jobs: list[OutboxJob]) -> None:
        self._running.discard("*resume*")
        for job in jobs:
            self.ended.emit(job)
        self.resumed.emit(jobs)

    def _crashed(self, job_id: str, _error: BaseException) -> None:
        # run_job never raises for gateway trouble; anything else leaves the job in the
        # journal as it was, to be resumed at the next start. Say what the journal says.
        self._running.discard(job_id)
        job = self._outbox.job(job_id) if job_id != "*resume*" else None
        if job is not None:
            self.ended.emit(job)
