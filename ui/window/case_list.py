"""The left column: the open cases, the unsent new-case drafts, the new cases on their way,
and which of them hold a draft.

What is listed and marked is the desk's (:meth:`app.drafts.desk.Desk.listing`): every draft
with content has a row, a case's second draft ("Utkast 2") right under the case. A click,
or a key while the list has focus, chooses a row. Choosing shows that row's own draft (or
the new case on its way): nothing written for one resident follows the selection to
another (:mod:`app.drafts.draft_book`).
"""

from __future__ import annotations

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

from app.drafts.desk import Listed, RowKind
from app.protocol.model import Case
from ui.common.i18n import tr, tr_plain

_CHOOSING_KEYS = frozenset(
    {Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter}
)


class CaseList(QWidget):
    case_chosen = Signal(str)  # case_id
    #: A new-case draft, or a case's further draft ("Utkast 2").
    draft_chosen = Signal(str)  # draft_id
    #: A new case on its way in the outbox.
    waiting_send_chosen = Signal(str)  # job_id
    new_case_requested = Signal()
    reload_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.cases: list[Case] = []
        self._rows: list[Listed] = []
        self._shape: list[tuple[str, str]] = []
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
        rows: list[Listed],
        shown: str | None,
        answered: frozenset[str] = frozenset(),
    ) -> None:
        """Fill the list with the desk's ``rows`` for the open ``cases`` (a case in
        ``answered`` says the resident answered); the row ``shown`` (its key) is selected,
        without choosing it again."""
        self.cases = list(cases)
        self.heading.setText(tr("ui.cases.heading", count=len(cases)))
        texts = [_text(row, row.case is not None and row.case.case_id in answered) for row in rows]
        shape = [(row.key, text) for row, (text, _spoken) in zip(rows, texts, strict=True)]
        self._rows = list(rows)
        if shape == self._shape:  # nothing to redraw (it is called after every autosave)
            self.mark_shown(shown)
            return
        self._shape = shape
        self.list.blockSignals(True)
        self.list.clear()
        for row, (text, spoken) in zip(rows, texts, strict=True):
            item = QListWidgetItem(text)
            item.setToolTip(text)
            if spoken != text:  # the row's marks said in words, not as symbols
                item.setData(Qt.ItemDataRole.AccessibleTextRole, spoken)
            if row.has_draft or row.waiting is not None:
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            self.list.addItem(item)
        self.mark_shown(shown)
        self.list.blockSignals(False)

    def mark_shown(self, key: str | None) -> None:
        """Select the row on screen (its key; None: none), without emitting a choice."""
        blocked = self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        for index, row in enumerate(self._rows):
            if row.key == key:
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
        return self.key_index(f"case:{case_id}")

    def key_index(self, key: str) -> int:
        return next((i for i, row in enumerate(self._rows) if row.key == key), -1)

    def _selection_changed(self) -> None:
        chosen = self.list.selectedIndexes()
        if not chosen or chosen[0].row() >= len(self._rows):
            return
        row = self._rows[chosen[0].row()]
        if row.kind in (RowKind.CASE, RowKind.CLOSED_CASE_DRAFT) and row.case is not None:
            self.case_chosen.emit(row.case.case_id)
        elif row.waiting is not None:
            self.waiting_send_chosen.emit(row.waiting.job.job_id)
        elif row.draft is not None:
            self.draft_chosen.emit(row.draft.draft_id)


def _text(row: Listed, answered: bool) -> tuple[str, str]:
    """What a row says, and (for a row whose marks are symbols) what it says aloud."""
    marks: list[str] = []
    if answered:
        marks.append(tr("ui.cases.resident_answered"))
    if row.mark is not None:
        marks.append(tr(f"ui.waiting.{row.mark.value}"))
    if row.kind is RowKind.EXTRA_DRAFT and row.draft is not None and row.case is not None:
        said = tr(
            "ui.cases.extra_draft",
            number=row.number,
            subject=row.draft.subject.strip() or row.case.subject,
            name=row.case.resident.name,
        )
        return "    ↳ ✎ " + said, said
    if row.waiting is not None:
        waiting = row.waiting
        kind = tr_plain(f"ui.kind.{waiting.kind.value}")
        if row.kind is RowKind.NEW_CASE_SEND:
            count = waiting.recipient_count
            subject = waiting.subject.strip() or kind
            said = tr("ui.cases.new_case_send", subject=subject, count=count)
        else:
            said = tr("ui.cases.closed_case_send", kind=kind, subject=waiting.subject.strip())
        said = " · ".join([said, *marks])
        return "● " + said, said
    if row.kind is RowKind.NEW_CASE_DRAFT and row.draft is not None:
        draft = row.draft
        label = draft.subject.strip() or tr("ui.kind.new_case")
        count = len(draft.new_case_recipients)
        text = "✎ " + tr("ui.cases.new_case_draft", subject=label, count=count)
        return text, text
    case = row.case
    assert case is not None
    if row.kind is RowKind.CLOSED_CASE_DRAFT:
        name = case.resident.name
        text = "✎ " + tr("ui.cases.closed_case_draft", subject=case.subject, name=name)
    else:
        text = f"{case.subject} – {case.resident.name}"
        if case.status == "awaiting_resident":
            text += " · " + tr("ui.cases.awaiting_resident")
        if row.has_draft:
            text = "✎ " + text + " · " + tr("ui.cases.has_draft")
    if marks:
        text = "● " + text + " · " + " · ".join(marks)
    return text, text
