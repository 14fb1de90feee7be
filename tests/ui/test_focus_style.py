"""The focus ring (issue 20 item 10): seen on a focused button in every window, and the
radio buttons keep their size when focused, so "Delsvar" is never clipped."""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QRadioButton, QWidget
from pytestqt.qtbot import QtBot

from ui.common.i18n import tr
from ui.common.style import RING, apply_focus_style


def _has_ring(widget: QWidget) -> bool:
    image = widget.grab().toImage()
    ring = QColor(RING).rgb()
    edge = image.height() // 2
    return any(image.pixel(x, edge) == ring for x in range(min(6, image.width())))


def test_a_focused_button_has_a_visible_ring_and_radios_keep_their_size(qtbot: QtBot) -> None:
    apply_focus_style()
    apply_focus_style()  # once is enough: not added twice
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert app.styleSheet().count("QPushButton:focus") == 1

    window = QWidget()
    qtbot.addWidget(window)
    row = QHBoxLayout(window)
    radios = [QRadioButton(tr(f"ui.kind.{k}")) for k in ("reply", "partial_reply")]
    button = QPushButton("Skicka")
    for widget in (*radios, button):
        row.addWidget(widget)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()

    partial = radios[1]
    before = partial.size()
    partial.setFocus()
    qtbot.waitUntil(partial.hasFocus)
    QApplication.processEvents()
    assert partial.size() == before and partial.width() >= partial.sizeHint().width()

    assert not _has_ring(button)
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    assert _has_ring(button)
