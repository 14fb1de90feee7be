"""What is on its way to the case on screen (or, for a new case, which has no case yet,
the one chosen on its own row in the case list): the message that left its draft and
waits in the outbox (or is being sent), with what it says and which files go with it, and
"Försök igen" / "Ta tillbaka till utkast" (the rules are :mod:`app.drafts.desk`'s).

It takes the place of the case's conversation above the message while something waits
(the same fixed height: nothing below it moves; its words wrap and scroll inside it).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.drafts.desk import SendMark, WaitingSend
from ui.common.errors import code_text
from ui.common.i18n import shortened, tr


class WaitingPanel(QFrame):
    retry_requested = Signal(str)  # job_id
    take_back_requested = Signal(str)  # job_id
    #: Something waits for the case on screen (True) or nothing does (False): the window
    #: shows the panel in the conversation's place, so nothing below it moves.
    presence_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("waiting-panel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#waiting-panel { background: #fff4d6; border: 2px solid #8a4b00; }")
        self.job_id: str | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        # What waits and why, in words that wrap and scroll inside the panel's fixed
        # height (never cut: a clinician reads the reason here), the buttons beside it.
        words = QWidget()
        words.setObjectName("waiting-words")
        words_layout = QVBoxLayout(words)
        words_layout.setContentsMargins(0, 0, 0, 0)
        words_layout.setSpacing(2)
        self.heading = QLabel()
        self.heading.setStyleSheet("font-weight: bold;")
        self.reason = QLabel()  # why it waits comes first: what the clinician must know
        self.text = QLabel()
        self.files = QLabel()
        for label in (self.heading, self.reason, self.text, self.files):
            label.setWordWrap(True)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
            words_layout.addWidget(label)
        words_layout.addStretch(1)
        self.words = QScrollArea()
        self.words.setWidget(words)
        self.words.setWidgetResizable(True)
        self.words.setFrameShape(QFrame.Shape.NoFrame)
        self.words.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.words.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # the keyboard scrolls it
        self.words.setAccessibleName(tr("ui.waiting.words"))
        self.words.setStyleSheet("QScrollArea, #waiting-words { background: transparent; }")
        self.retry_button = QPushButton(tr("ui.waiting.retry"))
        self.retry_button.setAccessibleDescription(tr("ui.waiting.retry_description"))
        self.take_back_button = QPushButton(tr("ui.waiting.take_back"))
        self.take_back_button.setAccessibleDescription(tr("ui.waiting.take_back_description"))
        self.retry_button.clicked.connect(self._retry)
        self.take_back_button.clicked.connect(self._take_back)
        buttons = QVBoxLayout()
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.take_back_button)
        buttons.addStretch(1)
        layout.addWidget(self.words, 1)
        layout.addLayout(buttons)

    def show_waiting(self, waiting: WaitingSend | None) -> None:
        """Show what waits for the case on screen (None: nothing, and the panel hides)."""
        if waiting is None:
            self.job_id = None
            self.presence_changed.emit(False)
            return
        job = waiting.job
        self.job_id = job.job_id
        kind = tr(f"ui.kind.{waiting.kind.value}").replace("&", "")
        key = (
            "ui.waiting.heading_sending"
            if waiting.mark is SendMark.SENDING
            else "ui.waiting.heading_waiting"
        )
        self.heading.setText(tr(key, kind=kind))
        message = job.message
        # On one line: a letter's blank lines would make the panel long to scroll.
        body = " ".join(message.body.split()) or tr("ui.waiting.text_unknown")
        self.text.setText(f"{message.subject}: {shortened(body, 140)}")
        names = ", ".join(a.filename for a in message.attachments)
        self.files.setText(
            tr("ui.waiting.files", names=names) if names else tr("ui.waiting.no_files")
        )
        self.reason.setText(code_text(job.error_code) if job.error_code else "")
        self.reason.setVisible(bool(job.error_code))
        waiting_now = waiting.mark is SendMark.WAITING
        self.retry_button.setEnabled(waiting_now)
        self.take_back_button.setEnabled(waiting.can_take_back)
        self.setAccessibleName(self.heading.text())
        self.words.setAccessibleDescription(self.reason.text())  # said first, whole
        self.words.verticalScrollBar().setValue(0)
        self.presence_changed.emit(True)

    def _retry(self) -> None:
        if self.job_id is not None:
            self.retry_button.setEnabled(False)
            self.retry_requested.emit(self.job_id)

    def _take_back(self) -> None:
        if self.job_id is not None:
            self.take_back_requested.emit(self.job_id)
