"""After a delivered send: offer to delete the files the clinician picked, once they confirm
each is in the patient record (docs/requirements.md R8; the rules: :mod:`app.after_send.originals`).

:class:`OriginalsOffer` (one per window) remembers each send's originals until its job
ends. Only a delivered job is offered: the instruction's order is sent, in the record,
then deleted, and a job still waiting to be sent needs nothing deleted yet. The originals
are checked off the GUI thread; one dialog per send, and none when no original qualifies
or the setting ``offer_to_delete_originals`` is off. It never opens over the lock: a send
delivered while the window is locked is offered after it is opened again. Dialogs of
several sends are shown one after the other.

:class:`OriginalsDialog` lists each file (name, folder, size, whether it is offered and
why not); its delete button waits for "Filen finns i journalen". The safe button (keep)
is the default, and Escape keeps everything.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.after_send.originals import (
    DeletionResult,
    OriginalCheck,
    OriginalCode,
    check_originals,
    delete_originals,
    sent_originals,
)
from app.drafts.message_draft import Attachment
from app.outbox import JobState
from ui.common.errors import gateway_error_text
from ui.common.i18n import size_text, tr
from ui.common.workers import run_in_background

log = logging.getLogger(__name__)

_STATUS_COLUMN = 3


class OriginalsDialog(QDialog):
    """One send's originals. Emits :attr:`delete_requested` with the checks the clinician
    chose; whoever deletes them answers with :meth:`show_results`."""

    delete_requested = Signal(list)

    def __init__(self, checks: Sequence[OriginalCheck], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("originals")
        self.setWindowTitle(tr("ui.originals.title"))
        self.checks = list(checks)
        self.busy = False
        many = sum(1 for c in self.checks if c.offered) > 1
        suffix = "_many" if many else ""
        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.originals.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.list = QTreeWidget()
        self.list.setAccessibleName(tr("ui.originals.list"))
        self.list.setRootIsDecorated(False)
        self.list.setWordWrap(True)
        self.list.setHeaderLabels(
            [
                tr("ui.originals.column.name"),
                tr("ui.originals.column.folder"),
                tr("ui.originals.column.size"),
                tr("ui.originals.column.status"),
            ]
        )
        self.rows: list[QTreeWidgetItem] = []
        for check in self.checks:
            original = check.original
            size = size_text(check.size) if check.size is not None else ""
            row = QTreeWidgetItem([original.name, original.folder, size, ""])
            _set_status(row, tr(check.code.value))
            if check.offered:  # ticked: the confirmation below is about the ticked ones
                row.setFlags(row.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                row.setCheckState(0, Qt.CheckState.Checked)
            else:
                row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
            self.list.addTopLevelItem(row)
            self.rows.append(row)
        for column in range(_STATUS_COLUMN):
            self.list.resizeColumnToContents(column)
        self.list.itemChanged.connect(lambda *_: self._update_buttons())
        layout.addWidget(self.list, 1)
        # Why a file is not offered (or not deleted), in full: a reason is a sentence
        # that the list's column cuts short.
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.reasons)
        self._show_reasons({c.original.path: c.code for c in self.checks})

        self.confirm = QCheckBox(tr(f"ui.originals.confirm{suffix}"))
        self.confirm.toggled.connect(lambda _on: self._update_buttons())
        layout.addWidget(self.confirm)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.originals.column.status"))
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.delete_button = QPushButton(tr(f"ui.originals.delete{suffix}"))
        self.delete_button.setAutoDefault(False)  # Enter never deletes
        self.delete_button.clicked.connect(self._delete)
        self.keep_button = QPushButton(tr(f"ui.originals.keep{suffix}"))
        self.keep_button.setDefault(True)
        self.keep_button.clicked.connect(self.reject)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        buttons.addWidget(self.keep_button)
        layout.addLayout(buttons)

        first = self.list.topLevelItem(0)
        if first is not None:
            self.list.setCurrentItem(first)
        self.setTabOrder(self.list, self.confirm)
        self.setTabOrder(self.confirm, self.delete_button)
        self.setTabOrder(self.delete_button, self.keep_button)
        self.resize(760, 360)
        self._update_buttons()
        self.confirm.setFocus()

    def chosen(self) -> list[OriginalCheck]:
        """The offered originals that are ticked."""
        return [
            check
            for check, row in zip(self.checks, self.rows, strict=True)
            if check.offered and row.checkState(0) == Qt.CheckState.Checked
        ]

    def _show_reasons(self, codes: dict[Path, OriginalCode]) -> None:
        kept = (
            (path, code)
            for path, code in codes.items()
            if code not in (OriginalCode.OFFERED, OriginalCode.DELETED)
        )
        lines = [f"{path.name}: {tr(code.value)}" for path, code in kept]
        self.reasons.setText("\n".join(lines))
        self.reasons.setVisible(bool(lines))

    def _update_buttons(self) -> None:
        chosen = self.chosen()
        self.delete_button.setEnabled(not self.busy and self.confirm.isChecked() and bool(chosen))
        if not chosen and not self.busy:
            self.status.setText(tr("ui.originals.none_chosen"))
        elif self.status.text() == tr("ui.originals.none_chosen"):
            self.status.clear()

    def _delete(self) -> None:
        chosen = self.chosen()
        if self.busy or not self.confirm.isChecked() or not chosen:
            return
        self.busy = True
        self.confirm.setEnabled(False)
        self.list.setEnabled(False)
        self._update_buttons()
        self.status.setText(tr("ui.originals.deleting"))
        self.delete_requested.emit(chosen)

    def show_results(self, results: Sequence[DeletionResult]) -> None:
        """Each file's outcome in its row; the dialog can then only be closed."""
        self.busy = False
        by_path = {r.original.path: r for r in results}
        for check, row in zip(self.checks, self.rows, strict=True):
            result = by_path.get(check.original.path)
            if result is not None:
                _set_status(row, tr(result.code.value))
            row.setFlags(row.flags() & ~Qt.ItemFlag.ItemIsUserCheckable)
        codes = {c.original.path: c.code for c in self.checks}
        codes.update({r.original.path: r.code for r in results})
        self._show_reasons(codes)
        deleted = sum(1 for r in results if r.deleted)
        self.status.setText(tr("ui.originals.done", deleted=deleted, count=len(results)))
        self._finished_deleting()

    def show_failure(self, error: BaseException) -> None:
        self.busy = False
        self.status.setText(tr("ui.originals.failed", reason=gateway_error_text(error)))
        self._finished_deleting()

    def _finished_deleting(self) -> None:
        self.list.setEnabled(True)
        self.delete_button.setEnabled(False)
        self.keep_button.setText(tr("ui.originals.close"))
        self.keep_button.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Escape means "keep": while files are being deleted it is too late for that, and
        # the outcome is shown first. (The lock still closes the dialog: the deletion
        # goes on and is recorded by the offer, which owns it.)
        if self.busy and event.key() == Qt.Key.Key_Escape:
            event.accept()
            return
        super().keyPressEvent(event)


def _set_status(row: QTreeWidgetItem, text: str) -> None:
    # A reason is a sentence: the whole of it on hover when the column cuts it short.
    row.setText(_STATUS_COLUMN, text)
    row.setToolTip(_STATUS_COLUMN, text)


class OriginalsOffer(QObject):
    """The window's side: which send had which originals, and the dialog after delivery."""

    #: A dialog was opened (for tests and the window's own bookkeeping).
    dialog_opened = Signal(object)
    #: A send's originals were checked and none qualified, or the offer is off.
    nothing_offered = Signal(str)

    def __init__(
        self,
        parent: QWidget,
        *,
        enabled: Callable[[], bool],
        staging_root: Path,
        record_deleted: Callable[[str], None],
        locked: Callable[[], bool],
    ) -> None:
        super().__init__(parent)
        self._window = parent
        self._enabled = enabled
        self._staging_root = staging_root
        self._record_deleted = record_deleted
        self._locked = locked
        self._by_job: dict[str, list[Attachment]] = {}
        self._waiting: deque[list[OriginalCheck]] = deque()
        self.dialog: OriginalsDialog | None = None

    def expect(self, job_id: str, attachments: Sequence[Attachment]) -> None:
        """A send was journalled with these attachments; their originals wait for its end."""
        self._by_job[job_id] = list(attachments)

    def job_ended(self, job_id: str, state: JobState) -> None:
        """Offer the originals once delivered; forget them when refused (the draft goes
        back to be sent again, and is expected again then); a job that needs action
        keeps them until it ends again."""
        if state is JobState.DELIVERED:
            originals = sent_originals(self._by_job.pop(job_id, []))
            if not originals or not self._enabled():
                self.nothing_offered.emit(job_id)
                return
            root = self._staging_root
            run_in_background(
                self,
                lambda: check_originals(originals, root),
                lambda checks: self._checked(job_id, checks),
                lambda error: log.warning("originals not checked: %s", type(error).__name__),
            )
        elif state is JobState.FAILED:
            self._by_job.pop(job_id, None)

    def _checked(self, job_id: str, checks: list[OriginalCheck]) -> None:
        if not any(check.offered for check in checks):
            self.nothing_offered.emit(job_id)
            return
        self._waiting.append(checks)
        self.show_next()

    @property
    def waiting(self) -> int:
        """Dialogs checked and waiting to be shown."""
        return len(self._waiting)

    def show_next(self) -> None:
        """Open the next waiting dialog, unless one is open or the window is locked (the
        window calls this again once it is opened)."""
        if self.dialog is not None or self._locked() or not self._waiting:
            return
        dialog = OriginalsDialog(self._waiting.popleft(), self._window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.delete_requested.connect(lambda chosen: self._delete(dialog, chosen))
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: OriginalsDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        self.show_next()

    def _delete(self, dialog: OriginalsDialog, chosen: list[OriginalCheck]) -> None:
        # Owned by this object, not the dialog: what was deleted is recorded even if the
        # dialog is gone by then (the window locked meanwhile, say).
        run_in_background(
            self,
            lambda: delete_originals(chosen),
            lambda results: self._deleted(dialog, results),
            lambda error: self._delete_failed(dialog, error),
        )

    def _deleted(self, dialog: OriginalsDialog, results: list[DeletionResult]) -> None:
        for result in results:
            if result.deleted:
                self._record_deleted(result.original.sha256)
        if self.dialog is dialog:
            dialog.show_results(results)

    def _delete_failed(self, dialog: OriginalsDialog, error: BaseException) -> None:
        log.warning("originals not deleted: %s", type(error).__name__)
        if self.dialog is dialog:
            dialog.show_failure(error)
