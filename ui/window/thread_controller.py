"""The case's conversation, fetched off the GUI thread: the thread of the case on screen,
and which open cases the resident has answered (marked in the list). A timer reloads the
cases now and then, so an answer shows up without "Uppdatera".

It receives its collaborators and speaks through signals the composition root connects.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

from app.gateway.case_thread import CaseThread
from app.gateway.client import GatewayClient
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.window.thread_view import ThreadView

#: How often the cases are reloaded by themselves: often enough that an answer is seen
#: within a couple of minutes, seldom enough not to load the gateway (one list and one
#: thread per open case).
REFRESH_MS = 90_000


class ThreadController(QObject):
    #: The set of cases the resident has answered changed (for the list's marks).
    answered_changed = Signal()
    #: Time to reload the cases (the timer).
    refresh_due = Signal()

    def __init__(self, client: GatewayClient, view: ThreadView) -> None:
        super().__init__(view)
        self._client = client
        self._view = view
        self._case_id: str | None = None
        self.answered: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh_due)
        self.timer.start()

    def show_case(self, case_id: str | None) -> None:
        if case_id == self._case_id and self._view.shown is not None:
            return
        self._case_id = case_id
        if case_id is None:
            self._view.show_text(tr("ui.thread.empty"))
            return
        self._view.show_text(tr("ui.thread.loading"))
        client = self._client
        run_in_background(
            self,
            lambda: client.case_thread(case_id),
            self._thread_loaded,
            lambda _error: self._failed(case_id),
        )

    def check(self, case_ids: list[str]) -> None:
        """After the cases were (re)loaded: each one's thread, for the marks and for the
        case on screen."""
        client = self._client

        def threads() -> list[CaseThread]:
            return [client.case_thread(case_id) for case_id in case_ids]

        run_in_background(self, threads, self._checked, lambda _error: None)

    def _checked(self, threads: list[CaseThread]) -> None:
        answered = {t.case_id for t in threads if t.resident_answered}
        for thread in threads:
            self._thread_loaded(thread)
        if answered != self.answered:
            self.answered = answered
            self.answered_changed.emit()

    def _thread_loaded(self, thread: CaseThread) -> None:
        if thread.case_id == self._case_id:
            self._view.show_thread(thread)

    def _failed(self, case_id: str) -> None:
        if case_id == self._case_id:
            self._view.show_text(tr("ui.thread.failed"))
