"""A shared workstation: the window locks after idle time and hides the message; only a
fresh authentication of the same clinician at the identity provider opens it again, with
the draft as it was; signing out returns to the sign-in window (Bifoga does not quit) and
leaves the drafts to that clinician alone."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import (
    OPEN_WINDOWS,
    as_person,
    attach,
    open_window,
    pick_case,
    sign_in,
)
from ui.window.lock import IdleWatch


def _shows(widget: QWidget) -> bool:
    return widget.isVisible()


def test_a_locked_window_hides_the_message_and_opens_only_for_the_same_person(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin, här är ditt provsvar.")
    letter = attach(qtbot, window, write_text_pdf(tmp_path / "Svar.pdf", numbered_pages(2)))
    with qtbot.waitSignal(window.lock_changed):
        QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.session.locked
    for hidden in (window.compose.body_edit, window.case_list, window.preview, window.attachments):
        assert not _shows(hidden), f"{hidden} still shows while locked"
    assert window.lock_page.isVisible()
    assert not window.actions_.send.isEnabled() and not window.actions_.attach.isEnabled()

    assert window.lock_page.unlock_button.hasFocus()

    as_person(services, "bertil")  # another person at the provider: it stays locked
    QTest.keyClick(window.lock_page.unlock_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "inte Anna Andersson" in window.lock_page.status.text(), timeout=20_000)
    assert window.session.locked and not window.compose.body_edit.isVisible()
    assert window.lock_page.unlock_button.hasFocus()

    as_person(services, "anna")
    with qtbot.waitSignal(window.lock_changed, timeout=20_000) as unlocked:
        QTest.keyClick(window.lock_page.unlock_button, Qt.Key.Key_Space)
    assert unlocked.args == [False] and not window.session.locked
    assert window.compose.body_edit.toPlainText() == "Hej Karin, här är ditt provsvar."
    assert [a.sha256 for a in window.desk.current.attachments] == [letter.sha256]
    assert window.compose.body_edit.isVisible()


def test_idle_time_locks_the_window(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    window.idle.set_timeout(50)  # the window's own watch, wired to the lock as shipped
    with qtbot.waitSignal(window.lock_changed, timeout=5_000):
        pass
    assert window.session.locked


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
    window.session.lock()
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        window.lock_page.sign_out_button.click()
    OPEN_WINDOWS.remove(window)
    assert not window.isVisible()
    assert services.session is None, "the session ended with the sign-out"

    colleague = open_window(qtbot, services, "bertil")
    assert all(d.body == "" for d in colleague.desk.book)
    assert colleague.desk.current.body == "" and colleague.desk.unsent_drafts() == []

    again = open_window(qtbot, services, "anna")
    restored = again.desk.book.case_draft("2024-119")
    assert restored is not None and restored.body == "Receptet är förnyat."


def test_f1_opens_the_help_with_the_rules_the_contacts_and_every_shortcut(
    qtbot: QtBot, services: Services
) -> None:
    from ui.common.shortcuts import SHORTCUTS
    from ui.dialogs.help import HelpWindow, key_names

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
    # The shipped example's placeholders are said as not filled in, not shown as people.
    assert "Fyll i" not in text and "regionen har inte fyllt i" in text
    for _code, keys in SHORTCUTS:
        assert key_names(keys) in text
    help_window.reject()


def test_leftovers_purged_at_start_are_counted_for_the_clinician(
    qtbot: QtBot, services: Services
) -> None:
    services.purged_at_start = 3
    window = open_window(qtbot, services)
    assert "3 arbetskopior och utkast" in window.statusBar().currentMessage()


def test_signing_out_returns_to_the_sign_in_window_for_the_next_clinician(
    qtbot: QtBot, services: Services
) -> None:
    """Bifoga does not quit at a sign-out: the sign-in window comes back, the next
    clinician signs in there, and the refresh token of the one who left is revoked."""
    import keyring
    from PySide6.QtWidgets import QApplication

    from app.identity.session import KEYRING_SERVICE, keyring_entry
    from tests.support.idp_robot import RobotBrowser
    from ui.shell.shift import Shift

    quits: list[bool] = []
    app = QApplication.instance()
    assert app is not None
    app.aboutToQuit.connect(lambda: quits.append(True))
    first = sign_in(qtbot, services, "anna")
    assert first.staff is not None
    browser = services.browser
    assert isinstance(browser, RobotBrowser)
    shift = Shift(services)
    window = shift.begin(first.staff)
    OPEN_WINDOWS.append(window)
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=10_000)
    assert services.provider is not None
    entry = keyring_entry(services.provider)
    assert keyring.get_keyring().get_password(KEYRING_SERVICE, entry), "kept in the keyring"

    with qtbot.waitSignal(shift.sign_in_shown, timeout=10_000) as shown:
        window.session.sign_out()
    OPEN_WINDOWS.remove(window)
    dialog = shown.args[0]  # the shift's own: deleted by it once signed in
    assert dialog.isVisible() and not window.isVisible() and quits == []
    assert "utloggad" in dialog.status.text()
    qtbot.waitUntil(
        lambda: keyring.get_keyring().get_password(KEYRING_SERVICE, entry) is None,
        timeout=10_000,
    )
    # The provider's session ended too: its end-session page opened in the browser.
    qtbot.waitUntil(lambda: any("/end-session" in url for url in browser.opened), timeout=10_000)
    # The sign-out's audit record reached the gateway as a checkpoint, signed with the
    # session that was ending (it used to be sent after the token was dropped: a 401).
    trail = services.audit_trail()
    from sandbox.embedded import EmbeddedSandbox

    assert trail is not None and isinstance(services.sandbox, EmbeddedSandbox)
    head = trail.head  # the sign-out's record: nothing was written after it
    assert head in _kept_checkpoints(services.sandbox.data_dir)

    as_person(services, "bertil")
    with qtbot.waitSignal(shift.window_opened, timeout=20_000) as opened:
        dialog.sign_in_button.click()
    colleague = opened.args[0]
    OPEN_WINDOWS.append(colleague)
    assert colleague.staff.staff_id == "bertil" and "Bertil" in colleague.windowTitle()
    qtbot.waitUntil(lambda: colleague.case_list.count() > 0, timeout=10_000)


def _kept_checkpoints(data_dir: Path) -> list[tuple[int, str]]:
    import sqlite3

    from sandbox.store import DB_NAME

    with sqlite3.connect(data_dir / DB_NAME) as db:
        return list(db.execute("SELECT seq, hash FROM audit_checkpoints"))
