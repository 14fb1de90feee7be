"""Sends on their way, on screen: the desk's waiting sends (:mod:`app.drafts.desk`) shown
on their case, or a new case's on its own row
(:class:`ui.window.waiting_panel.WaitingPanel`), "Försök igen" and "Ta tillbaka till
utkast" handed to the outbox runner and the desk, and each job's end turned into what
the window must show.

It receives its collaborators and speaks through signals that the composition root
(:class:`ui.window.main_window.MainWindow`) connects; it knows no window.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.drafts.desk import Desk, Outcome, TakeBackRefused
from app.drafts.message_draft import Draft
from app.outbox import Outbox, OutboxJob
from ui.common.i18n import tr
from ui.window.outbox_runner import OutboxRunner
from ui.window.waiting_panel import WaitingPanel


class WaitingController(QObject):
    #: A draft came back under its case (refused by the gateway, or taken back).
    draft_returned = Signal(object)  # Draft
    #: The case list's marks changed (a send started, waits, or ended).
    marks_changed = Signal()
    #: A sentence for the clinician that needs an answer-free warning box.
    problem = Signal(str)
    #: A sentence for the status bar.
    status = Signal(str)

    def __init__(
        self, desk: Desk, outbox: Outbox, runner: OutboxRunner, panel: WaitingPanel
    ) -> None:
        super().__init__(panel)
        self.desk = desk
        self._outbox = outbox
        self._runner = runner
        self._panel = panel
        panel.retry_requested.connect(self.retry)
        panel.take_back_requested.connect(self.take_back)

    def show_on_screen(self) -> None:
        """What waits for the case on screen, or the new case on its way chosen in the
        list (:meth:`Desk.waiting_on_screen`); the panel hides when nothing does."""
        self._panel.show_waiting(self.desk.waiting_on_screen())

    def handed_over(self, job: OutboxJob, draft: Draft) -> None:
        self.desk.handed_over(job, draft)
        self._changed()

    def job_moved(self, job: OutboxJob) -> None:
        before = self.desk.mark_of_job(job.job_id)
        self.desk.job_moved(job)
        if self.desk.mark_of_job(job.job_id) != before:
            self._changed()

    def job_ended(self, job: OutboxJob) -> Outcome:
        """Say what a job's end means; a refused job's draft comes back, every time."""
        outcome, draft = self.desk.job_ended(job)
        self._changed()
        if draft is not None:
            self.draft_returned.emit(draft)
        return outcome

    def retry(self, job_id: str) -> None:
        try:
            self._runner.retry(job_id)
        except (LookupError, ValueError):
            self.status.emit(tr("ui.waiting.still_sending"))
        job = self._outbox.job(job_id)
        if job is not None:
            self.desk.job_moved(job)
        self._changed()

    def take_back(self, job_id: str) -> None:
        try:
            draft = self.desk.take_back(job_id)
        except TakeBackRefused as refused:
            self.problem.emit(tr(refused.code))
            self._changed()
            return
        self._changed()
        self.draft_returned.emit(draft)
        self.status.emit(tr("ui.waiting.taken_back"))

    def _changed(self) -> None:
        self.show_on_screen()
        self.marks_changed.emit()
