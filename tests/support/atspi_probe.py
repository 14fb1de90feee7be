"""A window for the AT-SPI walk (tests/e2e/test_atspi.py), run as its own process under
Xvfb with Qt's AT-SPI bridge on: the preview showing a tagged letter with "Uppläst" open,
and a value label as the sign-off dialog has one. Prints "ready" once the page's
read-aloud text is known, then runs until killed.

``python -m tests.support.atspi_probe FOLDER``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from app.drafts.message_draft import Attachment
from app.isolation.worker import IsolatedWorker
from app.runtime.services import Services
from app.storage import storage_key
from app.storage.staging import StagingArea
from tests.support.session import test_settings
from tests.support.tagged_pdf import letter
from ui.common.accessibility import expose_values
from ui.preview.pane import PreviewPane


def main(folder: Path) -> int:
    app = QApplication(sys.argv[:1])
    storage_key.install(storage_key.for_this_run())  # working copies are sealed at rest
    with IsolatedWorker(timeout_s=20, memory_limit_mb=1024) as worker:
        client: Any = None
        staging = StagingArea(folder / "staging", max_bytes=20 * 1024 * 1024)
        services = Services(test_settings(folder), client, staging, worker, worker)
        source = folder / "Provsvar.pdf"
        source.write_bytes(letter())
        attachment = Attachment(staging.stage(source))
        window = QWidget()
        window.setWindowTitle("Bifoga AT-SPI")
        layout = QVBoxLayout(window)
        recipients = QLabel("Karin Berg, 19680102-****")
        recipients.setAccessibleName("Mottagare")
        layout.addWidget(recipients)
        pane = PreviewPane(services)
        layout.addWidget(pane)
        window.resize(1200, 700)
        expose_values(window)
        window.show()
        pane.read_aloud.page_text_ready.connect(lambda *_: print("ready", flush=True))
        pane.show_attachment(attachment)
        pane.read_aloud.button.click()
        return app.exec()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
