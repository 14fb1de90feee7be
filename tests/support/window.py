"""Driving the real window in tests, as a clinician would."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from app.message_draft import Attachment
from app.services import Services
from ui.main_window import MainWindow
from ui.sign_in import SignInDialog

#: Windows opened by a test, closed when its services are torn down.
OPEN_WINDOWS: list[MainWindow] = []


def close_open_windows() -> None:
    while OPEN_WINDOWS:
        window = OPEN_WINDOWS.pop()
        window.discard_all_drafts()
        window.close()
        window.deleteLater()
    # Gone now, with their views: an answer still on its way (Skickat's records, on a
    # loaded machine) is then dropped, not handed to a view after its services closed.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def sign_in(qtbot: QtBot, services: Services, staff_id: str) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.demo_accounts.count() > 0)
    for row in range(dialog.demo_accounts.count()):
        item = dialog.demo_accounts.item(row)
        if f"({staff_id})" in item.text():
            dialog.demo_accounts.itemClicked.emit(item)
    assert dialog.staff_id.text() == staff_id
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.sign_in_button.click()
    assert dialog.staff is not None
    assert dialog.secret.text() == ""  # the secret is not kept in the form
    return dialog


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
    for row, case in enumerate(window.cases):
        if case.case_id == case_id:
            window.case_list.setCurrentRow(row)
            return
    raise AssertionError(f"no open case {case_id}")


def attach(qtbot: QtBot, window: MainWindow, path: Path) -> Attachment:
    before = len(window.draft.attachments)
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        window.add_files([path])
    assert len(window.draft.attachments) == before + 1
    return window.draft.attachments[-1]


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
