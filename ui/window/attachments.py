"""The draft's attachments: the list, and what the clinician must answer for each.

For each file: what the inspection found (as advice, with the page), the text
alternative an image needs, and whether the file holds personal data. A detected
file can only be unmarked with a written reason, which is recorded.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.drafts.message_draft import Attachment, Draft
from app.inspection.report import Severity
from app.protocol.model import MAX_ATTACHMENTS_PER_MESSAGE
from app.send import send_gate
from ui.common.i18n import tr

# Marks every font Bifoga ships with has (⛔ is missing from DejaVu Sans and showed as a box).
_SEVERITY_MARK = {Severity.BLOCK: "✖", Severity.WARN: "⚠", Severity.INFO: "ℹ"}


def attachment_summary(attachment: Attachment, draft: Draft) -> str:
    parts = [attachment.filename]
    if attachment.page_count is not None:
        parts.append(tr("ui.window.attachments.pages", count=attachment.page_count))
        unseen = len(attachment.unseen_pages)
        if unseen:
            parts.append(tr("ui.window.attachments.unseen", count=unseen))
        else:
            parts.append(tr("ui.window.attachments.all_seen"))
    if attachment.report is None:
        # A picture's words are read (OCR) meanwhile: its preview is on screen already,
        # only Send waits.
        reading = "ui.window.attachments.reading_image" if attachment.is_image else None
        parts.append(tr(reading or "ui.window.attachments.inspecting"))
    elif attachment.blocking_findings(draft.recipients, draft.kind):
        parts.append(tr("ui.window.attachments.blocked"))
    if attachment.personal_data and attachment.report is not None:
        parts.append(tr("ui.window.attachments.personal_data"))
    return " · ".join(parts)


#: Rows the file list grows to before it scrolls (a message has at most ten files).
_LIST_MAX_ROWS = 6


class AttachmentList(QListWidget):
    """The list of attached files; also takes files dropped on it."""

    files_dropped = Signal(list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setAccessibleName(tr("ui.window.attachments.list"))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


class AttachmentsPanel(QWidget):
    attach_requested = Signal()
    files_dropped = Signal(list)
    selected = Signal(str)  # attachment id
    remove_requested = Signal(str)
    changed = Signal()

    def __init__(self, draft: Draft, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._draft = draft
        self._current: Attachment | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.count_label = QLabel()
        header.addWidget(self.count_label, 1)
        self.attach_button = QPushButton(tr("ui.window.attachments.attach"))
        self.attach_button.setToolTip(tr("ui.window.attachments.attach_tip"))
        self.attach_button.clicked.connect(self.attach_requested)
        header.addWidget(self.attach_button)
        layout.addLayout(header)

        self.list = AttachmentList()
        self.list.files_dropped.connect(self.files_dropped)
        self.list.currentItemChanged.connect(self._current_changed)
        layout.addWidget(self.list)

        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        self.findings_label = QLabel()
        self.findings_label.setWordWrap(True)
        self.findings_label.setTextFormat(Qt.TextFormat.PlainText)
        self.findings_label.setAccessibleName(tr("ui.window.attachments.findings"))
        self.findings_label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # A file can have many findings: on a small screen they scroll rather than being
        # cut off, since each says what to do.
        findings_area = QScrollArea()
        findings_area.setFrameShape(QFrame.Shape.NoFrame)
        findings_area.setWidgetResizable(True)
        findings_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        findings_area.setWidget(self.findings_label)
        findings_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        findings_area.setMinimumHeight(5 * self.fontMetrics().lineSpacing() + 4)
        self.findings_area = findings_area
        details.addWidget(findings_area, 1)

        self.alt_text_row = QWidget()
        alt_row = QHBoxLayout(self.alt_text_row)
        alt_row.setContentsMargins(0, 0, 0, 0)
        alt_row.addWidget(QLabel(tr("ui.window.attachments.alt_text")))
        self.alt_text_edit = QLineEdit()
        self.alt_text_edit.setPlaceholderText(tr("ui.window.attachments.alt_text_placeholder"))
        self.alt_text_edit.setAccessibleName(tr("ui.window.attachments.alt_text"))
        self.alt_text_edit.textEdited.connect(self._alt_text_edited)
        alt_row.addWidget(self.alt_text_edit, 1)
        details.addWidget(self.alt_text_row)

        self.personal_data_label = QLabel()
        self.personal_data_label.setWordWrap(True)
        details.addWidget(self.personal_data_label)
        self.question_row = QWidget()
        question = QHBoxLayout(self.question_row)
        question.setContentsMargins(0, 0, 0, 0)
        question.addWidget(QLabel(tr("ui.window.attachments.pd_question")))
        self.pd_yes = QRadioButton(tr("ui.yes"))
        self.pd_no = QRadioButton(tr("ui.no"))
        self._pd_group = QButtonGroup(self)
        self._pd_group.addButton(self.pd_yes)
        self._pd_group.addButton(self.pd_no)
        self.pd_yes.toggled.connect(lambda on: self._declare(True) if on else None)
        self.pd_no.toggled.connect(lambda on: self._declare(False) if on else None)
        question.addWidget(self.pd_yes)
        question.addWidget(self.pd_no)
        question.addStretch(1)
        details.addWidget(self.question_row)

        self.mark_checkbox = QCheckBox(tr("ui.window.attachments.mark_personal_data"))
        self.mark_checkbox.toggled.connect(self._mark_toggled)
        details.addWidget(self.mark_checkbox)
        self.unmark_checkbox = QCheckBox(tr("ui.window.attachments.unmark"))
        self.unmark_checkbox.toggled.connect(self._unmark_toggled)
        details.addWidget(self.unmark_checkbox)
        self.unmark_reason = QLineEdit()
        self.unmark_reason.setPlaceholderText(tr("ui.window.attachments.unmark_reason"))
        self.unmark_reason.setAccessibleName(tr("ui.window.attachments.unmark_reason"))
        self.unmark_reason.textEdited.connect(self._unmark_reason_edited)
        details.addWidget(self.unmark_reason)

        actions = QHBoxLayout()
        actions.addStretch(1)
        self.remove_button = QPushButton(tr("ui.window.attachments.remove"))
        self.remove_button.clicked.connect(self._remove_clicked)
        # The key a clinician reaches for on a selected file, as in a file manager.
        remove_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        remove_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        remove_key.activated.connect(self._remove_clicked)
        actions.addWidget(self.remove_button)
        details.addLayout(actions)
        layout.addWidget(self.details)
        self.refresh()

    # -- state in, state out --------------------------------------------------------

    def load_draft(self, draft: Draft) -> None:
        self._draft = draft
        self._current = None
        self.refresh()

    def current(self) -> Attachment | None:
        return self._current

    def select(self, attachment_id: str) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == attachment_id:
                self.list.setCurrentRow(row)
                return

    def refresh(self) -> None:
        draft = self._draft
        self.count_label.setText(
            tr(
                "ui.window.attachments.count",
                count=len(draft.attachments),
                limit=MAX_ATTACHMENTS_PER_MESSAGE,
            )
        )
        current_id = self._current.id if self._current else None
        self.list.blockSignals(True)
        self.list.clear()
        for attachment in draft.attachments:
            item = QListWidgetItem(attachment_summary(attachment, draft))
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            self.list.addItem(item)
            if attachment.id == current_id:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        if self._current not in draft.attachments:
            self._current = None
        self._fit_list_height()
        self._show_details()

    def show_sign_off(self) -> None:
        """Say beside the chosen file whether the colleague's sign-off holds, which any
        change to the message may end."""
        if self._current is not None:
            self.personal_data_label.setText(self._personal_data_text(self._current))

    def _fit_list_height(self) -> None:
        # As tall as its files and one free row (a place to drop more), at least three
        # rows, so that on a small screen the room below is left to what a file needs.
        row = self.list.sizeHintForRow(0)
        if row <= 0:
            row = self.list.fontMetrics().height() + 4
        rows = max(3, min(self.list.count() + 1, _LIST_MAX_ROWS))
        self.list.setMaximumHeight(rows * row + 2 * self.list.frameWidth() + 2)

    def _current_changed(self, item: QListWidgetItem | None, _previous: object) -> None:
        attachment_id = item.data(Qt.ItemDataRole.UserRole) if item else None
        self._current = self._draft.attachment(attachment_id) if attachment_id else None
        self._show_details()
        if self._current is not None:
            self.selected.emit(self._current.id)

    def _show_details(self) -> None:
        attachment = self._current
        self.details.setVisible(attachment is not None)
        if attachment is None:
            return
        lines = []
        report = attachment.report
        if report is None:
            reading = attachment.is_image
            lines.append(
                tr(
                    "ui.window.attachments.reading_image_long"
                    if reading
                    else "ui.window.attachments.inspecting_long"
                )
            )
        else:
            findings = attachment.findings(self._draft.recipients, self._draft.kind)
            for finding in findings:
                text = tr(finding.code, **finding.param_dict)
                page = (
                    tr("ui.window.attachments.on_page", page=finding.page) if finding.page else ""
                )
                lines.append(f"{_SEVERITY_MARK[finding.severity]} {text}{page}")
            if not findings:
                lines.append(tr("ui.window.attachments.no_findings"))
        self.findings_label.setText("\n".join(lines))

        self.alt_text_row.setVisible(attachment.is_image)
        if self.alt_text_edit.text() != attachment.alt_text:
            self.alt_text_edit.setText(attachment.alt_text)

        detected = attachment.detected_personal_data
        self.personal_data_label.setText(self._personal_data_text(attachment))
        asks = attachment.asks_about_personal_data(self._draft.recipients, self._draft.kind)
        self.personal_data_label.setVisible(asks)
        self.question_row.setVisible(asks and detected is None)
        self._set_checked_quietly(self.pd_yes, attachment.declared_personal_data is True)
        self._set_checked_quietly(self.pd_no, attachment.declared_personal_data is False)
        self.mark_checkbox.setVisible(asks and detected is False)
        self._set_checked_quietly(self.mark_checkbox, attachment.declared_personal_data is True)
        self.unmark_checkbox.setVisible(asks and detected is True)
        unmarking = detected is True and attachment.declared_personal_data is False
        self._set_checked_quietly(self.unmark_checkbox, unmarking)
        self.unmark_reason.setVisible(asks and unmarking)
        if self.unmark_reason.text() != attachment.unmark_reason:
            self.unmark_reason.setText(attachment.unmark_reason)

    def _personal_data_text(self, attachment: Attachment) -> str:
        report = attachment.report
        detected = attachment.detected_personal_data
        if detected is True:
            shown = ", ".join(sorted({h.masked for h in report.hits} if report else ())[:4])
            signed = send_gate.valid_sign_off(self._draft)
            if signed is not None:  # said where the clinician reads it, not only below
                return tr(
                    "ui.window.attachments.pd_found_signed",
                    hits=shown,
                    reviewer=signed.reviewer_name,
                )
            return tr("ui.window.attachments.pd_found", hits=shown)
        if detected is False:
            return tr("ui.window.attachments.pd_none")
        return tr("ui.window.attachments.pd_unknown") if report is not None else ""

    @staticmethod
    def _set_checked_quietly(button: QRadioButton | QCheckBox, checked: bool) -> None:
        if button.isChecked() != checked:
            button.blockSignals(True)
            if isinstance(button, QRadioButton) and not checked:
                group = button.group()
                group.setExclusive(False)
                button.setChecked(False)
                group.setExclusive(True)
            else:
                button.setChecked(checked)
            button.blockSignals(False)

    # -- edits ------------------------------------------------------------------------

    def _alt_text_edited(self, text: str) -> None:
        if self._current is not None:
            self._current.alt_text = text
            self._changed()

    def _declare(self, has_personal_data: bool) -> None:
        if self._current is not None:
            self._current.declared_personal_data = has_personal_data
            self._changed()

    def _mark_toggled(self, on: bool) -> None:
        if self._current is not None:
            self._current.declared_personal_data = True if on else None
            self._changed()

    def _unmark_toggled(self, on: bool) -> None:
        if self._current is not None:
            self._current.declared_personal_data = False if on else None
            if not on:
                self._current.unmark_reason = ""
            self._changed()

    def _unmark_reason_edited(self, text: str) -> None:
        if self._current is not None:
            self._current.unmark_reason = text
            self._changed()

    def _remove_clicked(self) -> None:
        if self._current is not None:
            self.remove_requested.emit(self._current.id)

    def _changed(self) -> None:
        self._show_details()
        self._refresh_current_item()
        self.changed.emit()

    def _refresh_current_item(self) -> None:
        item = self.list.currentItem()
        if item is not None and self._current is not None:
            item.setText(attachment_summary(self._current, self._draft))
