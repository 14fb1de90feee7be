"""The "Skickat" window: every message the clinician sent, and how each is going.

A row per message (:func:`app.after_send.sent_list.sent_items`, from the outbox and the gateway),
newest first; under the list, the chosen message whole: when, what kind, which case, to
whom (masked; a count and the list for a bulk send), each file's name, size and SHA-256,
who signed off, and each resident's delivery. A send still on its way shows its progress
and updates as it goes; one that could not finish can be tried again, with the same key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.after_send.sent_list import SentItem, SentStatus, sent_items
from app.gateway.client import GatewayClient
from app.gateway.records import MessageRecord
from app.outbox import Outbox, OutboxJob
from app.protocol.identifiers import distinct_masks, mask
from ui.common.accessibility import LiveLabel, expose_values
from ui.common.errors import code_text, gateway_error_text
from ui.common.i18n import size_text, tr, tr_plain
from ui.common.workers import run_in_background

_STATUS_MARK = {
    SentStatus.DELIVERED: "✔",
    SentStatus.RETRACTED: "↩",
    SentStatus.FAILED: "✖",
    SentStatus.NEEDS_ACTION: "⚠",
}


def when(epoch: float) -> str:
    local = dt.datetime.fromtimestamp(epoch).astimezone()
    return local.strftime("%Y-%m-%d %H:%M")


def status_text(item: SentItem) -> str:
    text = tr(f"ui.sent.status.{item.status.value}")
    mark = _STATUS_MARK.get(item.status)
    return f"{mark} {text}" if mark else text


class SentView(QDialog):
    """Not modal: the clinician keeps working while a bulk send goes on."""

    #: The clinician asked to start the deviation routine for a message (its key).
    wrong_file_requested = Signal(object)  # SentItem

    def __init__(
        self,
        outbox: Outbox,
        client: GatewayClient,
        staff_id: str,
        retry: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sent")
        self.setWindowTitle(tr("ui.sent.title"))
        self._outbox = outbox
        self._client = client
        self._staff_id = staff_id
        self._retry_job = retry
        self._records: list[MessageRecord] = []
        self.items: list[SentItem] = []

        layout = QVBoxLayout(self)
        self.status = LiveLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.sent.status_label"))
        layout.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Vertical)
        self.list = QTreeWidget()
        self.list.setAccessibleName(tr("ui.sent.list"))
        self.list.setRootIsDecorated(False)
        self.list.setHeaderLabels(
            [
                tr("ui.sent.column.when"),
                tr("ui.sent.column.kind"),
                tr("ui.sent.column.subject"),
                tr("ui.sent.column.recipients"),
                tr("ui.sent.column.files"),
                tr("ui.sent.column.status"),
            ]
        )
        self.list.currentItemChanged.connect(lambda *_: self._show_details())
        splitter.addWidget(self.list)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setAccessibleName(tr("ui.sent.progress"))
        self.progress.hide()
        details_layout.addWidget(self.progress)
        self.details = QTextBrowser()
        self.details.setAccessibleName(tr("ui.sent.details"))
        details_layout.addWidget(self.details, 1)
        splitter.addWidget(details)
        splitter.setSizes([220, 260])
        layout.addWidget(splitter, 1)

        buttons = QHBoxLayout()
        self.retry_button = QPushButton(tr("ui.sent.retry"))
        self.retry_button.setAccessibleDescription(tr("ui.sent.retry_description"))
        self.retry_button.clicked.connect(self._retry)
        self.wrong_file_button = QPushButton(tr("ui.sent.wrong_file"))
        self.wrong_file_button.setAccessibleDescription(tr("ui.sent.wrong_file_description"))
        self.wrong_file_button.clicked.connect(self._wrong_file)
        self.reload_button = QPushButton(tr("ui.sent.reload"))
        self.reload_button.clicked.connect(self.reload)
        close = QPushButton(tr("ui.close_button"))
        close.clicked.connect(self.close)
        for button in (self.retry_button, self.wrong_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.reload_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(min(980, parent.width()), min(640, parent.height()))
        self._show_details()
        expose_values(self)

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        """The outbox now, the gateway's records when they come (from any workstation)."""
        self._rebuild()
        self.status.setText(tr("ui.sent.loading"))
        self.reload_button.setEnabled(False)
        client = self._client
        run_in_background(self, client.sent_messages, self._records_loaded, self._records_failed)

    def _records_loaded(self, records: list[MessageRecord]) -> None:
        self.reload_button.setEnabled(True)
        self._records = list(records)
        self.status.setText(tr("ui.sent.count", count=len(self._rebuild())))

    def _records_failed(self, error: BaseException) -> None:
        self.reload_button.setEnabled(True)
        # The outbox's own list still shows; the gateway's part waits for a reload.
        self.status.setText(tr("ui.sent.gateway_failed", reason=gateway_error_text(error)))

    def job_changed(self, job: OutboxJob) -> None:
        """A job moved on: its row (and the details, if shown) follow."""
        if job.staff_id == self._staff_id:
            self._rebuild()

    def _rebuild(self) -> list[SentItem]:
        current = self._current_key()
        self.items = sent_items(self._outbox.jobs(self._staff_id), self._records)
        self.list.blockSignals(True)
        self.list.clear()
        for item in self.items:
            row = QTreeWidgetItem(
                [
                    when(item.sent_at),
                    tr_plain(f"ui.kind.{item.kind}"),
                    item.subject,
                    self._recipients_short(item),
                    ", ".join(f.filename for f in item.files) or "–",
                    status_text(item),
                ]
            )
            row.setData(0, Qt.ItemDataRole.UserRole, item.key)
            self.list.addTopLevelItem(row)
            if item.key == current:
                self.list.setCurrentItem(row)
        first = self.list.topLevelItem(0)
        if self.list.currentItem() is None and first is not None:
            self.list.setCurrentItem(first)
        self.list.blockSignals(False)
        for column in range(self.list.columnCount()):
            self.list.resizeColumnToContents(column)
        self._show_details()
        return self.items

    # -- the chosen message ------------------------------------------------------------

    def current(self) -> SentItem | None:
        key = self._current_key()
        return next((i for i in self.items if i.key == key), None)

    def _current_key(self) -> str | None:
        row = self.list.currentItem()
        return row.data(0, Qt.ItemDataRole.UserRole) if row is not None else None

    @staticmethod
    def _recipients_short(item: SentItem) -> str:
        if item.is_bulk:
            return tr("ui.sent.recipient_count", count=len(item.recipients))
        return mask(item.recipients[0]) if item.recipients else "–"

    def _show_details(self) -> None:
        item = self.current()
        self.retry_button.setEnabled(item is not None and item.can_retry)
        delivered = item is not None and item.status in (
            SentStatus.DELIVERED,
            SentStatus.RETRACTED,
        )
        self.wrong_file_button.setEnabled(delivered and item is not None and bool(item.files))
        if item is None:
            self.details.setPlainText(tr("ui.sent.none"))
            self.progress.hide()
            return
        self.progress.setVisible(item.in_progress)
        if item.in_progress:
            self.progress.setMaximum(max(1, item.bytes_total))
            self.progress.setValue(item.bytes_done)
            self.progress.setFormat(
                tr(
                    "ui.sent.progress_format",
                    done=size_text(item.bytes_done),
                    total=size_text(item.bytes_total),
                )
            )
        self.details.setPlainText("\n".join(self._detail_lines(item)))

    def _detail_lines(self, item: SentItem) -> list[str]:
        lines = [
            tr("ui.sent.detail.when", when=when(item.sent_at)),
            tr("ui.sent.detail.kind", kind=tr_plain(f"ui.kind.{item.kind}")),
        ]
        if item.case_id:
            lines.append(tr("ui.sent.detail.case", case_id=item.case_id))
        lines.append(tr("ui.sent.detail.subject", subject=item.subject))
        lines.append(tr("ui.sent.detail.status", status=status_text(item)))
        if item.error_code:
            lines.append(code_text(item.error_code))
        if item.resumed:
            lines.append(tr("ui.sent.detail.resumed"))
        lines.append(
            tr("ui.sent.detail.signed_off", name=item.signed_off_by)
            if item.signed_off_by
            else tr("ui.sent.detail.no_sign_off")
        )
        lines.append("")
        lines.append(tr("ui.sent.detail.files", count=len(item.files)))
        for file in item.files:
            mark = " " + tr("ui.sent.detail.retracted_file") if file.retracted else ""
            pd = " · " + tr("ui.sent.detail.personal_data") if file.personal_data else ""
            lines.append(f"  {file.filename} · {size_text(file.size)}{pd}{mark}")
            lines.append(f"    SHA-256 {file.sha256}")
        lines.append("")
        lines.append(tr("ui.sent.detail.recipients", count=len(item.recipients)))
        masks = distinct_masks(item.recipients)  # two born the same day stay apart
        for resident in item.recipients:
            status = item.delivery_status(resident)
            state = tr(f"ui.sent.delivery.{status}") if status else tr("ui.sent.delivery.pending")
            lines.append(f"  {masks[resident]} · {state}")
        return lines

    # -- actions -----------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape closes the topmost window first: a "Fel fil skickad" dialog opened from
        here (a sibling under the main window) before "Skickat" itself."""
        if event.key() == Qt.Key.Key_Escape and (on_top := self._open_wrong_file_dialogs()):
            on_top[-1].close()
            event.accept()
            return
        super().keyPressEvent(event)

    def _open_wrong_file_dialogs(self) -> list[QDialog]:
        owner = self.parentWidget()
        if owner is None:
            return []
        return [d for d in owner.findChildren(QDialog, "wrong-file") if d.isVisible()]

    def _retry(self) -> None:
        item = self.current()
        if item is not None and item.can_retry and item.job_id is not None:
            self.status.setText(tr("ui.sent.retrying"))
            self.retry_button.setEnabled(False)
            self._retry_job(item.job_id)
            self._rebuild()

    def _wrong_file(self) -> None:
        item = self.current()
        if item is not None:
            self.wrong_file_requested.emit(item)
