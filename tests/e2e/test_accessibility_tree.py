"""The window as a screen reader gets it (QAccessible, offscreen): in the main window, the
sign-off dialog, Skickat and Fel fil skickad every label that shows a value says the
value (its caption is the description), status changes are announced, the send bar's
button says its reason, Send does not run the focus through the controls it disables,
and the previewed page tells its place."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.e2e.test_sign_off import lab_result, open_review, sign
from tests.support.window import attach, open_window, pick_case, preview_every_page
from ui.common.accessibility import announcer
from ui.common.i18n import tr

Text = QAccessible.Text


def _said(widget: QWidget) -> tuple[str, str]:
    """(name, description) as the accessibility interface gives them."""
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface.text(Text.Name), interface.text(Text.Description)


def _value_labels_say_their_values(root: QWidget) -> list[str]:
    """Labels with a caption (described) whose name is not what they show."""
    wrong = []
    for label in root.findChildren(QLabel):
        name, description = _said(label)
        if description and label.text() and name != label.text():
            wrong.append(f"{description!r} says {name!r}, shows {label.text()!r}")
    return wrong


def test_the_window_and_its_dialogs_say_their_values_and_announce_changes(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    announced: list[str] = []
    announcer.announced.connect(lambda text, _assertive: announced.append(text))
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    attachment = attach(qtbot, window, lab_result(tmp_path))

    # The send bar's button is its reason, and a new reason is said aloud.
    name, description = _said(window.reason_button)
    assert name == window.reason_button.text() and name
    assert tr("ui.send.reason") in description
    assert name in announced
    preview_every_page(qtbot, window, attachment)
    assert _said(window.preview.page_view)[1].startswith("Sida ")
    assert not _value_labels_say_their_values(window)
    qtbot.waitUntil(window.send_button.isEnabled)

    # The sign-off dialog: recipients and subject say what the colleague must check.
    dialog = open_review(qtbot, window)
    name, description = _said(dialog.recipients_label)
    assert "19680102" in name and description == tr("ui.review.recipients")
    assert _said(dialog.subject_label)[0] == dialog.subject_label.text()
    assert not _value_labels_say_their_values(dialog)
    announced.clear()
    sign(dialog, "anna")  # the sender approves at the provider: refused, and said aloud
    refused = tr("ui.review.refused.reviewer_is_sender")
    qtbot.waitUntil(lambda: refused in announced, timeout=20_000)
    with qtbot.waitSignal(dialog.finished, timeout=20_000):
        sign(dialog, "bertil")
    qtbot.waitUntil(window.send_button.isEnabled)

    # Send: the focus waits on the send bar, not moved on through each control disabled.
    window.activateWindow()
    window.send_button.setFocus()
    announced.clear()
    with qtbot.waitSignal(window.message_sent, timeout=30_000):
        window.send_button.click()
        assert window.focusWidget() is window.reason_button
    assert window.focusWidget() is window.reason_button and window.reason_button.isEnabled()
    qtbot.waitUntil(lambda: any("Meddelandet är skickat" in t for t in announced), timeout=10_000)

    # Skickat and Fel fil skickad.
    view = window.side_views.show_sent()
    qtbot.waitUntil(view.reload_button.isEnabled, timeout=10_000)
    assert _said(view.status)[0] == view.status.text()
    assert not _value_labels_say_their_values(view)
    with qtbot.waitSignal(view.wrong_file_requested) as asked:
        view.wrong_file_button.click()
    wrong = window.side_views.start_wrong_file(asked.args[0])
    assert not _value_labels_say_their_values(wrong)
    announced.clear()
    with qtbot.waitSignal(wrong.retraction_changed, timeout=10_000):
        wrong.retract_button.click()
    qtbot.waitUntil(lambda: "Klart" in wrong.retraction_status.text(), timeout=10_000)
    assert wrong.retraction_status.text() in announced
    assert _said(wrong.retraction_status)[0] == wrong.retraction_status.text()
