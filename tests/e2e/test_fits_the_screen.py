"""The window keeps to a 1280×720 screen's free area in every state (no case, a reply, a
new case with 1 and with 250 recipients, a send waiting with a long reason, the lock
page): what does not fit scrolls inside it, the send bar is always on screen, and
"Bifoga fil…" and the conversation's slot stay where they were. The waiting panel's
reason wraps and is read whole inside the panel's fixed slot, its words reached and
scrolled by keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.outbox import DeliveryPolicy, JobState
from app.runtime.services import Services
from tests.gateway.helpers import bulk_personnummer
from tests.support.window import open_window, pick_case, stop_gateway
from ui.window.main_window import MainWindow

#: The workstation's screen: 1280×720, all of it free (a panel would leave less).
SCREEN = QRect(0, 0, 1280, 720)
#: An unreachable gateway is waited out briefly here (the window's default is minutes).
QUICK = DeliveryPolicy(settle_within_s=1.0, first_wait_s=0.1, max_wait_s=0.2)


@pytest.fixture
def workstation_screen(monkeypatch: pytest.MonkeyPatch) -> QRect:
    """The offscreen platform's screen is 800×800: the window asks its screen for the
    free area (``MainWindow._fit_to_screen``), which here is a 1280×720 one."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(SCREEN))
    return SCREEN


def _inside(window: MainWindow, widget: QWidget) -> bool:
    return window.rect().contains(QRect(widget.mapTo(window, QPoint(0, 0)), widget.size()))


def _fits(window: MainWindow, free: QRect, state: str, *, button: QWidget | None = None) -> QPoint:
    """The window within the screen, the send button (or ``button``) on it; where
    "Bifoga fil…" is."""
    for _ in range(3):  # the layouts' pending requests, each of which may post another
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    assert free.contains(window.frameGeometry()), (state, window.frameGeometry())
    assert window.minimumSizeHint().height() <= free.height(), state
    send = button or window.send_button
    assert send.isVisible() and _inside(window, send), state
    return window.attachments.attach_button.mapTo(window, QPoint(0, 0))


def test_every_state_keeps_the_window_and_its_send_bar_on_a_1280_by_720_screen(
    qtbot: QtBot, services: Services, workstation_screen: QRect
) -> None:
    window = open_window(qtbot, services)
    window.move(workstation_screen.topLeft())
    window.outbox_runner.policy = QUICK
    attach_at = _fits(window, workstation_screen, "no case")
    slot_at = window.case_slot.mapTo(window, QPoint(0, 0))

    window.drafts.start_new_case()
    window.compose.recipients_edit.setPlainText("19680102-9288")
    qtbot.waitUntil(lambda: len(window.desk.current.new_case_recipients) == 1)
    assert _fits(window, workstation_screen, "a new case, 1 recipient") == attach_at
    area = window.compose_area
    assert window.compose.height() >= window.compose.minimumSizeHint().height()
    # The form scrolls to the field Tab moves to: the message text comes into view.
    window.compose.subject_edit.setFocus()
    qtbot.keyClick(window.compose.subject_edit, Qt.Key.Key_Tab)
    body = window.compose.body_edit
    assert body.hasFocus()
    # Room for a few lines of the message, all of them in view (not its cursor line alone).
    assert body.height() >= 4 * body.fontMetrics().lineSpacing()
    assert (
        area.viewport().rect().contains(QRect(body.mapTo(area.viewport(), QPoint()), body.size()))
    )

    window.compose.recipients_edit.setPlainText("\n".join(bulk_personnummer()[:250]))
    qtbot.waitUntil(lambda: len(window.desk.current.new_case_recipients) == 250)
    assert _fits(window, workstation_screen, "a new case, 250 recipients") == attach_at
    window.drafts.discard_draft()

    pick_case(window, "2024-120")
    window.compose.body_edit.setPlainText("Här är remissen.")
    # Text only: this offscreen screen is narrower than the one faked, so a preview's
    # page at its right would never count as seen.
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    assert _fits(window, workstation_screen, "a reply") == attach_at
    body_at = window.compose.body_edit.mapTo(window, QPoint(0, 0))

    stop_gateway(services)
    with qtbot.waitSignal(window.outbox_runner.ended, timeout=30_000) as ended:
        window.send_button.click()
    assert ended.args[0].state is JobState.NEEDS_ACTION
    assert _fits(window, workstation_screen, "a waiting send") == attach_at
    assert window.case_slot.mapTo(window, QPoint(0, 0)) == slot_at
    assert window.compose.body_edit.mapTo(window, QPoint(0, 0)) == body_at
    _reason_read_whole(qtbot, window)

    window.session.lock()
    assert window.lock_page.isVisible()
    for button in (window.lock_page.unlock_button, window.lock_page.sign_out_button):
        _fits(window, workstation_screen, "the lock page", button=button)


def _reason_read_whole(qtbot: QtBot, window: MainWindow) -> None:
    """The long reason wraps (the label as tall as its lines need), comes first under
    the heading, and every word of the panel is reached by keyboard: Tab to its words,
    Page Down to the end, the file names last and in view."""
    panel = window.waiting_panel
    assert panel.isVisible() and panel.height() == window.case_slot.height()
    reason = panel.reason
    assert "Klicka på Försök igen" in reason.text()
    assert (
        reason.height() >= reason.heightForWidth(reason.width()) > reason.fontMetrics().height() * 2
    )
    assert reason.width() <= panel.words.viewport().width(), "it wraps, never runs off the side"
    words = panel.words
    assert words.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert words.accessibleDescription() == reason.text(), "a screen reader says it whole"
    chain: list[QWidget] = []
    widget = window.case_list.nextInFocusChain()
    while widget is not None and widget is not window.case_list and len(chain) < 500:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    assert words in chain, "Tab reaches the panel's words"
    words.setFocus()
    for _ in range(20):
        qtbot.keyClick(words, Qt.Key.Key_PageDown)
    bar = words.verticalScrollBar()
    assert bar.value() == bar.maximum()
    files = panel.files
    shown = QRect(files.mapTo(words.viewport(), QPoint()), files.size())
    assert words.viewport().rect().contains(shown), "the last words are in view"
