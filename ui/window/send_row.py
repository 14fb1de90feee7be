"""The send bar's row at the bottom of the window: "Släng utkast", the first thing that
stands between the clinician and Send (a flat button that leads to it), and "Skicka".
What the buttons do is :mod:`ui.window.send_controller`'s; this only builds them."""

from __future__ import annotations

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
        # Its one line of height, whatever the window: the row is never squeezed off.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
