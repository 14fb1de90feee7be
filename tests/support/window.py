"""Driving the real window in tests, as a clinician would.

Signing in is the real flow: the sign-in window's own login attempt with its loopback
listener, at the sandbox's identity provider, with the robot browser of
tests/support/idp_robot.py standing in for the system browser (it picks the card and
types the PIN on the provider's page, then follows the redirect to the listener).
"""

from __future__ import annotations

import functools
import urllib.parse
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QScrollBar
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.runtime.services import Services
from tests.support import storage_evidence
from tests.support.idp_robot import robot_browser
from ui.dialogs.review import ReviewDialog
from ui.shell.sign_in import SignInDialog
from ui.window.main_window import MainWindow

#: The sandbox's demo cards and their PINs (the identity contract; its start page too).
PINS = {"anna": "1111", "bertil": "2222", "cecilia": "3333", "david": "4444", "erik": "5555"}

#: Windows opened by a test, closed when its services are torn down.
OPEN_WINDOWS: list[MainWindow] = []


def close_open_windows() -> None:
    while OPEN_WINDOWS:
        window = OPEN_WINDOWS.pop()
        window.drafts.discard_all_drafts()
        window.close()
        window.deleteLater()
    # Gone now, with their views: an answer still on its way (Skickat's records, on a
    # loaded machine) is then dropped, not handed to a view after its services closed.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def as_person(services: Services, staff_id: str, pin: str | None = None) -> None:
    """The next login at the provider is ``staff_id``'s (their card, their PIN)."""
    services.browser = robot_browser(staff_id, PINS[staff_id] if pin is None else pin)


def sign_in(qtbot: QtBot, services: Services, staff_id: str) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    as_person(services, staff_id)
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.sign_in_button.click()
    assert dialog.staff is not None and dialog.staff.staff_id == staff_id
    note_refresh_token(services)
    return dialog


def note_refresh_token(services: Services) -> None:
    """The session's refresh token, from the test keyring, for the storage evidence to
    look for in every file and log after the run."""
    import keyring

    from app.identity.session import KEYRING_SERVICE, keyring_entry

    provider = services.provider
    if provider is None:
        return
    try:
        kept = keyring.get_keyring().get_password(KEYRING_SERVICE, keyring_entry(provider))
    except keyring.errors.KeyringError:  # a test without a keyring: none was kept
        return
    if kept:
        storage_evidence.token_seen(kept)


def open_window(qtbot: QtBot, services: Services, staff_id: str = "anna") -> MainWindow:
    """The main window after signing in. Not handed to qtbot: closing a window with a
    draft asks the clinician (a modal question), so the ``services`` fixture discards
    drafts and closes the windows it opened itself (see tests/e2e/conftest.py)."""
    staff = sign_in(qtbot, services, staff_id).staff
    assert staff is not None
    window = MainWindow(services, staff)
    OPEN_WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=10_000)
    return window


def pick_case(window: MainWindow, case_id: str) -> None:
    for row, case in enumerate(window.drafts.cases):
        if case.case_id == case_id:
            window.case_list.setCurrentRow(row)
            return
    raise AssertionError(f"no open case {case_id}")


def attach(qtbot: QtBot, window: MainWindow, path: Path) -> Attachment:
    before = len(window.desk.current.attachments)
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        window.attaching.add_files([path])
    assert len(window.desk.current.attachments) == before + 1
    return window.desk.current.attachments[-1]


def _counted(attachment: Attachment) -> bool:
    return attachment.page_count is not None


def _seen(attachment: Attachment, page: int) -> bool:
    return page in attachment.seen_pages


def preview_every_page(qtbot: QtBot, window: MainWindow, attachment: Attachment) -> None:
    """Select the file and show each page long enough to count as seen."""
    window.attachments.select(attachment.id)
    qtbot.waitUntil(lambda: attachment.page_count is not None, timeout=10_000)
    assert attachment.page_count is not None
    for page in range(attachment.page_count):
        window.preview.go_to(page)
        qtbot.waitUntil(functools.partial(_seen, attachment, page), timeout=10_000)


def colleague_looks(qtbot: QtBot, dialog: ReviewDialog) -> None:
    """The colleague pages through every file with personal data in the sign-off dialog
    (their own look: the sender's pages do not count), until "Godkänn" can be used."""
    for row in range(dialog.files.count()):
        dialog.files.setCurrentRow(row)
        attachment = dialog.preview.attachment
        assert attachment is not None
        qtbot.waitUntil(functools.partial(_counted, attachment), timeout=10_000)
        for page in range(attachment.page_count or 0):
            dialog.preview.go_to(page)
            bar = dialog.preview.scroll_area.verticalScrollBar()

            def read_on(
                page: int = page, attachment: Attachment = attachment, bar: QScrollBar = bar
            ) -> bool:
                """Seen yet? If not, read on down the page (a page taller than the
                dialog's preview is seen once every part of it was shown)."""
                if page in attachment.seen_pages:
                    return True
                bar.setValue(min(bar.maximum(), bar.value() + max(1, bar.pageStep() // 4)))
                return False

            qtbot.waitUntil(read_on, timeout=10_000)
    qtbot.waitUntil(dialog.approve_button.isEnabled, timeout=10_000)


def stop_gateway(services: Services) -> tuple[Path, int]:
    """Stop the sandbox gateway the window talks to; its data folder and port, to start
    it again on the same data (``sandbox.runner.start_sandbox(data_dir=..., port=...)``)."""
    assert services.sandbox is not None
    port = urllib.parse.urlsplit(services.sandbox.base_url).port
    assert port is not None
    data = services.sandbox.data_dir  # type: ignore[attr-defined]
    services.sandbox.stop()
    return data, port
