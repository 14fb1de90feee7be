"""Started as its own process by bench_startup: shows a window, then says so and exits.

``bare``: a plain PySide6 window (the floor). ``bifoga``: what ``bifoga`` does before the
clinician can type: settings, the embedded sandbox, the worker processes, the sign-in
window with the sandbox's accounts.
"""

from __future__ import annotations

import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main(kind: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])
    services = None
    if kind == "bare":
        window: QWidget = QWidget()
    else:
        home = tempfile.mkdtemp(prefix="bifoga-bench-home-")
        os.environ["BIFOGA_CONFIG_DIR"] = os.path.join(home, "config")
        os.environ["BIFOGA_DATA_DIR"] = os.path.join(home, "data")
        from app import settings
        from app.services import open_services
        from ui.sign_in import SignInDialog

        services = open_services(settings.load())
        window = SignInDialog(services)
        QTimer.singleShot(0, services.warm_up)  # as ui.app.run_gui does
    window.show()

    def shown() -> None:
        print("shown", flush=True)
        app.quit()

    QTimer.singleShot(0, shown)  # after the first paint has been queued and run
    app.exec()
    if services is not None:
        from ui.workers import wait_for_all

        wait_for_all()
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
