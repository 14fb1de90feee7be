"""The message being written: kind, case or recipients, subject and text."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent, QTextOption
from PySide6.QtWidgets import (
    QApplication,
    QButtonGroup,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.drafts.message_draft import Draft
from app.drafts.recipients import RECIPIENT_NON_ASCII_DIGITS, parse_recipient_list, read_recipients
from app.protocol.identifiers import distinct_masks, mask
from app.protocol.model import MAX_BULK_RECIPIENTS, MessageKind
from ui.common.i18n import shortened, tr

#: The message text's least height, in lines (it grows with the room the window gives).
BODY_LEAST_LINES = 4


class ComposeArea(QScrollArea):
    """The message form, as tall as the room the window gives it, or as its own minimum
    when that is more (then it scrolls): a new case's recipients and names never grow the
    window off the screen. (``widgetResizable`` would give the form its preferred height,
    word-wrapped labels asking for height by width, and scroll the text field away.)"""

    def __init__(self, form: ComposeView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = form
        self.setWidget(form)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # its fields take the focus
        form.installEventFilter(self)  # fields shown or hidden: fit again
        # A field that takes the focus is scrolled into view whole, not by its first line:
        # the message text is written where all of its lines can be seen.
        for field in form.findChildren(QWidget):
            if field.focusPolicy() != Qt.FocusPolicy.NoFocus:
                field.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._form and event.type() == QEvent.Type.LayoutRequest:
            self._fit()
        elif event.type() == QEvent.Type.FocusIn and isinstance(watched, QWidget):
            self._show_whole(watched)
        return super().eventFilter(watched, event)

    def focusNextPrevChild(self, next: bool) -> bool:
        # Qt scrolls only a text field's cursor line into view (ensureWidgetVisible
        # follows the input cursor), which for the message text at the form's foot
        # leaves one line in view.
        moved = super().focusNextPrevChild(next)
        focused = QApplication.focusWidget()
        if moved and focused is not None and self._form.isAncestorOf(focused):
            self._show_whole(focused)
        return moved

    def _show_whole(self, field: QWidget) -> None:
        """Scroll so that all of ``field`` is in view (its top first if it is taller)."""
        half_width, half_height = field.width() // 2, field.height() // 2
        centre = field.mapTo(self._form, QPoint(half_width, half_height))
        self.ensureVisible(centre.x(), centre.y(), half_width, half_height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def minimumSizeHint(self) -> QSize:
        """Only the height gives way: the form keeps its least width (no sideways scroll)."""
        width = self._form.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width()
        return QSize(width, super().minimumSizeHint().height())

    def _fit(self) -> None:
        form = self._form
        room = self.viewport().size()
        least = form.minimumSizeHint().height()
        if least > room.height():  # a scroll bar comes, and takes its width
            room.setWidth(max(0, self.width() - self.verticalScrollBar().sizeHint().width()))
        form.resize(room.width(), max(room.height(), least))


class ComposeView(QWidget):
    """Edits the draft's words and addressing; says ``changed`` after every edit."""

    changed = Signal()
    #: The kind or the recipients changed (the files' identity match depends on them).
    addressing_changed = Signal()

    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._draft = draft
        #: Residents' names as the gateway gave them (open cases, the sandbox directory).
        self._known_names: dict[str, str] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        _never_widens(self.heading)
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
        _never_widens(self.recipient_label)
        self.recipient_label.setAccessibleName(tr("ui.window.compose.to"))
        form.addRow(tr("ui.window.compose.to"), self.recipient_label)
        self.recipients_edit = QPlainTextEdit()
        self.recipients_edit.setPlaceholderText(tr("ui.window.compose.recipients_placeholder"))
        self.recipients_edit.setAccessibleName(tr("ui.window.compose.recipients"))
        self.recipients_edit.setAccessibleDescription(
            tr("ui.window.compose.recipients_description")
        )
        self.recipients_edit.setFixedHeight(64)
        self.recipients_edit.setTabChangesFocus(True)
        # A long unbroken paste wraps inside the field; it never widens the window.
        self.recipients_edit.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        _never_widens(self.recipients_edit)
        self.recipients_edit.textChanged.connect(self._recipients_edited)
        self.recipients_row_label = QLabel(tr("ui.window.compose.recipients_mnemonic"))
        self.recipients_row_label.setBuddy(self.recipients_edit)
        form.addRow(self.recipients_row_label, self.recipients_edit)
        # Who the message goes to, by name where the gateway knows it, each resident once.
        self.recipient_names = QListWidget()
        self.recipient_names.setAccessibleName(tr("ui.window.compose.recipient_names"))
        self.recipient_names.setMaximumHeight(72)
        _never_widens(self.recipient_names)
        self.recipient_names_label = QLabel(tr("ui.window.compose.recipient_names"))
        form.addRow(self.recipient_names_label, self.recipient_names)
        self.subject_edit = QLineEdit()
        self.subject_edit.setAccessibleName(tr("ui.window.compose.subject"))
        self.subject_edit.setMaxLength(200)
        self.subject_edit.textChanged.connect(self._subject_edited)
        subject_label = QLabel(tr("ui.window.compose.subject_mnemonic"))
        subject_label.setBuddy(self.subject_edit)
        form.addRow(subject_label, self.subject_edit)
        layout.addLayout(form)
        body_label = QLabel(tr("ui.window.compose.body_mnemonic"))
        layout.addWidget(body_label)
        self.body_edit = QPlainTextEdit()
        self.body_edit.setPlaceholderText(tr("ui.window.compose.body_placeholder"))
        self.body_edit.setAccessibleName(tr("ui.window.compose.body"))
        self.body_edit.setAccessibleDescription(tr("ui.window.compose.body_description"))
        # Tab moves on to the next control (a tab character in a message to a resident is
        # never meant, and keyboard users must be able to leave the field).
        self.body_edit.setTabChangesFocus(True)
        # Room for a few lines of a message even where the form must scroll (a new case
        # at 1280x720): the field scrolls into view whole when it takes the focus.
        lines = self.body_edit.fontMetrics().lineSpacing() * BODY_LEAST_LINES
        self.body_edit.setMinimumHeight(max(60, lines + 12))
        self.body_edit.textChanged.connect(self._body_edited)
        body_label.setBuddy(self.body_edit)
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
        self.recipient_names.setVisible(new_case)
        self.recipient_names_label.setVisible(new_case)
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
            self.heading.setText(tr("ui.window.compose.heading_new_case"))
            read = read_recipients(self.recipients_edit.toPlainText())
            text = tr(
                "ui.window.compose.recipient_count",
                count=len(draft.new_case_recipients),
                limit=MAX_BULK_RECIPIENTS,
            )
            if read.duplicates:
                text += " " + tr("ui.window.compose.recipients_duplicates", count=read.duplicates)
            if read.rejected:
                shown = ", ".join(shortened(entry, 32) for entry in read.rejected[:3])
                text += " " + tr("ui.window.compose.recipients_invalid", entries=shown)
                foreign = [r for r in read.refusals if r.code == RECIPIENT_NON_ASCII_DIGITS]
                if foreign:  # say why, with the line: the number looks right on screen
                    entry = shortened(foreign[0].text, 32)
                    text += " " + tr(foreign[0].code, line=foreign[0].line, entry=entry)
            self.recipient_label.setText(text)
            self._show_recipient_names()
        elif draft.case is not None:
            case = draft.case
            self.heading.setText(
                tr("ui.window.compose.heading_case", subject=case.subject, case_id=case.case_id)
            )
            self.recipient_label.setText(f"{case.resident.name}, {mask(case.resident.id)}")
        else:
            self.heading.setText(tr("ui.window.compose.heading_pick_case"))
            self.recipient_label.setText(tr("ui.window.compose.no_case"))

    def set_known_names(self, names: dict[str, str]) -> None:
        """Residents' names the gateway gave (by canonical identifier), to show who a new
        case goes to; numbers without a known name are shown masked only."""
        self._known_names = dict(names)
        if not self._draft.kind.answers_a_case:
            self._show_recipient_names()

    def _show_recipient_names(self) -> None:
        self.recipient_names.clear()
        # Two residents born the same day would both read "19680102-****": the name
        # tells them apart, and where it is not known, as few last digits as needed.
        recipients = self._draft.new_case_recipients
        masks = distinct_masks(recipients)
        for resident_id in recipients:
            name = self._known_names.get(resident_id)
            if name:
                self.recipient_names.addItem(f"{name}, {masks[resident_id]}")
            else:
                self.recipient_names.addItem(
                    tr("ui.window.compose.name_unknown", id=masks[resident_id])
                )

    def _recipients_edited(self) -> None:
        read = read_recipients(self.recipients_edit.toPlainText())
        self._draft.new_case_recipients = list(read.recipients)
        self._draft.rejected_recipients = list(read.rejected)
        self._refresh_addressing()
        self.addressing_changed.emit()
        self.changed.emit()

    def _subject_edited(self, text: str) -> None:
        self._draft.subject = text
        self.changed.emit()

    def _body_edited(self) -> None:
        self._draft.body = self.body_edit.toPlainText()
        self.changed.emit()


def _never_widens(widget: QWidget) -> None:
    """Long content wraps or scrolls inside ``widget``; it never asks for more width."""
    policy = widget.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    widget.setSizePolicy(policy)
    widget.setMinimumWidth(120)
