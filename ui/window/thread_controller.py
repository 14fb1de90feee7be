"""The case's conversation, fetched off the GUI thread: the thread of the case on screen,
and which open cases the resident has answered (marked in the list). A timer refreshes
now and then, so an answer shows up without "Uppdatera".

A refresh asks the gateway only what it must (``app.gateway.case_refresh``): the open
list, and the threads of the case on screen and of the cases new to the list (seen for
the first time, or back from ``awaiting_resident`` after the resident's answer). When
the list changed it asks for the list to be reloaded (``refresh_due``), so the window's
list follows; otherwise the list on screen stays as it is. A 429 or no gateway during a
refresh says nothing to the clinician: the list and the marks stay, and the next turn
comes later (``RefreshPacing``, never before the gateway's Retry-After).

It receives its collaborators and speaks through signals the composition root connects.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal

from app.gateway.case_refresh import CaseWatch, Fetched, RefreshPacing, fetch_threads
from app.gateway.case_thread import CaseThread
from app.gateway.client import GatewayClient
from app.protocol.model import Case, CaseStatus
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.window.thread_view import ThreadView

log = logging.getLogger(__name__)

#: How often the cases are refreshed by themselves: often enough that an answer is seen
#: within a couple of minutes; each refresh is one list and, most turns, one thread.
REFRESH_MS = 90_000


class ThreadController(QObject):
    #: The set of cases the resident has answered changed (for the list's marks).
    answered_changed = Signal()
    #: The open cases changed since the list was loaded: time to reload it.
    refresh_due = Signal()
    #: A refresh turn (or a check after a reload) is over, whatever came of it (tests;
    #: a turn whose list changed is over when the check after the reload is).
    refreshed = Signal()

    def __init__(
        self, client: GatewayClient, view: ThreadView, interval_ms: int = REFRESH_MS
    ) -> None:
        super().__init__(view)
        self._client = client
        self._view = view
        self._case_id: str | None = None
        self._watch = CaseWatch()
        self._pacing = RefreshPacing(interval_ms / 1000)
        self._listed: frozenset[str] | None = None  # the cases the window's list shows
        self._busy = False
        self._pending: list[str] | None = None  # a reload's cases, while a turn runs
        self._again = False  # a turn was due while a check ran
        # One shot, started again after each turn: a failed turn pushes the next one out.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()

    @property
    def answered(self) -> frozenset[str]:
        return self._watch.answered

    @property
    def busy(self) -> bool:
        """A refresh or a check after a reload is running."""
        return self._busy

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
            self._take,
            lambda _error: self._failed(case_id),
        )

    # -- the refresh ---------------------------------------------------------------------

    def refresh(self) -> None:
        """One turn (the timer's): the open list, once; then the threads that can have
        changed, or a reload of the window's list when the cases changed."""
        if self._busy:
            self._again = True  # after the check that runs now
            return
        self._busy = True
        client = self._client
        run_in_background(
            self,
            lambda: client.cases(CaseStatus.OPEN, retry=False),
            self._listed_now,
            self._turn_failed,
        )

    def check(self, case_ids: list[str]) -> None:
        """After the window's list was (re)loaded: the threads that can have changed."""
        self._listed = frozenset(case_ids)
        if self._busy:
            self._pending = case_ids
            return
        self._fetch(case_ids)

    def _listed_now(self, cases: list[Case]) -> None:
        self._busy = False
        pending, self._pending = self._pending, None
        if pending is not None:  # the window's list was reloaded meanwhile: it counts
            self._fetch(pending)
            return
        case_ids = [c.case_id for c in cases]
        if frozenset(case_ids) != self._listed:
            # The window's list is out of date: it reloads, and its check follows.
            # (``refreshed`` comes at the end of that check.)
            self._next_turn(self._pacing.succeeded())
            self.refresh_due.emit()
            return
        self._fetch(case_ids)

    def _fetch(self, case_ids: list[str]) -> None:
        # The window lists open cases only: a case that went awaiting_resident left the
        # list, and is new to it when the resident's answer opens it again.
        listed = dict.fromkeys(case_ids, CaseStatus.OPEN.value)
        marked = self._watch.answered
        wanted = self._watch.plan(listed, self._case_id)
        if self._watch.answered != marked:  # a marked case left the list
            self.answered_changed.emit()
        self._busy = True
        client = self._client

        def fetch(case_id: str) -> CaseThread:
            return client.case_thread(case_id, retry=False)

        run_in_background(
            self, lambda: fetch_threads(fetch, wanted), self._fetched, self._turn_failed
        )

    def _fetched(self, fetched: Fetched) -> None:
        for thread in fetched.threads:
            self._take(thread)
        if fetched.failure is not None:
            self._turn_failed(fetched.failure)
            return
        self._turn_over(self._pacing.succeeded())

    def _turn_failed(self, error: BaseException) -> None:
        # Nothing for the clinician: the list and the marks stay as they were.
        log.info("case refresh failed (%s); the next turn waits", error)
        self._turn_over(self._pacing.failed(error))

    def _turn_over(self, next_in_s: float) -> None:
        self._busy = False
        self._next_turn(next_in_s)
        self.refreshed.emit()
        pending, self._pending = self._pending, None
        if pending is not None:
            self._fetch(pending)
        elif self._again:
            self._again = False
            self.refresh()

    def _next_turn(self, in_s: float) -> None:
        self.timer.start(int(in_s * 1000))

    # -- threads -------------------------------------------------------------------------

    def _take(self, thread: CaseThread) -> None:
        if self._watch.took(thread):
            self.answered_changed.emit()
        if thread.case_id == self._case_id:
            self._view.show_thread(thread)

    def _failed(self, case_id: str) -> None:
        if case_id == self._case_id:
            self._view.show_text(tr("ui.thread.failed"))
