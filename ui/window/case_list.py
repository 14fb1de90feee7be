"""The left column: the open cases, the unsent new-case drafts, and which of them hold a draft.

A click, or a key while the list has focus, chooses a row. Choosing shows that row's own
draft: nothing written for one resident follows the selection to another
(:mod:`app.drafts.draft_book`).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.drafts.draft_book import DraftBook
from app.drafts.draft_store import has_content
from app.drafts.message_draft import Draft
from app.protocol.model import Case
from ui.common.i18n import tr

_CHOOSING_KEYS = frozenset(
    {Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter}
)


@dataclass(frozen=True, slots=True)
class Row:
    """What a row of the list stands for: an open case, or a new-case draft."""

    case_id: str | None = None
    draft_id: str | None = None


class CaseList(QWidget):
    case_chosen = Signal(str)  # case_id
    new_case_draft_chosen = Signal(str)  # draft_id
    new_case_requested = Signal()
    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cases: list[Case] = []
        self._rows: list[Row] = []
        self._shape: list[tuple[Row, str]] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(tr("ui.cases.heading", count=0))
        layout.addWidget(self.heading)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("ui.cases.list"))
        self.list.setAccessibleDescription(tr("ui.cases.list_description"))
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        # Selection, not the current item: Qt makes the first row current when the list
        # merely gets focus, and that must never choose a case on its own.
        self.list.itemSelectionChanged.connect(self._selection_changed)
        self.list.installEventFilter(self)
        self.heading.setBuddy(self.list)
        layout.addWidget(self.list, 1)
        self.new_case_button = QPushButton(tr("ui.cases.new"))
        self.new_case_button.clicked.connect(self.new_case_requested)
        layout.addWidget(self.new_case_button)
        self.reload_button = QPushButton(tr("ui.cases.reload"))
        self.reload_button.clicked.connect(self.reload_requested)
        layout.addWidget(self.reload_button)

    def show_cases(
        self,
        cases: list[Case],
        book: DraftBook,
        shown: Draft,
        sending: dict[str, str] | None = None,
    ) -> None:
        """Fill the list: each open case (marked when it holds a draft, and with
        ``sending``'s marks: a send on its way, the resident's answer), then each new-case
        draft with content, then drafts for cases that are no longer open; the row of the
        draft on screen is selected, without choosing it again."""
        self.cases = list(cases)
        self.heading.setText(tr("ui.cases.heading", count=len(cases)))
        rows: list[tuple[Row, str, bool]] = []
        open_ids = {c.case_id for c in cases}
        for case in cases:
            has_draft = book.holds_work(case.case_id)
            text = f"{case.subject} – {case.resident.name}"
            if case.status == "awaiting_resident":
                text += " · " + tr("ui.cases.awaiting_resident")
            if has_draft:
                text = "✎ " + text + " · " + tr("ui.cases.has_draft")
            if sending and case.case_id in sending:
                text = "● " + text + " · " + sending[case.case_id]
            rows.append((Row(case_id=case.case_id), text, has_draft))
        for draft in book.with_content():
            if not draft.kind.answers_a_case:
                count = len(draft.new_case_recipients)
                label = draft.subject.strip() or tr("ui.kind.new_case")
                text = "✎ " + tr("ui.cases.new_case_draft", subject=label, count=count)
                rows.append((Row(draft_id=draft.draft_id), text, True))
            elif draft.case is not None and draft.case.case_id not in open_ids:
                text = "✎ " + tr(
                    "ui.cases.closed_case_draft",
                    subject=draft.case.subject,
                    name=draft.case.resident.name,
                )
                rows.append((Row(case_id=draft.case.case_id), text, True))
        shape = [(row, text) for row, text, _draft in rows]
        if shape == self._shape:  # nothing to redraw (it is called after every autosave)
            self.mark_shown(shown)
            return
        self._shape = shape
        self._rows = [row for row, _text, _draft in rows]
        self.list.blockSignals(True)
        self.list.clear()
        for _row, text, has_draft in rows:
            item = QListWidgetItem(text)
            item.setToolTip(text)
            if has_draft:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        self.mark_shown(shown)
        self.list.blockSignals(False)

    def mark_shown(self, draft: Draft) -> None:
        """Select the row of the draft on screen (or none), without emitting a choice."""
        wanted = _row_of(draft)
        blocked = self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        for index, row in enumerate(self._rows):
            if row == wanted:
                self.list.setCurrentRow(index)
                break
        self.list.blockSignals(blocked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """With nothing chosen yet, the first arrow key (or Space, Enter) chooses the row
        that shows the focus, instead of jumping past it to the next one."""
        if (
            watched is self.list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _CHOOSING_KEYS
            and event.modifiers() == Qt.KeyboardModifier.NoModifier
            and not self.list.selectedIndexes()
            and self.list.count()
        ):
            row = max(0, self.list.currentRow())
            self.list.setCurrentRow(row)
            self.list.item(row).setSelected(True)
            return True
        return super().eventFilter(watched, event)

    def case(self, case_id: str) -> Case | None:
        return next((c for c in self.cases if c.case_id == case_id), None)

    def row_index(self, case_id: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row.case_id == case_id), -1)

    def _selection_changed(self) -> None:
        chosen = self.list.selectedIndexes()
        if not chosen or chosen[0].row() >= len(self._rows):
            return
        row = self._rows[chosen[0].row()]
        if row.case_id is not None:
            self.case_chosen.emit(row.case_id)
        elif row.draft_id is not None:
            self.new_case_draft_chosen.emit(row.draft_id)


def _row_of(draft: Draft) -> Row | None:
    if draft.kind.answers_a_case:
        return Row(case_id=draft.case.case_id) if draft.case is not None else None
    return Row(draft_id=draft.draft_id) if has_content(draft) else None
