"""Started as its own process by bench_startup: shows a window, says so once it has been
painted, and exits.

``bare``: a plain PySide6 window (the floor). ``bifoga``: the ``bifoga`` command itself
(:func:`ui.shell.launcher.main`: logging, the checked settings, :func:`ui.shell.start.run_gui`) on a
configured gateway (a settings file naming it, as a region installs it), until its
sign-in window has been painted; then the window is closed as Cancel would. ``sandbox``:
the same for ``bifoga --sandbox``. ``ready``: on the configured gateway, until the
sign-in window can sign in (:func:`ui.shell.start.first_window` opens its services once it is
painted).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Never contacted before sign-in; the name is reserved (RFC 2606), so nothing answers.
CONFIGURED_GATEWAY = "https://gateway.invalid"
CONFIGURED_IDP = "https://idp.invalid"


def main(kind: str) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QWidget

    app = QApplication([sys.argv[0]])  # run_gui takes this one

    def shown(window: QWidget) -> None:
        print("shown", flush=True)
        if isinstance(window, QDialog):
            window.reject()  # as Cancel: run_gui closes everything and returns
        else:
            app.quit()

    class FirstPaint(QObject):
        """Any window's first paint, seen before the window itself handles it."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Paint
                and isinstance(watched, QWidget)
                and watched.isWindow()
            ):
                app.removeEventFilter(self)
                QTimer.singleShot(0, lambda: shown(watched))  # once this paint is done
            return False

    if kind == "bare":
        painted = FirstPaint()
        app.installEventFilter(painted)
        window = QWidget()
        window.show()
        app.exec()
        return 0

    home = tempfile.mkdtemp(prefix="bifoga-bench-home-")
    config = os.path.join(home, "config")
    os.makedirs(config)
    os.environ["BIFOGA_CONFIG_DIR"] = config
    os.environ["BIFOGA_DATA_DIR"] = os.path.join(home, "data")
    os.environ["BIFOGA_POLICY_FILE"] = os.path.join(home, "no-policy.json")
    # A keyring that works (the machine may have none): the storage key is fetched once
    # the sign-in window is painted, as a clinician's start does. Named, not imported, so
    # that keyring is loaded when Bifoga asks for it, not before the clock starts.
    os.environ["PYTHON_KEYRING_BACKEND"] = "tests.support.keyrings.MemoryKeyring"
    if kind != "sandbox":
        with open(os.path.join(config, "settings.json"), "w", encoding="utf-8") as file:
            # A region names its identity provider too (never contacted before sign-in).
            json.dump({"gateway_url": CONFIGURED_GATEWAY, "idp_issuer": CONFIGURED_IDP}, file)
    if kind == "ready":
        from app.config import settings
        from ui.shell.start import first_window

        start = first_window(settings.load())
        start.when_ready(lambda: shown(start.window))
        start.window.exec()
        start.close()
        return 0
    painted = FirstPaint()
    app.installEventFilter(painted)
    from ui.shell.launcher import main as bifoga

    return bifoga(["--sandbox"] if kind == "sandbox" else [])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
