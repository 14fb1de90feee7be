"""``bifoga --smoke-test``: a hidden flag for checking a built bundle (packaging/smoke_bundle.sh).

Bifoga starts as it would for a clinician, and every dialog that opens (the sign-in window,
or a start-up error) is reported on standard output and closed as soon as it is shown, so
the process ends by itself. A frozen bundle that lacks a module, a Qt plugin or a data
file fails here instead of on a clinician's workstation.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog

#: What the smoke step looks for on standard output, followed by the dialog's class name.
SHOWN_PREFIX = "smoke-test: shown "


class _CloseDialogsWhenShown(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog) and watched.isWindow():
            print(f"{SHOWN_PREFIX}{type(watched).__name__}: {watched.windowTitle()}", flush=True)
            # From the event loop, not inside the show: exec() shows the dialog before
            # its loop runs, and a reject() before that would leave exec() waiting.
            QTimer.singleShot(0, lambda: _close_when_ready(watched))
        return False


def _close_when_ready(dialog: QDialog, tries: int = 600) -> None:
    """The sign-in window opens its services after its first paint: wait for them (or for
    their failure, which closes it with a reason) so that a bundle whose services cannot
    start fails the smoke run too."""
    if not dialog.isVisible():
        return
    ready = getattr(dialog, "has_services", True)
    if ready or tries <= 0:
        dialog.reject()
    else:
        QTimer.singleShot(50, lambda: _close_when_ready(dialog, tries - 1))


def close_dialogs_when_shown(argv: list[str]) -> None:
    """Make the application (``run_gui`` takes the existing one) with a filter that reports
    and closes each dialog once it is shown."""
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    watcher = _CloseDialogsWhenShown(app)  # parented to the application: lives as long
    app.installEventFilter(watcher)
