"""The send bar's row at the bottom of the window: "Släng utkast", the first thing that
stands between the clinician and Send (a flat button that leads to it), and "Skicka".
What the buttons do is :mod:`ui.window.send_controller`'s; this only builds them."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QWidget

from ui.common.i18n import tr


class SendRow(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reason_button = QPushButton()
        self.reason_button.setFlat(True)
        self.reason_button.setAccessibleName(tr("ui.send.reason"))
        self.reason_button.setAccessibleDescription(tr("ui.send.reason_description"))
        # A long sentence is cut in the bar (the tooltip has it whole); it never widens it.
        self.reason_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.send_button = QPushButton(tr("ui.send.send"))
        self.send_button.setAccessibleDescription(tr("ui.send.send_description"))
        self.send_button.setDefault(True)
        self.discard_button = QPushButton(tr("ui.draft.discard"))
        self.discard_button.setAccessibleDescription(tr("ui.draft.discard_description"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.discard_button)
        layout.addWidget(self.reason_button, 1)
        layout.addWidget(self.send_button)
        # One height whatever its sentence says (a glyph from a taller fallback font, the
        # reason's padding): the message and its files above never move by a pixel.
        line = self.fontMetrics().height() + 2 * 4 + 4  # the reason's padding, and room
        self.setFixedHeight(max(self.send_button.sizeHint().height(), line))


def fit_frame_to(window: QWidget, free: QRect) -> None:
    """Shrink ``window`` so that its frame (title bar and borders) fits ``free``, and move
    it inside: the send row at its bottom stays on screen. A window that fits is left
    as the clinician sized and placed it."""
    frame, inner = window.frameGeometry(), window.geometry()
    extra = QSize(frame.width() - inner.width(), frame.height() - inner.height())
    if frame.width() > free.width() or frame.height() > free.height():
        window.resize(
            min(inner.width(), free.width() - extra.width()),
            min(inner.height(), free.height() - extra.height()),
        )
    frame = window.frameGeometry()
    if not free.contains(frame):
        left = max(free.left(), min(frame.left(), free.right() + 1 - frame.width()))
        top = max(free.top(), min(frame.top(), free.bottom() + 1 - frame.height()))
        window.move(left, top)
