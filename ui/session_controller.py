"""The clinician's session at a shared computer: the audit trail opened at sign-in, the
lock that hides the message until the same clinician authenticates again at the identity
provider, and signing out (the refresh token revoked, the provider's session ended in the
browser, the drafts kept for this clinician's next sign-in, and the sign-in window shown
for the next clinician: ``ui.shift``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app.audit import AuditError, AuditSession
from app.identity import IdentityError, TokenSet
from ui.browser_login import BrowserLogin, start_login
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
        self.login: BrowserLogin | None = None
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

    def lock(self, *, idle: bool = False) -> None:
        """Hide everything of the message until the clinician's secret is given again."""
        w = self._window
        if self.locked:
            return
        w.save_draft()
        minutes = round(w.services.settings.lock_after_minutes) if idle else None
        w.lock_page.explain(minutes, len(w.unsent_drafts()))
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

    def _unlock(self) -> None:
        """A fresh login at the provider, which must be the same person."""
        w = self._window
        if self.login is not None and self.login.running:
            return
        page, services, staff_id = w.lock_page, w.services, w.staff.staff_id
        page.busy(True)
        page.status.setText(tr("ui.lock.opening"))
        self.login = start_login(
            w,
            lambda: services.unlock_attempt(staff_id),
            services.browser,
            page.wait_panel,
            page.status,
            self._authenticated_again,
            self._unlock_failed,
        )

    def _authenticated_again(self, tokens: TokenSet) -> None:
        w = self._window
        try:
            w.services.unlock(tokens)
        except IdentityError as error:
            self._unlock_failed(error)
            return
        self._unlocked()

    def _unlocked(self) -> None:
        w = self._window
        self.locked = False
        w.lock_page.reset()
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
        page.wait_panel.done()
        if isinstance(error, IdentityError) and error.code == "identity.wrong_person":
            page.status.setText(tr("ui.lock.wrong_person", name=self._window.staff.name))
        else:
            page.status.setText(gateway_error_text(error))
        page.unlock_button.setFocus()

    def cancel_login(self) -> None:
        """A login for the lock under way ends with the window (no thread waits for it)."""
        if self.login is not None and self.login.running:
            self.login.cancel()

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
        self.cancel_login()
        # The session is this window's no more from here (the next sign-in makes its
        # own); revoking its refresh token and ending the provider's session in the
        # browser happen off the GUI thread.
        ending = w.services.end_session()
        if ending is not None:
            run_in_background(w, ending, lambda _r: None, lambda e: log.info("sign-out: %s", e))
        w.idle.stop()
        w.close()
