"""A workstation's day: the main window for whoever signed in, and after a sign-out the
sign-in window again for the next clinician (signing out never quits Bifoga).

The services (gateway client, identity provider, workers, outbox) stay open from one
clinician to the next: only the session changes. Each clinician's drafts are sealed
under their own staff id and wait for their next sign-in (``ui.window.drafts_controller``).
Closing the sign-in window (Avsluta) is what ends Bifoga.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from app.protocol.model import Staff
from app.runtime.services import Services
from ui.common.i18n import tr
from ui.shell.sign_in import SignInDialog
from ui.window.main_window import MainWindow


class Shift(QObject):
    #: A main window was opened for a clinician who signed in (tests wait for it).
    window_opened = Signal(object)
    #: The sign-in window is shown again after a sign-out.
    sign_in_shown = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.window: MainWindow | None = None
        self.sign_in: SignInDialog | None = None

    def begin(self, staff: Staff) -> MainWindow:
        """The main window for ``staff``, just signed in."""
        window = MainWindow(self.services, staff)
        window.signed_out.connect(self._signed_out)
        self.window = window
        window.show()
        self.window_opened.emit(window)
        return window

    def _signed_out(self) -> None:
        """Shown before the main window has gone, so Bifoga never has no window (Qt
        would end the application with its last window)."""
        old, self.window = self.window, None
        if old is not None:
            old.deleteLater()
        dialog = SignInDialog(self.services)
        dialog.status.setText(tr("ui.shell.sign_in.signed_out"))
        dialog.accepted.connect(lambda: self._signed_in(dialog))
        dialog.rejected.connect(lambda: self._left(dialog))
        self.sign_in = dialog
        dialog.show()
        dialog.sign_in_button.setFocus()
        self.sign_in_shown.emit(dialog)

    def _signed_in(self, dialog: SignInDialog) -> None:
        self.sign_in = None
        dialog.deleteLater()
        if dialog.staff is not None:
            self.begin(dialog.staff)

    def _left(self, dialog: SignInDialog) -> None:
        self.sign_in = None
        dialog.deleteLater()
        app = QApplication.instance()
        if app is not None and self.window is None:
            app.quit()
