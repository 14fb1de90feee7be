"""The message being written: kind, case or recipients, subject and text."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.draft import Draft
from app.identifiers import mask
from app.model import MAX_BULK_RECIPIENTS, MessageKind
from app.recipients import parse_recipient_list
from ui.i18n import tr


class ComposeView(QWidget):
    """Edits the draft's words and addressing; says ``changed`` after every edit."""

    changed = Signal()
    #: The kind or the recipients changed (the files' identity match depends on them).
    addressing_changed = Signal()

    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._draft = draft
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)

        kinds = QHBoxLayout()
        self.kind_buttons: dict[MessageKind, QRadioButton] = {}
        self._kind_group = QButtonGroup(self)
        for kind in MessageKind:
            button = QRadioButton(tr(f"ui.kind.{kind.value}"))
            button.setAccessibleDescription(tr(f"ui.kind_help.{kind.value}"))
            self.kind_buttons[kind] = button
            self._kind_group.addButton(button)
            kinds.addWidget(button)
            button.toggled.connect(lambda on, kind=kind: self._kind_toggled(kind, on))
        kinds.addStretch(1)
        layout.addLayout(kinds)
        # What the chosen kind does to the case, in one line where it is chosen.
        self.kind_help = QLabel()
        self.kind_help.setWordWrap(True)
        self.kind_help.setObjectName("kind-help")
        self.kind_help.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(self.kind_help)

        form = QFormLayout()
        self.recipient_label = QLabel()
        self.recipient_label.setWordWrap(True)
        self.recipient_label.setAccessibleName(tr("ui.compose.to"))
        form.addRow(tr("ui.compose.to"), self.recipient_label)
        self.recipients_edit = QPlainTextEdit()
        self.recipients_edit.setPlaceholderText(tr("ui.compose.recipients_placeholder"))
        self.recipients_edit.setAccessibleName(tr("ui.compose.recipients"))
        self.recipients_edit.setFixedHeight(70)
        self.recipients_edit.textChanged.connect(self._recipients_edited)
        self.recipients_row_label = QLabel(tr("ui.compose.recipients"))
        form.addRow(self.recipients_row_label, self.recipients_edit)
        self.subject_edit = QLineEdit()
        self.subject_edit.setAccessibleName(tr("ui.compose.subject"))
        self.subject_edit.setMaxLength(200)
        self.subject_edit.textChanged.connect(self._subject_edited)
        form.addRow(tr("ui.compose.subject"), self.subject_edit)
        layout.addLayout(form)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText(tr("ui.compose.body_placeholder"))
        self.body_edit.setAccessibleName(tr("ui.compose.body"))
        self.body_edit.textChanged.connect(self._body_edited)
        layout.addWidget(self.body_edit, 1)
        self.load_draft(draft)

    def load_draft(self, draft: Draft) -> None:
        self._draft = draft
        if self.subject_edit.text() != draft.subject:
            self.subject_edit.setText(draft.subject)
        typed = [f"{r[:8]}-{r[8:]}" for r in draft.new_case_recipients]
        typed += draft.rejected_recipients
        if parse_recipient_list(self.recipients_edit.toPlainText()) != parse_recipient_list(
            "\n".join(typed)
        ):
            self.recipients_edit.setPlainText("\n".join(typed))
        if self.body_edit.toPlainText() != draft.body:
            self.body_edit.setPlainText(draft.body)
        self.kind_buttons[draft.kind].setChecked(True)
        self._refresh_addressing()

    def _kind_toggled(self, kind: MessageKind, on: bool) -> None:
        if on:
            self._set_kind(kind)

    def _set_kind(self, kind: MessageKind) -> None:
        if self._draft.kind is kind:
            self._refresh_addressing()
            return
        self._draft.kind = kind
        self._refresh_addressing()
        self.addressing_changed.emit()
        self.changed.emit()

    def _refresh_addressing(self) -> None:
        draft = self._draft
        new_case = not draft.kind.answers_a_case
        self.recipients_edit.setVisible(new_case)
        self.recipients_row_label.setVisible(new_case)
        # A draft belongs to its case or to its own new-case recipients: the kinds offered
        # are those that keep it there (a reply draft never turns into a new case).
        for kind, button in self.kind_buttons.items():
            button.setVisible(kind.answers_a_case == draft.kind.answers_a_case)
            button.setEnabled(not kind.answers_a_case or draft.case is not None)
        self.kind_help.setText(
            tr(f"ui.kind_help.{draft.kind.value}") if draft.case is not None or new_case else ""
        )
        self.kind_help.setVisible(bool(self.kind_help.text()))
        if new_case:
            self.heading.setText(tr("ui.compose.heading_new_case"))
            entries = parse_recipient_list(self.recipients_edit.toPlainText())
            invalid = [e.text for e in entries if e.canonical is None]
            text = tr(
                "ui.compose.recipient_count",
                count=len(draft.new_case_recipients),
                limit=MAX_BULK_RECIPIENTS,
            )
            if invalid:
                text += " " + tr("ui.compose.recipients_invalid", entries=", ".join(invalid[:3]))
            self.recipient_label.setText(text)
        elif draft.case is not None:
            case = draft.case
            self.heading.setText(
                tr("ui.compose.heading_case", subject=case.subject, case_id=case.case_id)
            )
            self.recipient_label.setText(f"{case.resident.name}, {mask(case.resident.id)}")
        else:
            self.heading.setText(tr("ui.compose.heading_pick_case"))
            self.recipient_label.setText(tr("ui.compose.no_case"))

    def _recipients_edited(self) -> None:
        entries = parse_recipient_list(self.recipients_edit.toPlainText())
        seen: list[str] = []
        for entry in entries:
            if entry.canonical:
                seen.append(entry.canonical)
        self._draft.new_case_recipients = seen
        self._draft.rejected_recipients = [e.text for e in entries if e.canonical is None]
        self._refresh_addressing()
        self.addressing_changed.emit()
        self.changed.emit()

    def _subject_edited(self, text: str) -> None:
        self._draft.subject = text
        self.changed.emit()

    def _body_edited(self) -> None:
        self._draft.body = self.body_edit.toPlainText()
        self.changed.emit()
