"""The clinician's session at a shared computer: the audit trail opened at sign-in, the
lock that hides the message until the same clinician authenticates again at the identity
provider, and signing out (the refresh token revoked, the provider's session ended in the
browser, the drafts kept for this clinician's next sign-in, and the sign-in window shown
for the next clinician: ``ui.shell.shift``).

It receives its collaborators (the services, the lock page, the idle watch, and small
callables for the drafts) and speaks through signals that the composition root connects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from app.audit import AuditError, AuditSession
from app.identity import IdentityError, TokenSet
from app.protocol.model import Staff
from app.runtime.services import Services
from ui.common.browser_login import BrowserLogin, start_login
from ui.common.errors import gateway_error_text
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.window.lock import IdleWatch, LockPage

log = logging.getLogger(__name__)


class SessionController(QObject):
    #: The window was locked (True) or opened again (False).
    lock_changed = Signal(bool)
    #: The clinician signed out: the window is to close (it asks nothing more).
    close_requested = Signal()
    #: A sentence for the status bar.
    status = Signal(str)
    #: A sentence for a warning box.
    problem = Signal(str)

    def __init__(
        self,
        services: Services,
        staff: Staff,
        lock_page: LockPage,
        idle: IdleWatch,
        *,
        save_drafts: Callable[[], None],
        unsent_count: Callable[[], int],
        busy_sending: Callable[[], bool],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._staff = staff
        self._page = lock_page
        self._idle = idle
        self._save_drafts = save_drafts
        self._unsent_count = unsent_count
        self._busy_sending = busy_sending
        self._parent = parent
        self.audit: AuditSession | None = None
        self.locked = False
        #: Set once the clinician signs out, so that closing the window asks nothing.
        self.signing_out = False
        self.login: BrowserLogin | None = None
        lock_page.unlock_requested.connect(self._unlock)
        lock_page.sign_out_requested.connect(self.sign_out)

    # -- the audit trail ---------------------------------------------------------------

    def open_audit(self) -> None:
        """Sign-in is the trail's first word of this clinician; a trail that cannot be
        written is said at once, with what to do (the window still works: the gateway
        keeps its own record of every send)."""
        trail = self._services.audit_trail()
        problem = self._services.audit_problem
        if trail is None:
            if problem is not None:
                self.problem.emit(tr(problem.code, **problem.params))
            return
        staff_id = self._staff.staff_id
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
            self.status.emit(tr(error.code, **error.params))
            return
        if session and isinstance(written, AuditSession):
            self.audit = written

    # -- the lock --------------------------------------------------------------------------

    def lock(self, *, idle: bool = False) -> None:
        """Hide everything of the message until the clinician's secret is given again."""
        if self.locked:
            return
        self._save_drafts()
        minutes = round(self._services.settings.lock_after_minutes) if idle else None
        self._page.explain(minutes, self._unsent_count())
        # Dialogs over the window (a question, the file chooser, the colleague's
        # sign-off) would show what the lock hides: they close, nothing is lost.
        while (modal := QApplication.activeModalWidget()) is not None and isinstance(
            modal, QDialog
        ):
            modal.reject()
            if QApplication.activeModalWidget() is modal:
                break
        self.locked = True
        self._idle.stop()
        self.status.emit(tr("ui.window.lock.locked_status"))
        self._page.reset()
        self.lock_changed.emit(True)  # the root shows the lock page

    def _unlock(self) -> None:
        """A fresh login at the provider, which must be the same person."""
        if self.login is not None and self.login.running:
            return
        page, services, staff_id = self._page, self._services, self._staff.staff_id
        page.busy(True)
        page.status.setText(tr("ui.window.lock.opening"))
        self.login = start_login(
            self._parent,
            lambda: services.unlock_attempt(staff_id),
            services.browser,
            page.wait_panel,
            page.status,
            self._authenticated_again,
            self._unlock_failed,
        )

    def _authenticated_again(self, tokens: TokenSet) -> None:
        try:
            self._services.unlock(tokens)
        except IdentityError as error:
            self._unlock_failed(error)
            return
        self._unlocked()

    def _unlocked(self) -> None:
        self.locked = False
        self._page.reset()
        self._idle.restart()
        self.status.emit(tr("ui.window.lock.unlocked_status"))
        self.lock_changed.emit(False)  # the root shows the message again

    def _unlock_failed(self, error: BaseException) -> None:
        page = self._page
        page.busy(False)
        page.wait_panel.done()
        if isinstance(error, IdentityError) and error.code == "identity.wrong_person":
            page.status.setText(tr("ui.window.lock.wrong_person", name=self._staff.name))
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
        if self._busy_sending():
            self.status.emit(tr("ui.close.while_sending"))
            return
        unsent = self._unsent_count()
        if unsent and not self.locked:
            hours = int(self._services.settings.retention_hours)
            answer = QMessageBox.question(
                self._parent, "Bifoga", tr("ui.sign_out.question", count=unsent, hours=hours)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._save_drafts()
        self.audit_event(lambda a: a.sign_out())
        self.signing_out = True
        self.cancel_login()
        # The session is this window's no more from here (the next sign-in makes its
        # own); revoking its refresh token and ending the provider's session in the
        # browser happen off the GUI thread.
        ending = self._services.end_session()
        if ending is not None:
            run_in_background(
                self._parent, ending, lambda _r: None, lambda e: log.info("sign-out: %s", e)
            )
        self._idle.stop()
        self.close_requested.emit()
