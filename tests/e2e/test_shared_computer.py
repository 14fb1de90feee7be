"""A shared workstation: the window locks after idle time and hides the message; only the
same clinician's secret opens it again, with the draft as it was; signing out leaves the
drafts to that clinician alone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import OPEN_WINDOWS, attach, open_window, pick_case
from ui.lock import IdleWatch


def _secret(services: Services, staff_id: str) -> str:
    staff, _residents = services.client.sandbox_directory()
    return next(s.secret for s in staff if s.staff_id == staff_id)


def _shows(widget: QWidget) -> bool:
    return widget.isVisible()


def test_a_locked_window_hides_the_message_and_opens_only_for_the_same_secret(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin, här är ditt provsvar.")
    letter = attach(qtbot, window, write_text_pdf(tmp_path / "Svar.pdf", numbered_pages(2)))
    with qtbot.waitSignal(window.lock_changed):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.locked
    for hidden in (window.compose.body_edit, window.case_list, window.preview, window.attachments):
        assert not _shows(hidden), f"{hidden} still shows while locked"
    assert window.lock_page.isVisible()
    assert not window.actions_.send.isEnabled() and not window.actions_.attach.isEnabled()

    window.lock_page.secret.setText("fel-kod")
    QTest.keyClick(window.lock_page.secret, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Fel kod" in window.lock_page.status.text(), timeout=10_000)
    assert window.locked and window.lock_page.secret.text() == ""

    window.lock_page.secret.setText(_secret(services, "anna"))
    with qtbot.waitSignal(window.lock_changed, timeout=10_000) as unlocked:
        QTest.keyClick(window.lock_page.secret, Qt.Key.Key_Return)
    assert unlocked.args == [False] and not window.locked
    assert window.compose.body_edit.toPlainText() == "Hej Karin, här är ditt provsvar."
    assert [a.sha256 for a in window.draft.attachments] == [letter.sha256]
    assert window.compose.body_edit.isVisible()


def test_idle_time_locks_the_window(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    window.idle.deleteLater()
    window.idle = IdleWatch(50, window)
    window.idle.idle.connect(window.lock)
    with qtbot.waitSignal(window.lock_changed, timeout=5_000):
        pass
    assert window.locked


def test_use_of_the_keyboard_or_mouse_postpones_the_lock(qtbot: QtBot) -> None:
    target = QWidget()
    qtbot.addWidget(target)
    target.show()
    watch = IdleWatch(60_000)
    target.update()
    QTest.qWaitForWindowExposed(target)
    assert watch.activity_seen == 0, "painting is not somebody using the computer"
    QTest.keyClick(target, Qt.Key.Key_A)
    QTest.mouseClick(target, Qt.MouseButton.LeftButton)
    seen = watch.activity_seen
    assert seen >= 2, "a key press and a click start the wait again"
    watch.stop()
    QTest.keyClick(target, Qt.Key.Key_B)
    assert watch.activity_seen == seen, "a stopped watch (a locked window) waits for nothing"


def test_signing_out_keeps_the_drafts_for_the_same_clinician_only(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-119")
    window.compose.body_edit.setPlainText("Receptet är förnyat.")
    window.lock()
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.lock_page.sign_out_button.click()
    OPEN_WINDOWS.remove(window)
    assert not window.isVisible()

    colleague = open_window(qtbot, services, "bertil")
    assert all(d.body == "" for d in colleague.book)
    assert colleague.draft.body == "" and colleague.unsent_drafts() == []

    again = open_window(qtbot, services, "anna")
    restored = again.book.case_draft("2024-119")
    assert restored is not None and restored.body == "Receptet är förnyat."


def test_f1_opens_the_help_with_the_rules_the_contacts_and_every_shortcut(
    qtbot: QtBot, services: Services
) -> None:
    from ui.help_window import HelpWindow, key_names
    from ui.window_actions import SHORTCUTS

    window = open_window(qtbot, services)
    QTest.keyClick(window, Qt.Key.Key_F1)
    help_window = window.findChild(HelpWindow)
    assert help_window is not None and help_window.isVisible()
    text = help_window.browser.toPlainText()
    for needle in ("Skannade dokument", "kollega", "avvikelserutinen", "Servicedesk"):
        assert needle in text
    # The Servicedesk number of this workstation's care provider (public by default).
    assert services.settings.care_provider == "public"
    assert "30 000" in text and "077-67 30 000" not in text
    for _code, keys in SHORTCUTS:
        assert key_names(keys) in text
    help_window.reject()


def test_leftovers_purged_at_start_are_counted_for_the_clinician(
    qtbot: QtBot, services: Services
) -> None:
    services.purged_at_start = 3
    window = open_window(qtbot, services)
    assert "3 arbetskopior och utkast" in window.statusBar().currentMessage()
