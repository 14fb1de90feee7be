"""Starting the window: settings, services (the embedded sandbox when no gateway is
configured), sign-in, then the main window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from app import settings as settings_module
from app.services import open_services
from ui.i18n import set_language, tr
from ui.workers import wait_for_all

log = logging.getLogger(__name__)


def run_gui(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    assert isinstance(app, QApplication)
    app.setApplicationName("Bifoga")
    app.setOrganizationName("Bifoga")
    settings = settings_module.load()
    set_language(settings.language)
    try:
        services = open_services(settings)
    except Exception as error:  # no window without a gateway: say so, and how to fix it
        log.exception("could not start")
        QMessageBox.critical(None, "Bifoga", tr("ui.start_failed", reason=type(error).__name__))
        return 1
    from ui.main_window import MainWindow
    from ui.sign_in import SignInDialog

    try:
        sign_in = SignInDialog(services)
        QTimer.singleShot(0, services.warm_up)  # once the sign-in window is up
        if sign_in.exec() != QDialog.DialogCode.Accepted or sign_in.staff is None:
            return 0
        window = MainWindow(services, sign_in.staff)
        window.show()
        return app.exec()
    finally:
        wait_for_all()
        services.close()
