"""The whole path by keyboard alone, as a clinician who uses no mouse would walk it:
sign in, choose a case, write, attach, page through every page, a colleague's sign-off
(a refused one first), send, and sign out. Only key events reach Bifoga's windows; the
provider's page in the browser is the robot's (tests/support/idp_robot.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QMenu, QWidget
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.mnemonics import mnemonic, shared_mnemonics
from tests.support.pdfgen import write_text_pdf
from tests.support.window import OPEN_WINDOWS, as_person
from ui.shell.sign_in import SignInDialog
from ui.window.main_window import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def _type(widget: QWidget, text: str) -> None:
    """Key presses for each character, Swedish letters included (QTest's own typing
    knows ASCII only)."""
    for char in text:
        key = Qt.Key(ord(char.upper())) if char.isascii() and char.isalnum() else Qt.Key.Key_unknown
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char)
            )


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def test_the_whole_path_by_keyboard_alone(qtbot: QtBot, services: Services, tmp_path: Path) -> None:
    letter = write_text_pdf(
        tmp_path / "Provsvar.pdf",
        [["Provsvar", "Patient: Karin Berg", "Personnummer: 19680102-9288"], ["Hb 135 g/L"]],
        title="Provsvar",
        lang="sv-SE",
    )

    # Sign in: Enter starts the login in the browser (the sign-in button is the default).
    sign_in = SignInDialog(services)
    qtbot.addWidget(sign_in)
    sign_in.show()
    sign_in.activateWindow()
    qtbot.waitUntil(sign_in.isActiveWindow)
    as_person(services, "anna")
    with qtbot.waitSignal(sign_in.accepted, timeout=20_000):
        QTest.keyClick(_focused(), Qt.Key.Key_Return)
    assert sign_in.staff is not None

    window = MainWindow(services, sign_in.staff)
    OPEN_WINDOWS.append(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=10_000)

    # Choose the first case: Ctrl+1 to the list, then Down.
    QTest.keyClick(window, Qt.Key.Key_1, CTRL)
    assert _focused() is window.case_list
    QTest.keyClick(window.case_list, Qt.Key.Key_Down)
    assert window.desk.current.case is not None and window.desk.current.case.case_id == "2024-118"

    # Write: Ctrl+2 to the message text; Tab leaves it (no tab character in the text).
    QTest.keyClick(window, Qt.Key.Key_2, CTRL)
    assert _focused() is window.compose.body_edit
    _type(_focused(), "Hej Karin! Här är ditt provsvar.")
    QTest.keyClick(_focused(), Qt.Key.Key_Tab)
    assert window.desk.current.body == "Hej Karin! Här är ditt provsvar."
    assert _focused() is window.attachments.attach_button

    # Attach: Ctrl+O; in the file dialog, type the path and press Enter.
    def choose_in_dialog(tries: int = 200) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):  # not open yet (a busy machine)
            if tries:
                QTimer.singleShot(50, lambda: choose_in_dialog(tries - 1))
            return
        name_field = dialog.findChild(QLineEdit, "fileNameEdit")
        if name_field is None or not name_field.hasFocus():
            if tries:  # the window manager activates a new dialog; offscreen, the test does
                dialog.activateWindow()
                QTimer.singleShot(50, lambda: choose_in_dialog(tries - 1))
            else:
                dialog.reject()  # the test then fails on the file never attached
            return
        QTest.keyClicks(name_field, str(letter))
        QTest.keyClick(name_field, Qt.Key.Key_Return)

    QTimer.singleShot(50, choose_in_dialog)
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_O, CTRL)
    (attachment,) = window.desk.current.attachments
    qtbot.waitUntil(lambda: attachment.page_count == 2, timeout=10_000)
    # The window manager gives the window back its focus when the dialog closes (the
    # offscreen platform has none, so the test does what it would).
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)

    # Page through every page: Ctrl+3 to the preview, PageDown.
    QTest.keyClick(window, Qt.Key.Key_3, CTRL)
    assert window.preview.isAncestorOf(_focused())
    qtbot.waitUntil(lambda: 0 in attachment.seen_pages, timeout=10_000)
    QTest.keyClick(_focused(), Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: attachment.seen_pages == {0, 1}, timeout=10_000)

    # Personal data: Ctrl+Return asks a colleague; Enter approves at the provider. The
    # sender at the provider first: refused, and the focus stays on the button.
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    QTest.keyClick(window, Qt.Key.Key_Return, CTRL)
    dialog = window.send_bar.review_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.activateWindow()  # what the window manager does for a new dialog
    qtbot.waitUntil(dialog.isActiveWindow)
    # The colleague's own look: the focus is in the preview, "Godkänn" waits until every
    # page with personal data was on the colleague's screen (PageDown).
    assert dialog.preview.isAncestorOf(_focused())
    assert not dialog.approve_button.isEnabled()
    own = dialog.preview.attachment
    assert own is not None and own.seen_pages <= {0}, "the sender's pages do not count"
    qtbot.waitUntil(lambda: 0 in own.seen_pages, timeout=10_000)
    QTest.keyClick(_focused(), Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: own.seen_pages == {0, 1}, timeout=10_000)
    qtbot.waitUntil(dialog.approve_button.isEnabled)
    QTest.keyClick(_focused(), Qt.Key.Key_Tab)
    while _focused() is not dialog.approve_button:  # Tab reaches "Godkänn"
        QTest.keyClick(_focused(), Qt.Key.Key_Tab)
    as_person(services, "anna")
    QTest.keyClick(_focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "annan person än du" in dialog.status.text(), timeout=20_000)
    qtbot.waitUntil(dialog.approve_button.isEnabled)
    assert _focused() is dialog.approve_button, "never a free-text field after an error"
    as_person(services, "bertil")
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        QTest.keyClick(_focused(), Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: window.desk.current.sign_off is not None or not window.desk.current.attachments
    )

    # Send: Ctrl+Return again.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.message_sent, timeout=30_000):
        QTest.keyClick(window, Qt.Key.Key_Return, CTRL)

    # Sign out from the menu: Alt+A (Arkiv), then U (Logga ut).
    with qtbot.waitSignal(window.signed_out, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_A, ALT)
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu)
        QTest.keyClick(menu, Qt.Key.Key_U)
    OPEN_WINDOWS.remove(window)


def test_no_two_commands_share_a_mnemonic(qtbot: QtBot, services: Services) -> None:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from tests.support.window import open_window, pick_case

    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    bar = [mnemonic(a.text()) for a in window.menuBar().actions()]
    assert len(bar) == len(set(bar)) and None not in bar
    for top in window.menuBar().actions():
        menu = top.menu()
        assert isinstance(menu, QMenu)
        letters = [mnemonic(a.text()) for a in menu.actions() if not a.isSeparator()]
        assert None not in letters, f"{top.text()}: an action without a mnemonic"
        assert len(letters) == len(set(letters)), f"{top.text()}: {letters}"
    shown = [
        mnemonic(w.text())
        for w in window.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLabel) and w.isVisible()
    ]
    taken = [letter for letter in shown if letter]
    duplicated = sorted({letter for letter in taken if taken.count(letter) > 1})
    assert duplicated == [], "Alt+letter must lead to one control"
    assert not set(taken) & set(bar), "a control's Alt+letter must not open a menu instead"


def test_the_sent_view_and_the_wrong_file_dialog_have_one_control_per_alt_letter(
    qtbot: QtBot, services: Services
) -> None:
    from app.after_send.sent_list import SentFile, SentItem, SentStatus
    from tests.support.window import open_window
    from ui.dialogs.wrong_file import WrongFileDialog

    window = open_window(qtbot, services)
    view = window.side_views.show_sent()
    qtbot.waitUntil(view.reload_button.isEnabled, timeout=10_000)
    assert shared_mnemonics(view) == []
    item = SentItem(
        sent_at=1.0,
        kind="reply",
        case_id="2024-118",
        subject="Provsvar",
        recipients=("196801029288",),
        files=(SentFile("Provsvar.pdf", 1000, "a" * 64, True),),
        signed_off_by=None,
        status=SentStatus.DELIVERED,
        message_id="msg_unknown",
    )
    dialog = WrongFileDialog(
        item,
        sender=window.staff,
        client=services.client,
        contacts=services.settings.contacts,
        portal_url="https://portal.example",
        parent=window,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert shared_mnemonics(dialog) == []
    qtbot.waitUntil(lambda: dialog.retraction_status.text() != "", timeout=10_000)
    dialog.close()
    view.close()
