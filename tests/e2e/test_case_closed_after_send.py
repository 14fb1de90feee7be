"""After a reply is delivered its case is answered and leaves the open list: the screen
goes back to "Välj ett ärende" instead of offering a fresh message to the closed case.
A partial reply keeps its case open, and on screen."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.protocol.model import MessageKind
from app.runtime.services import Services
from tests.support.window import open_window
from ui.window.main_window import MainWindow


def _send_text(qtbot: QtBot, window: MainWindow, kind: MessageKind) -> str:
    window.case_list.setCurrentRow(0)
    case = window.desk.current.case
    assert case is not None
    window.compose.kind_buttons[kind].click()
    window.compose.body_edit.setPlainText("Hej! Svaret kommer här.")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    # Delivered, then the open cases loaded again (a reply answers its case).
    signals = [window.message_sent, window.drafts.cases_loaded]
    with qtbot.waitSignals(signals, order="strict", timeout=30_000):
        window.send_button.click()
    return case.case_id


def test_a_delivered_reply_leaves_its_closed_case_off_the_screen(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    case_id = _send_text(qtbot, window, MessageKind.REPLY)
    assert all(c.case_id != case_id for c in window.drafts.cases)
    assert window.desk.current.case is None
    assert not window.compose.body_edit.isEnabled()  # nothing to write in until a case is chosen
    assert not window.send_button.isEnabled()
    assert window.desk.book.case_draft(case_id) is None


def test_a_partial_reply_keeps_its_open_case_on_screen(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    case_id = _send_text(qtbot, window, MessageKind.PARTIAL_REPLY)
    assert any(c.case_id == case_id for c in window.drafts.cases)
    assert window.desk.current.case_id == case_id
    assert window.compose.body_edit.isEnabled()
