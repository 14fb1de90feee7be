"""Starting the window: checked settings, services, sign-in, then the main window.

The settings are checked before anything else starts: with a problem the clinician gets
a window (and stderr a copy) naming the file and the field, and no gateway client, no
sandbox and no worker process is made. The sandbox gateway runs only when asked for
(``bifoga --sandbox`` or ``gateway_url: "sandbox"``).

Then the storage key (``app.storage.storage_key``), before any service opens: what Bifoga keeps
with personal data is sealed with it. When the keyring cannot give it the clinician is
asked to unlock it and try again, or to quit; nothing is ever kept in clear instead. Only
the embedded sandbox (a test system) goes on with a key for this run, and says so.

Start-up time matters (``BENCH startup``): only what the sign-in window needs is imported
before it is on screen; the main window, the worker processes and everything behind them
come after its first paint (:class:`FirstWindow`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QDialog, QWidget

from app.config import settings as settings_module
from app.config.settings import Settings, SettingsProblem
from app.storage import storage_key
from app.storage.storage_key import StorageKey, StorageKeyError
from ui.common.i18n import set_language, tr
from ui.common.style import apply_focus_style
from ui.shell.sign_in import SignInDialog
from ui.shell.termination import quit_on_sigterm

if TYPE_CHECKING:
    from app.runtime.services import Services

log = logging.getLogger(__name__)

#: The command-line flag that asks for the embedded sandbox gateway (a test system).
SANDBOX_FLAG = "--sandbox"


def run_gui(argv: list[str]) -> int:
    sandbox = SANDBOX_FLAG in argv
    qt_args = [arg for arg in argv if arg != SANDBOX_FLAG]
    app = QApplication.instance() or QApplication([sys.argv[0], *qt_args])
    assert isinstance(app, QApplication)
    app.setApplicationName("Bifoga")
    app.setOrganizationName("Bifoga")
    apply_focus_style()  # before any window: the sign-in window has the ring too
    try:
        settings = settings_module.load(sandbox=sandbox)
    except settings_module.SettingsError as error:
        report_settings_problems(error.problems)
        return 1
    set_language(settings.language)
    with quit_on_sigterm(app):  # so that a SIGTERM closes what is opened here
        return _run_windows(app, settings)


def _run_windows(app: QApplication, settings: Settings) -> int:
    start = first_window(settings)
    try:
        accepted = start.window.exec() == QDialog.DialogCode.Accepted
        if start.quit_without_key:  # the clinician chose to quit rather than unlock it
            return 1
        if start.failure is not None:  # no window without a gateway: say so, and how to fix it
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Bifoga", tr("ui.start_failed", reason=start.failure))
            return 1
        staff = start.window.staff
        if not accepted or staff is None or start.services is None:
            return 0
        from ui.common.qt_swedish import install_qt_translations
        from ui.shell.shift import Shift

        # Qt's own dialogs (the file chooser, questions) in the window's language; after
        # the sign-in window, whose start-up is measured, shows nothing of Qt's own.
        install_qt_translations(app, settings.language)
        # The main window, and after a sign-out the sign-in window again (never a quit).
        shift = Shift(start.services)
        shift.begin(staff)
        return app.exec()
    finally:
        start.close()


class FirstWindow:
    """The sign-in window, shown before the services behind it are open: they (the
    gateway client, the staging area's purge, the sandbox when asked for, the worker
    processes) are opened once it has been painted, and then it can sign in."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.services: Services | None = None
        #: Why the services could not be opened (the window is then closed).
        self.failure: str | None = None
        #: The keyring could not give the storage key and the clinician chose to quit.
        self.quit_without_key = False
        self._when_ready: list[Callable[[], None]] = []
        self.window = SignInDialog(sandbox=settings.uses_sandbox)
        self.window.when_painted(self._open_services)

    def _open_services(self) -> None:
        from sandbox.embedded import open_services

        key = self._storage_key()
        if key is None:
            self.quit_without_key = True
            self.window.reject()
            return
        storage_key.install(key)
        try:
            self.services = open_services(self.settings)
        except settings_module.SettingsError as error:  # no identity provider named, say
            self.failure = " ".join(problem.text() for problem in error.problems)
            self.window.reject()
            return
        except Exception as error:
            log.exception("could not start")
            self.failure = type(error).__name__
            self.window.reject()
            return
        self.window.attach_services(self.services)
        self.services.warm_up()
        for then in self._when_ready:
            then()

    def _storage_key(self) -> StorageKey | None:
        """The key from the keyring; while it cannot give it, the clinician's decision:
        try again (after unlocking it) or quit (None). The embedded sandbox alone goes
        on with a key for this run, and tells the clinician what that means."""
        while True:
            try:
                return storage_key.from_keyring()
            except StorageKeyError as error:
                log.warning("the keyring cannot give the storage key (%s)", error.reason)
                if self.settings.uses_sandbox:
                    tell_run_key(self.window)
                    return storage_key.for_this_run()
                if not ask_keyring_again(self.window, error):
                    return None

    def when_ready(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the window can sign in (its services are open)."""
        self._when_ready.append(then)

    def close(self) -> None:
        """Wait for the window's background jobs, then close the services (if opened)."""
        if self.services is None:
            return
        from ui.common.workers import wait_for_all

        wait_for_all()
        self.services.close()


def first_window(settings: Settings) -> FirstWindow:
    """The window the clinician sees first, with the services opening behind it."""
    return FirstWindow(settings)


def keyring_reason(error: StorageKeyError) -> str:
    """Why the keyring failed, in the clinician's words (never an exception's name;
    the log has that)."""
    no_keyring = "NoKeyring" in (error.reason or "")
    return tr("storage.reason.no_keyring" if no_keyring else "storage.reason.locked")


def ask_keyring_again(parent: QWidget, error: StorageKeyError) -> bool:
    """Whether the clinician wants to try the keyring again (True) or to quit."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Critical,
        tr("storage.keyring_title"),
        tr("storage.keyring_unavailable", reason=keyring_reason(error)),
        parent=parent,
    )
    box.setObjectName("keyring_unavailable")
    again = box.addButton(tr("storage.try_again"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(tr("storage.quit"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(again)
    box.exec()
    return box.clickedButton() is again


def tell_run_key(parent: QWidget) -> None:
    """On the embedded sandbox: drafts are sealed with a key for this run only."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(
        QMessageBox.Icon.Warning,
        tr("storage.keyring_title"),
        tr("storage.sandbox_run_key"),
        parent=parent,
    )
    box.setObjectName("sandbox_run_key")
    box.addButton(tr("storage.understood"), QMessageBox.ButtonRole.AcceptRole)
    box.exec()


def report_settings_problems(problems: list[SettingsProblem]) -> None:
    """Say what is wrong, in Swedish (the settings, with their language, are what is
    broken), on stderr and in a window, before anything else has started."""
    intro = tr("settings.problems_intro")
    sentences = [problem.text() for problem in problems]
    print("\n".join([intro, *(f"- {s}" for s in sentences)]), file=sys.stderr, flush=True)
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, tr("settings.problems_title"), intro)
    box.setObjectName("settings_problems")
    box.setInformativeText("\n\n".join(sentences))
    box.setStandardButtons(QMessageBox.StandardButton.Close)
    box.button(QMessageBox.StandardButton.Close).setText(tr("settings.close"))
    box.exec()
