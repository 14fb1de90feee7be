"""Screenshots for the README, taken from real windows on a real (virtual) screen.

    xvfb-run -a -s "-screen 0 1280x720x24" .venv/bin/python -m tests.support.screenshots

Drives the window as a clinician would at 1280×720 (sign in at the sandbox's identity
provider, pick a case, attach a PDF, page through it, a colleague's sign-off approved at
the provider, send, Skickat, "Fel fil skickad", the lock) against the embedded sandbox,
and saves PNGs in docs/screenshots/. The provider's pages are the robot browser's
(tests/support/idp_robot.py); the sign-in window and the sign message at the provider
(chromium, headless, when installed) are shot too.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from app.identity import Browser
    from app.runtime.services import Services

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"


def _wait(app: object, condition: Callable[[], bool], seconds: float = 30) -> None:
    import time

    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.01)


def _read_on(attachment: object, page: int, bar: object) -> bool:
    if page in attachment.seen_pages:  # type: ignore[attr-defined]
        return True
    bar.setValue(min(bar.maximum(), bar.value() + max(1, bar.pageStep() // 4)))  # type: ignore[attr-defined]
    return False


def _review_dialog(app: object, window: object, home: Path) -> None:
    """A lab result with the resident's personnummer: the colleague's sign-off dialog."""
    from PySide6.QtWidgets import QApplication

    from tests.support.pdfgen import write_text_pdf
    from ui.window.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.drafts.discard_draft()
    window.case_list.setCurrentRow(0)
    window.compose.body_edit.setPlainText("Hej Karin!\n\nHär är ditt provsvar. Värdet är normalt.")
    lab = write_text_pdf(
        home / "Provsvar Hb.pdf",
        [
            [
                "Vårdcentralen Lund",
                "",
                "Provsvar",
                "",
                "Patient: Karin Berg",
                "Personnummer: 19680102-9288",
                "",
                "Hb 135 g/L (referens 117-153)",
                "Bedömning: normalt värde, ingen åtgärd.",
            ]
        ],
        title="Provsvar",
        lang="sv-SE",
    )
    window.attaching.add_files([lab])
    _wait(
        app,
        lambda: (
            bool(window.desk.current.attachments)
            and not window.desk.current.attachments[0].unseen_pages
            and window.desk.current.attachments[0].report is not None
        ),
    )
    _wait(app, window.send_button.isEnabled)
    window.send_button.click()
    dialog = window.send_bar.review_dialog
    assert dialog is not None
    _wait(
        app,
        lambda: (
            dialog.preview.page_view.pixmap() is not None
            and not dialog.preview.page_view.pixmap().isNull()
        ),
    )
    # The colleague's own look: every page with personal data, read down to its end.
    bar = dialog.preview.scroll_area.verticalScrollBar()
    for copy in dialog.look.copies():
        for page in range(copy.page_count or 0):
            dialog.preview.go_to(page)
            _wait(app, functools.partial(_read_on, copy, page, bar))
    _wait(app, dialog.approve_button.isEnabled)
    dialog.preview.go_to(0)
    for _ in range(30):
        QApplication.processEvents()
    dialog.grab().save(str(OUT / "review-dialog.png"))
    print(OUT / "review-dialog.png")
    window.services.browser = _colleague_browser()
    dialog.approve_button.click()
    _wait(app, lambda: window.desk.current.sign_off is not None)
    sent: list[str] = []
    window.message_sent.connect(sent.append)
    window.send_button.click()
    _wait(app, lambda: bool(sent))
    view = window.side_views.show_sent()
    view.resize(1180, 640)
    _wait(app, view.reload_button.isEnabled)
    _settle(app)
    view.grab().save(str(OUT / "sent.png"))
    print(OUT / "sent.png")
    item = view.current()
    assert item is not None
    wrong = window.side_views.start_wrong_file(item)
    wrong.resize(1180, 660)
    wrong.retract_button.click()
    _wait(app, lambda: "Klart" in wrong.retraction_status.text())
    _settle(app)
    wrong.grab().save(str(OUT / "wrong-file.png"))
    print(OUT / "wrong-file.png")
    wrong.close()
    view.close()
    window.session.lock()
    _settle(app)
    window.grab().save(str(OUT / "locked.png"))
    print(OUT / "locked.png")


def _sign_in_window(app: object, services: object) -> None:
    """The sign-in window on the sandbox, its demo cards listed, waiting for the browser
    (no browser here: the address shown to copy)."""
    from app.runtime.services import Services
    from ui.shell.sign_in import SignInDialog

    assert isinstance(services, Services)

    class NoBrowser:
        def open(self, url: str) -> bool:
            return False

    browser, services.browser = services.browser, NoBrowser()
    dialog = SignInDialog(services)
    dialog.show()
    _wait(app, lambda: "PIN" in dialog.demo_cards.text())
    dialog.sign_in_button.click()
    _wait(app, lambda: "kunde" in dialog.wait_panel.message.text())
    dialog.adjustSize()
    _settle(app)
    dialog.grab().save(str(OUT / "sign-in.png"))
    print(OUT / "sign-in.png")
    dialog.wait_panel.cancel_button.click()
    _wait(app, dialog.sign_in_button.isEnabled)
    dialog.close()
    services.browser = browser


def _colleague_browser() -> Browser:
    """Bertil at the provider: in chromium (headless, 1280×720), whose page with the sign
    message is shot before the PIN is typed; the robot where chromium is missing."""
    import shutil

    from tests.support.idp_robot import robot_browser

    if not (shutil.which("chromium") and Path("/usr/bin/chromedriver").exists()):
        return robot_browser("bertil", "2222")

    class Shot:
        def open(self, url: str) -> bool:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
            from selenium.webdriver.common.by import By

            options = webdriver.ChromeOptions()
            for argument in ("--headless=new", "--no-sandbox", "--window-size=1280,720"):
                options.add_argument(argument)
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            try:
                driver.get(url)
                driver.find_element(By.ID, "card-bertil").click()
                driver.save_screenshot(str(OUT / "provider-approval.png"))
                print(OUT / "provider-approval.png")
                driver.find_element(By.ID, "pin").send_keys("2222")
                driver.find_element(By.ID, "login").click()
                driver.find_element(By.TAG_NAME, "body")
            finally:
                driver.quit()
            return True

    return Shot()


def attach_and_see(app: object, window: object, path: Path) -> None:
    """Attach ``path`` to the draft on screen and wait until it is inspected and its first
    page was seen in the preview."""
    from ui.window.main_window import MainWindow

    assert isinstance(window, MainWindow)
    window.attaching.add_files([path])

    def seen() -> bool:
        first = next(iter(window.desk.current.attachments), None)
        return first is not None and first.report is not None and 0 in first.seen_pages

    _wait(app, seen)


def _settle(app: object) -> None:
    from PySide6.QtWidgets import QApplication

    for _ in range(30):
        QApplication.processEvents()


@contextmanager
def shooting() -> Iterator[tuple[QApplication, Services, Path]]:
    """The application, the embedded sandbox's services and a fresh home folder to shoot
    in (on the X screen, ``xvfb-run``); every worker waited for and closed afterwards."""
    os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    home = Path(tempfile.mkdtemp(prefix="bifoga-shots-"))
    os.environ["BIFOGA_CONFIG_DIR"] = str(home / "config")
    os.environ["BIFOGA_DATA_DIR"] = str(home / "data")
    from PySide6.QtWidgets import QApplication

    from app.storage import storage_key
    from sandbox.embedded import open_services
    from tests.support.session import test_settings
    from ui.common.workers import wait_for_all

    app = QApplication(sys.argv[:1])
    storage_key.install(storage_key.for_this_run())  # as the sandbox does without a keyring
    services = open_services(test_settings(home, seen_dwell_ms=300), sandbox_dir=home / "gw")
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        yield app, services, home
    finally:
        wait_for_all()
        services.close()


def main() -> int:
    from tests.support.pdfgen import write_text_pdf
    from tests.support.session import sign_in_as
    from ui.window.main_window import MainWindow

    with shooting() as (app, services, home):
        _sign_in_window(app, services)
        staff = sign_in_as(services, "anna", "1111")
        window = MainWindow(services, staff)
        window.resize(1280, 720)
        window.show()
        _wait(app, lambda: window.case_list.count() > 0)
        window.case_list.setCurrentRow(0)
        window.compose.body_edit.setPlainText(
            "Hej!\n\nHär kommer kallelsen till ditt återbesök. Hör av dig om tiden inte passar.\n\n"
            "Vänliga hälsningar\nAnna Andersson, sjuksköterska"
        )
        letter = write_text_pdf(
            home / "Kallelse återbesök.pdf",
            [
                [
                    "Vårdcentralen Lund",
                    "",
                    "Kallelse till återbesök",
                    "",
                    "Du är välkommen på återbesök tisdag 8 december kl. 09.30.",
                    "Ta med dig en lista över de läkemedel du använder.",
                    "Om tiden inte passar, ring oss eller skriv via 1177.",
                    "",
                    "Vänliga hälsningar",
                    "Vårdcentralen Lund",
                ],
                [
                    "Sida 2",
                    "",
                    "Så hittar du till oss",
                    "",
                    "Ingång från Storgatan. Hissen finns till vänster.",
                ],
            ],
            title="Kallelse till återbesök",
            lang="sv-SE",
        )
        attach_and_see(app, window, letter)
        for _ in range(30):
            app.processEvents()
        window.grab().save(str(OUT / "main-window.png"))
        print(OUT / "main-window.png")
        _review_dialog(app, window, home)
    return 0


if __name__ == "__main__":
    sys.exit(main())
