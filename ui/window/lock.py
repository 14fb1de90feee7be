"""A shared workstation: the window locks itself when nobody has used it for a while.

While locked, nothing of the message shows: not the cases, not the text, not the
recipients, not the preview. A fresh authentication of the same person at the identity
provider (``prompt=login``, that person's card suggested) opens it again with the draft as
it was; another person's login leaves it locked. Anyone else signs out, and the next
clinician signs in to their own drafts only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.accessibility import LiveLabel
from ui.common.browser_login import BrowserWaitPanel
from ui.common.i18n import tr

#: What counts as someone using the window.
_ACTIVITY = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class IdleWatch(QObject):
    """Says ``idle`` after ``timeout_ms`` without a key press or mouse use anywhere in the
    application (its dialogs included)."""

    idle = Signal()

    def __init__(self, timeout_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max(1, timeout_ms))
        self._timer.timeout.connect(self.idle)
        #: How often use of the keyboard or mouse started the wait again.
        self.activity_seen = 0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()

    def restart(self) -> None:
        self._timer.start()

    def set_timeout(self, timeout_ms: int) -> None:
        """A new lock time, from now on (a saved setting applies without a restart)."""
        self._timer.setInterval(max(1, timeout_ms))
        if self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _ACTIVITY and self._timer.isActive():
            self.activity_seen += 1
            self._timer.start()
        return False


class LockPage(QWidget):
    """What a locked window shows: whose it is, and how to open it or sign out."""

    unlock_requested = Signal()
    sign_out_requested = Signal()

    def __init__(self, staff_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.heading = QLabel(tr("ui.window.lock.heading", name=staff_name))
        self.heading.setWordWrap(True)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.explanation = QLabel(tr("ui.window.lock.how"))
        self.explanation.setWordWrap(True)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.explanation)

        row = QHBoxLayout()
        row.addStretch(1)
        self.unlock_button = QPushButton(tr("ui.window.lock.unlock"))
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.unlock_requested)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.status = LiveLabel(assertive=True)  # "another person signed in" is said aloud
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.status.setAccessibleName(tr("ui.window.lock.status"))
        layout.addWidget(self.status)

        #: The address and a cancel while the clinician is at the provider's page.
        self.wait_panel = BrowserWaitPanel(self)
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(self.wait_panel, 4)
        centred.addStretch(1)
        layout.addLayout(centred)

        other = QHBoxLayout()
        other.addStretch(1)
        self.sign_out_button = QPushButton(tr("ui.window.lock.sign_out"))
        self.sign_out_button.setAccessibleDescription(tr("ui.window.lock.sign_out_description"))
        self.sign_out_button.clicked.connect(self.sign_out_requested)
        other.addWidget(self.sign_out_button)
        other.addStretch(1)
        layout.addLayout(other)
        layout.addStretch(2)

    def explain(self, idle_minutes: int | None, drafts: int) -> None:
        """Say truly why it is locked (idle, or asked for) and whether drafts are kept."""
        why = (
            tr("ui.window.lock.why_idle", minutes=idle_minutes)
            if idle_minutes is not None
            else tr("ui.window.lock.why_asked")
        )
        kept = ""
        if drafts == 1:
            kept = tr("ui.window.lock.drafts_kept_one")
        elif drafts > 1:
            kept = tr("ui.window.lock.drafts_kept_many", count=drafts)
        self.explanation.setText(" ".join(p for p in (why, kept, tr("ui.window.lock.how")) if p))

    def reset(self) -> None:
        self.status.clear()
        self.wait_panel.done()
        self.busy(False)
        self.unlock_button.setFocus()

    def busy(self, busy: bool) -> None:
        self.unlock_button.setEnabled(not busy)
