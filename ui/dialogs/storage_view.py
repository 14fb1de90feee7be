""" "Lagring": what Bifoga keeps on this computer, how old it is and why, with delete.

The instruction allows personal data only temporarily, in a secure storage area, and the
Servicedesk helps set that area up; both are said here. The list is
:func:`app.after_send.storage_report.kept_items`; deleting a draft goes through the window (its
working copies with it), a leftover is deleted at once, and a send's copies go when the
gateway has confirmed it.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.after_send.storage_report import KeptItem, KeptKind
from app.config.settings import Contact
from ui.common.i18n import size_text, tr


class StorageView(QDialog):
    def __init__(
        self,
        list_items: Callable[[], list[KeptItem]],
        discard_draft: Callable[[str], None],
        *,
        folder: str,
        retention_hours: float,
        contacts: Sequence[Contact],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("storage")
        self.setWindowTitle(tr("ui.storage.title"))
        self._list_items = list_items
        self._discard_draft = discard_draft
        self.items: list[KeptItem] = []
        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.storage.intro", folder=folder, hours=int(retention_hours)))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.list = QTreeWidget()
        self.list.setAccessibleName(tr("ui.storage.list"))
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(
            [
                tr("ui.storage.column.what"),
                tr("ui.storage.column.files"),
                tr("ui.storage.column.size"),
                tr("ui.storage.column.age"),
                tr("ui.storage.column.why"),
            ]
        )
        self.list.currentItemChanged.connect(lambda *_: self._chosen())
        layout.addWidget(self.list, 1)
        desks = [c for c in contacts if c.role.startswith("service_desk")]
        help_lines = [tr("ui.storage.servicedesk")]
        help_lines += [f"• {c.name}: {c.phone}" for c in desks if c.phone]
        self.help = QLabel("\n".join(help_lines))
        self.help.setWordWrap(True)
        self.help.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.help)
        buttons = QHBoxLayout()
        self.delete_button = QPushButton(tr("ui.storage.delete"))
        self.delete_button.clicked.connect(self._delete)
        close = QPushButton(tr("ui.close_button"))
        close.clicked.connect(self.close)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(min(900, parent.width()), min(520, parent.height()))
        self.reload()

    def reload(self) -> None:
        now = time.time()
        self.items = self._list_items()
        self.list.clear()
        for item in self.items:
            row = QTreeWidgetItem(
                [
                    _label(item),
                    str(item.files),
                    size_text(item.size),
                    tr("ui.storage.age", hours=f"{item.age_hours(now):.1f}".replace(".", ",")),
                    tr(f"ui.storage.why.{item.kind.value}"),
                ]
            )
            self.list.addTopLevelItem(row)
        for column in range(self.list.columnCount()):
            self.list.resizeColumnToContents(column)
        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self._chosen()

    def current(self) -> KeptItem | None:
        row = self.list.currentItem()
        if row is None:
            return None
        index = self.list.indexOfTopLevelItem(row)
        return self.items[index] if 0 <= index < len(self.items) else None

    def _chosen(self) -> None:
        item = self.current()
        self.delete_button.setEnabled(item is not None and item.deletable_here)

    def _delete(self) -> None:
        item = self.current()
        if item is None or not item.deletable_here:
            return
        answer = QMessageBox.question(
            self,
            "Bifoga",
            tr("ui.storage.delete_question", what=_label(item)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.delete(item)

    def delete(self, item: KeptItem) -> None:
        if item.kind is KeptKind.DRAFT and item.draft_id is not None:
            self._discard_draft(item.draft_id)
        elif item.kind is KeptKind.LEFTOVER:
            for folder in item.folders:
                shutil.rmtree(folder, ignore_errors=True)
        self.reload()


def _label(item: KeptItem) -> str:
    """What the clinician knows the thing kept by: a subject or file names, or for a
    working copy nothing refers to any more, what it is."""
    return item.label or tr("ui.storage.unnamed_copy")
