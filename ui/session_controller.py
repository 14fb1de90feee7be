"""The clinician's session at a shared computer: the audit trail opened at sign-in, the
lock that hides the message until the same clinician's secret is given again, and
signing out (the drafts wait for this clinician's next sign-in).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.audit import AuditError, AuditSession
from app.gateway.client import GatewayError
from ui.errors import gateway_error_text
from ui.i18n import tr
from ui.workers import run_in_background

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


class SessionController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.audit: AuditSession | None = None
        self.locked = False
        #: Set once the clinician signs out, so that closing the window asks nothing.
        self.signing_out = False
        window.lock_page.unlock_requested.connect(self._unlock)
        window.lock_page.sign_out_requested.connect(self.sign_out)

    # -- the audit trail ---------------------------------------------------------------

    def open_audit(self) -> None:
        """Sign-in is the trail's first word of this clinician; a trail that cannot be
        written is said at once, with what to do (the window still works: the gateway
        keeps its own record of every send)."""
        w = self._window
        trail = w.services.audit_trail()
        problem = w.services.audit_problem
        if trail is None:
            if problem is not None:
                w.show_problem(tr(problem.code, **problem.params))
            return
        staff_id = w.staff.staff_id
        self._record(lambda: trail.sign_in(staff_id), session=True)

    def audit_event(self, event: Callable[[AuditSession], object]) -> None:
        audit = self.audit
        if audit is not None:
            self._record(lambda: event(audit))

    def _record(self, write: Callable[[], object], *, session: bool = False) -> None:
        """Write one audit record (a few ms: it is on disk when this returns, in order)."""
        try:
            written = write()
        except AuditError as error:
            log.warning("audit record not written: %s", error.code)
            self._window.statusBar().showMessage(tr(error.code, **error.params))
            return
        if session and isinstance(written, AuditSession):
            self.audit = written

    # -- the lock --------------------------------------------------------------------------

    def lock(self) -> None:
        """Hide everything of the message until the clinician's secret is given again."""
        w = self._window
        if self.locked:
            return
        w.save_draft()
        # Dialogs over the window (a question, the file chooser, the colleague's
        # sign-off) would show what the lock hides: they close, nothing is lost.
        while (modal := QApplication.activeModalWidget()) is not None and isinstance(
            modal, QDialog
        ):
            modal.reject()
            if QApplication.activeModalWidget() is modal:
                break
        self.locked = True
        w.idle.stop()
        w.show_locked(True)
        w.statusBar().showMessage(tr("ui.lock.locked_status"))
        w.lock_page.reset()
        w.lock_changed.emit(True)

    def _unlock(self, secret: str) -> None:
        w = self._window
        w.lock_page.busy(True)
        w.lock_page.status.setText(tr("ui.lock.checking"))
        client, staff_id = w.services.client, w.staff.staff_id
        run_in_background(
            w, lambda: client.sign_in(staff_id, secret), self._unlocked, self._unlock_failed
        )

    def _unlocked(self, _staff: object) -> None:
        w = self._window
        self.locked = False
        w.show_locked(False)
        w.show_whether_a_draft_is_open()
        w.update_gate()
        w.idle.restart()
        w.statusBar().showMessage(tr("ui.lock.unlocked_status"))
        w.lock_changed.emit(False)
        w.focus_message()

    def _unlock_failed(self, error: BaseException) -> None:
        page = self._window.lock_page
        page.busy(False)
        if isinstance(error, GatewayError) and error.status == 401:
            page.status.setText(tr("ui.lock.wrong"))
        else:
            page.status.setText(gateway_error_text(error))
        page.secret.setFocus()

    # -- signing out -----------------------------------------------------------------------

    def sign_out(self) -> None:
        """Leave the workstation to a colleague; the drafts wait for this clinician."""
        w = self._window
        if w.busy_sending:
            w.statusBar().showMessage(tr("ui.close.while_sending"))
            return
        unsent = w.unsent_drafts()
        if unsent and not self.locked:
            hours = int(w.services.settings.retention_hours)
            answer = QMessageBox.question(
                w, "Bifoga", tr("ui.sign_out.question", count=len(unsent), hours=hours)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        w.save_draft()
        self.audit_event(lambda a: a.sign_out())
        self.signing_out = True
        run_in_background(w, w.services.client.sign_out, lambda _r: None, lambda _e: None)
        w.idle.stop()
        w.close()
