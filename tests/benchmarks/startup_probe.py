"""Started as its own process by bench_startup: shows a window, says so once it has been
painted, and exits.

``bare``: a plain PySide6 window (the floor). ``bifoga``: what ``bifoga`` does before the
clinician sees the sign-in window, on a configured gateway (a settings file naming it, as
a region installs it): the checked settings and :func:`ui.app.first_window`, the very
window ``run_gui`` shows. ``sandbox``: the same for ``bifoga --sandbox``. ``ready``: on
the configured gateway, until the window can sign in (its services are open, which
``first_window`` does once the window is painted).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: Never contacted before sign-in; the name is reserved (RFC 2606), so nothing answers.
CONFIGURED_GATEWAY = "https://gateway.invalid"


def main(kind: str) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication([sys.argv[0]])

    def shown() -> None:
        print("shown", flush=True)
        app.quit()

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                watched.removeEventFilter(self)
                QTimer.singleShot(0, shown)  # once this first paint is done
            return False

    start = None
    if kind == "bare":
        window: QWidget = QWidget()
    else:
        home = tempfile.mkdtemp(prefix="bifoga-bench-home-")
        config = os.path.join(home, "config")
        os.makedirs(config)
        os.environ["BIFOGA_CONFIG_DIR"] = config
        os.environ["BIFOGA_DATA_DIR"] = os.path.join(home, "data")
        os.environ["BIFOGA_POLICY_FILE"] = os.path.join(home, "no-policy.json")
        if kind != "sandbox":
            with open(os.path.join(config, "settings.json"), "w", encoding="utf-8") as file:
                json.dump({"gateway_url": CONFIGURED_GATEWAY}, file)
        # As ui.app.run_gui does, in the same order.
        from app import settings
        from ui.app import first_window
        from ui.i18n import set_language

        loaded = settings.load(sandbox=kind == "sandbox")
        set_language(loaded.language)
        start = first_window(loaded)
        window = start.window
        if kind == "ready":
            start.when_ready(shown)
    if kind != "ready":
        painted = FirstPaint(window)
        window.installEventFilter(painted)
    window.show()
    app.exec()
    if start is not None:
        start.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
