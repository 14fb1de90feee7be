"""The window fits a 1280×720 screen, no field can widen it, and every control a keyboard
or screen-reader user reaches has a name."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QComboBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.window import open_window, pick_case


def test_the_window_fits_1280_by_720_and_a_long_paste_never_widens_it(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720 - 40, hint
    window.resize(1280, 680)
    window.drafts.start_new_case()
    width = window.width()
    window.compose.recipients_edit.setPlainText("x" * 3000 + "\n19680102-9288")
    qtbot.waitUntil(lambda: "Inte giltiga" in window.compose.recipient_label.text())
    assert window.minimumSizeHint().width() <= 1280
    assert window.width() == width, "the window kept its width"
    window.compose.recipients_edit.clear()
    assert window.minimumSizeHint().width() <= 1280


def test_every_control_a_keyboard_reaches_has_a_name(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.side_views.show_sent()
    unnamed = []
    for root in (window, window.side_views.sent_view):
        assert root is not None
        for widget in root.findChildren(QWidget):
            if not widget.isVisible() or widget.focusPolicy().value == 0:
                continue
            named = bool(widget.accessibleName().strip())
            if isinstance(widget, QAbstractButton):
                named = named or bool(widget.text().replace("&", "").strip())
            elif not isinstance(widget, QLineEdit | QAbstractScrollArea | QComboBox):
                continue  # a container, or a scroll bar of a named view
            if not named:
                unnamed.append(f"{type(widget).__name__}:{widget.objectName()}")
    assert unnamed == []
