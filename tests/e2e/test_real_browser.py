"""End to end in a real browser: Debian's chromium, headless, driven by Selenium through
chromedriver, against the embedded sandbox's identity provider.

A clinician signs in through the sign-in window's real loopback listener (chromium
follows the provider's redirect to it); a colleague approves a message with personal data
on the provider's page, where the sign message is shown; the message is delivered, and the
resident's inbox page in the same browser shows it. Nothing here is skipped: without
chromium or chromedriver the test fails (CI installs them: packaging/dev.sh).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.e2e.test_sign_off import CASE_ID, lab_result, open_review
from tests.support.window import OPEN_WINDOWS, PINS, attach, pick_case, preview_every_page
from ui.shell.sign_in import SignInDialog
from ui.window.main_window import MainWindow

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

CHROMEDRIVER = Path("/usr/bin/chromedriver")
KARIN = "196801029288"


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("chromium is not installed (apt-get install chromium chromium-driver)")


@pytest.fixture
def driver() -> Iterator[WebDriver]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = _chromium()
    if not CHROMEDRIVER.exists():
        pytest.fail(f"{CHROMEDRIVER} is missing (apt-get install chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="bifoga-chromium-")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where chromium's own sandbox cannot start
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Chromium:
    """The system browser for Bifoga (``app.identity.Browser``), as a person uses it: on
    the provider's page, pick the card, type the PIN, press the button; chromium then
    follows the redirect to Bifoga's loopback listener. Notes the text of each page."""

    def __init__(self, driver: WebDriver, staff_id: str) -> None:
        self.driver = driver
        self.staff_id = staff_id
        self.pages: list[str] = []

    def open(self, url: str) -> bool:
        from selenium.webdriver.common.by import By

        driver = self.driver
        driver.get(url)
        self.pages.append(driver.find_element(By.TAG_NAME, "body").text)
        if "/end-session" in url or not driver.find_elements(By.ID, "pin"):
            return True
        driver.find_element(By.ID, f"card-{self.staff_id}").click()
        driver.find_element(By.ID, "pin").send_keys(PINS[self.staff_id])
        driver.find_element(By.ID, "login").click()  # the 303 to the loopback listener
        self.pages.append(driver.find_element(By.TAG_NAME, "body").text)
        return True


def test_sign_in_approve_and_deliver_in_a_real_browser(
    qtbot: QtBot, services: Services, driver: WebDriver, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    # The clinician signs in: chromium at the provider, the answer to the window's listener.
    clinician = Chromium(driver, "anna")
    services.browser = clinician
    sign_in = SignInDialog(services)
    qtbot.addWidget(sign_in)
    sign_in.show()
    with qtbot.waitSignal(sign_in.accepted, timeout=60_000):
        sign_in.sign_in_button.click()
    assert sign_in.staff is not None and sign_in.staff.name == "Anna Andersson"
    assert "PIN-kod" in clinician.pages[0], "the provider's login page, in Swedish"
    assert "127.0.0.1" in driver.current_url and "/callback" in driver.current_url
    window = MainWindow(services, sign_in.staff)
    OPEN_WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=20_000)

    # A reply with a lab result holding the resident's personnummer.
    pick_case(window, CASE_ID)
    window.compose.subject_edit.setText("Ditt provsvar")
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    attachment = attach(qtbot, window, lab_result(tmp_path))
    assert attachment.detected_personal_data is True
    preview_every_page(qtbot, window, attachment)
    qtbot.waitUntil(window.send_button.isEnabled)

    # The colleague approves on the provider's page, which shows the sign message.
    colleague = Chromium(driver, "bertil")
    services.browser = colleague
    dialog = open_review(qtbot, window)
    with qtbot.waitSignal(dialog.finished, timeout=60_000):
        dialog.approve_button.click()
    page = colleague.pages[0]
    assert "Du godkänner" in page and "Godkänn och signera" in page
    assert "Anna Andersson skickar ett svar i ärende 2024-118" in page
    assert "Provsvar.pdf (2 sidor) med personuppgifter" in page
    sign_off = window.desk.current.sign_off
    assert sign_off is not None and sign_off.reviewer_name == "Bertil Berg"

    # Sent, and in the resident's inbox, as the resident's browser shows it.
    with qtbot.waitSignal(window.message_sent, timeout=60_000) as sent:
        window.send_button.click()
    record = services.client.get_message(sent.args[0])
    assert record.reviewer is not None and record.reviewer.staff_id == "bertil"
    driver.get(f"{services.client.base_url}/sandbox/inbox/{KARIN}")
    inbox = driver.find_element(By.TAG_NAME, "body").text
    assert "Ditt provsvar" in inbox and "Hej Karin! Här är ditt provsvar." in inbox
    assert "Provsvar.pdf" in inbox
