"""The main window: cases on the left, the message in the middle, the preview on the right,
and the send bar at the bottom that always says what stands between the clinician and Send.

The window holds no rule of its own: what may be sent is :func:`app.send_gate.reasons`,
how it is sent is :func:`app.sending.send_draft`. Every slow step (staging, inspection,
drawing pages, the gateway) runs through :mod:`ui.workers`.
"""

from __future__ import annotations

import logging
from collections import deque
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app import send_gate
from app.draft import Attachment, Draft
from app.drafts import DraftStore
from app.inspection.isolated import inspect_isolated, refusal
from app.inspection.report import InspectionReport
from app.model import MAX_ATTACHMENTS_PER_MESSAGE, Case, MessageKind, Staff
from app.sending import SendResult, send_draft
from app.services import Services
from app.staging import StagedFile, StagingError
from ui.attachments import AttachmentsPanel
from ui.compose import ComposeView
from ui.errors import gateway_error_text
from ui.first_page import FirstPageAhead, confirm_staged, stage_after_first_page
from ui.i18n import tr
from ui.preview import PreviewPane
from ui.review_dialog import ReviewDialog
from ui.workers import run_in_background

log = logging.getLogger(__name__)

FILE_DIALOG_FILTER = "PDF, PNG, JPEG, GIF (*.pdf *.png *.jpg *.jpeg *.gif)"


class MainWindow(QMainWindow):
    #: Emitted after a message was delivered (message id), for tests and the sent list.
    message_sent = Signal(str)
    #: Emitted whenever the send gate was evaluated again.
    gate_changed = Signal()
    #: Emitted when an attachment's inspection report arrived (attachment id).
    inspected = Signal(str)

    def __init__(self, services: Services, staff: Staff) -> None:
        super().__init__()
        self.services = services
        self.staff = staff
        self.draft = Draft()
        self.cases: list[Case] = []
        self.reasons: list[send_gate.Reason] = []
        self._sending = False
        self.review_dialog: ReviewDialog | None = None
        self._drafts = DraftStore(services.staging.drafts_folder, staff.staff_id)
        self._inspections: deque[Attachment] = deque()
        self._inspecting = False
        # Saved a moment after the last edit, not on every key press.
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(800)
        self._autosave.timeout.connect(self.save_draft)

        environment = tr("ui.sandbox_title") if services.uses_sandbox else ""
        self.setWindowTitle(
            " – ".join(p for p in ("Bifoga", environment, f"{staff.name}, {staff.unit}") if p)
        )
        self.resize(1400, 860)

        # Cases
        left = QWidget()
        left_layout = QVBoxLayout(left)
        self.cases_label = QLabel(tr("ui.cases.heading", count=0))
        left_layout.addWidget(self.cases_label)
        self.case_list = QListWidget()
        self.case_list.setAccessibleName(tr("ui.cases.list"))
        # Selection, not the current item: Qt makes the first row current when the list
        # merely gets focus, and that must never change whom the message is for.
        self.case_list.itemSelectionChanged.connect(self._case_selected)
        left_layout.addWidget(self.case_list, 1)
        self.new_case_button = QPushButton(tr("ui.cases.new"))
        self.new_case_button.clicked.connect(self.start_new_case)
        left_layout.addWidget(self.new_case_button)
        self.reload_button = QPushButton(tr("ui.cases.reload"))
        self.reload_button.clicked.connect(self.load_cases)
        left_layout.addWidget(self.reload_button)

        # The message
        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        self.compose = ComposeView(self.draft)
        self.compose.changed.connect(self.update_gate)
        self.compose.addressing_changed.connect(self._addressing_changed)
        middle_layout.addWidget(self.compose, 3)
        self.attachments = AttachmentsPanel(self.draft)
        self.attachments.attach_requested.connect(self.choose_files)
        self.attachments.files_dropped.connect(
            lambda paths: self.add_files([Path(p) for p in paths])
        )
        self.attachments.selected.connect(self._attachment_selected)
        self.attachments.remove_requested.connect(self.remove_attachment)
        self.attachments.changed.connect(self.update_gate)
        middle_layout.addWidget(self.attachments, 2)

        # The preview
        self.preview = PreviewPane(services)
        self.preview.page_seen.connect(self._page_seen)
        self.preview.page_count_known.connect(self._page_count_known)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(middle)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([240, 520, 640])

        # The send bar
        self.reason_button = QPushButton()
        self.reason_button.setFlat(True)
        self.reason_button.setAccessibleName(tr("ui.send.reason"))
        self.reason_button.clicked.connect(self.go_to_first_reason)
        self.send_button = QPushButton(tr("ui.send.send"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send_clicked)
        bar = QHBoxLayout()
        bar.addWidget(self.reason_button, 1)
        bar.addWidget(self.send_button)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addWidget(splitter, 1)
        layout.addLayout(bar)
        self.setCentralWidget(central)
        self.statusBar().showMessage(tr("ui.signed_in", name=staff.name))
        self.update_gate()
        self.load_cases()
        self._restore_saved_draft()

    def _addressing_changed(self) -> None:
        # Recipients and kind decide the identity match, so the files' findings follow
        # (not on every key press in the text: that changes no finding).
        self.attachments.refresh()

    # -- cases ------------------------------------------------------------------------

    def load_cases(self) -> None:
        self.reload_button.setEnabled(False)
        client = self.services.client
        run_in_background(self, client.open_cases, self._cases_loaded, self._cases_failed)

    def _cases_loaded(self, cases: object) -> None:
        self.reload_button.setEnabled(True)
        assert isinstance(cases, list)
        self.cases = cases
        self.cases_label.setText(tr("ui.cases.heading", count=len(cases)))
        self.case_list.blockSignals(True)
        self.case_list.clear()
        for case in cases:
            item = QListWidgetItem(f"{case.subject} – {case.resident.name}")
            item.setData(Qt.ItemDataRole.UserRole, case.case_id)
            self.case_list.addItem(item)
            if self.draft.case is not None and self.draft.case.case_id == case.case_id:
                self.case_list.setCurrentItem(item)  # a restored draft's case, shown chosen
        self.case_list.blockSignals(False)

    def _cases_failed(self, error: BaseException) -> None:
        self.reload_button.setEnabled(True)
        self.statusBar().showMessage(gateway_error_text(error))

    def _case_selected(self) -> None:
        chosen = self.case_list.selectedItems()
        if not chosen:
            return
        case_id = chosen[0].data(Qt.ItemDataRole.UserRole)
        case = next((c for c in self.cases if c.case_id == case_id), None)
        if case is None:
            return
        self.select_case(case)

    def select_case(self, case: Case) -> None:
        self.draft.case = case
        if not self.draft.kind.answers_a_case:
            self.draft.kind = MessageKind.REPLY
        if not self.draft.subject:
            self.draft.subject = tr("ui.compose.reply_subject", subject=case.subject)
        self.compose.load_draft(self.draft)
        self._addressing_changed()
        self.update_gate()

    def start_new_case(self) -> None:
        self._forget_current_case()
        self.draft.kind = MessageKind.NEW_CASE
        self.compose.load_draft(self.draft)
        self.compose.recipients_edit.setFocus()
        self._addressing_changed()
        self.update_gate()

    # -- attachments --------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, tr("ui.attachments.choose"), str(Path.home()), FILE_DIALOG_FILTER
        )
        self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        for path in paths:
            if len(self.draft.attachments) >= MAX_ATTACHMENTS_PER_MESSAGE:
                self.show_problem(tr("ui.attachments.limit", limit=MAX_ATTACHMENTS_PER_MESSAGE))
                return
            self._stage(path)

    def _stage(self, path: Path) -> None:
        services = self.services
        self.statusBar().showMessage(tr("ui.attachments.staging", name=path.name))
        # A PDF's first page is drawn from the chosen file first, and shown at once; it
        # is taken as the staged copy's page only once confirmed to be it.
        ahead = self.preview.draw_ahead(path)

        def work() -> StagedFile:
            staged = services.staging.stage(path)
            # What no viewer shows (an image's EXIF and GPS, data after the end, a hidden
            # second format, a PDF's unused objects and earlier revisions) leaves the
            # working copy before anyone previews it, so that the previewed bytes are the
            # sent bytes (app.inspection.hidden). Parsing is in the worker.
            if services.inspect_worker.call("sanitize", str(staged.path)):
                staged = services.staging.rehash(staged)
            confirm_staged(ahead, staged)  # the drawing is taken when the file is shown
            return staged

        stage_after_first_page(
            self,
            ahead,
            work,
            lambda staged: self._staged(staged, ahead),
            lambda error: self._stage_failed(path, error, ahead),
        )

    def _staged(self, staged: object, ahead: FirstPageAhead | None) -> None:
        assert isinstance(staged, StagedFile)
        if any(a.sha256 == staged.sha256 for a in self.draft.attachments):
            self._drop_ahead(ahead)
            self.services.staging.discard(staged)
            self.show_problem(tr("ui.attachments.duplicate", name=staged.filename))
            return
        attachment = Attachment(staged)
        self.draft.attachments.append(attachment)
        self.statusBar().clearMessage()
        self.attachments.refresh()
        self.attachments.select(attachment.id)  # shown: its first page drawn ahead with it
        self._drop_ahead(ahead)  # not taken (not confirmed): drawn again from the copy
        self._inspect(attachment)
        self.update_gate()

    def _drop_ahead(self, ahead: FirstPageAhead | None) -> None:
        if self.preview.drop_ahead(ahead):  # its page was on screen: show what belongs there
            current = self.attachments.current()
            left = self.preview.left_for_ahead
            if current is not None and left is not None and left[0] == current.id:
                self.preview.show_attachment(current, left[1])  # the page being read
            elif current is not None:
                self._attachment_selected(current.id)

    def _stage_failed(
        self, path: Path, error: BaseException, ahead: FirstPageAhead | None = None
    ) -> None:
        self._drop_ahead(ahead)
        if isinstance(error, StagingError):
            self.show_problem(tr(error.code, **error.params))
        else:
            self.show_problem(
                tr("ui.attachments.stage_failed", name=path.name, reason=gateway_error_text(error))
            )

    def _inspect(self, attachment: Attachment) -> None:
        self._inspections.append(attachment)
        self._next_inspection()

    def _next_inspection(self) -> None:
        """Start the next inspection waiting, if none runs: the inspect worker does one
        at a time anyway, and a file waiting for it must not hold a thread of the pool
        meanwhile (the preview and the gateway calls need them)."""
        if self._inspecting:
            return
        while self._inspections:
            attachment = self._inspections.popleft()
            if any(a is attachment for a in self.draft.attachments):  # not removed since
                break
        else:
            return
        self._inspecting = True
        worker = self.services.inspect_worker
        path, recipients, kind = str(attachment.staged.path), self.draft.recipients, self.draft.kind
        name = attachment.filename

        def done(report: object) -> None:
            try:
                assert isinstance(report, InspectionReport)
                if report.sha256 is not None and report.sha256 != attachment.sha256:
                    # The working copy is not the bytes that were staged: never preview or
                    # send it.
                    report = refusal(attachment.staged.path, "file.changed_after_staging")
                attachment.report = report
                if attachment.page_count is None and report.pages:
                    attachment.page_count = report.pages
                self._attachment_changed(attachment)
                self.inspected.emit(attachment.id)
            finally:
                self._inspecting = False
                self._next_inspection()

        def failed(error: BaseException) -> None:
            # Never leave a file "being checked" for ever: an inspection that could not run
            # blocks the file, with the reason, like any other refusal.
            done(
                refusal(
                    attachment.staged.path, "file.inspection_failed", reason=type(error).__name__
                )
            )

        run_in_background(
            self,
            lambda: inspect_isolated(worker, path, recipients, kind.value, name=name),
            done,
            failed,
        )

    def remove_attachment(self, attachment_id: str) -> None:
        attachment = self.draft.attachment(attachment_id)
        if attachment is None:
            return
        self.draft.attachments.remove(attachment)
        self.services.staging.discard(attachment.staged)
        if self.preview.attachment is attachment:
            self.preview.show_attachment(None)
        self.attachments.refresh()
        self.update_gate()

    def _attachment_selected(self, attachment_id: str) -> None:
        attachment = self.draft.attachment(attachment_id)
        if attachment is not None and self.preview.attachment is not attachment:
            first_unseen = attachment.unseen_pages[:1]
            self.preview.show_attachment(attachment, first_unseen[0] if first_unseen else 0)

    def _page_seen(self, attachment_id: str, page: int) -> None:
        attachment = self.draft.attachment(attachment_id)
        if attachment is not None and page not in attachment.seen_pages:
            attachment.seen_pages.add(page)
            self._attachment_changed(attachment)

    def _page_count_known(self, attachment_id: str, count: int) -> None:
        attachment = self.draft.attachment(attachment_id)
        if attachment is not None and attachment.page_count is None:
            attachment.page_count = count
            self._attachment_changed(attachment)

    def _attachment_changed(self, attachment: Attachment) -> None:
        self.attachments.refresh()
        if self.preview.attachment is attachment:
            self.preview.refresh_progress()
        self.update_gate()

    # -- the send bar -----------------------------------------------------------------

    def update_gate(self) -> None:
        self.reasons = send_gate.reasons(self.draft)
        sign_off_only = send_gate.only_sign_off_missing(self.reasons)
        if self._sending:
            self.reason_button.setText(tr("ui.send.sending"))
            self.send_button.setEnabled(False)
        elif not self.reasons:
            self.reason_button.setText(tr("ui.send.ready"))
            self.send_button.setText(tr("ui.send.send"))
            self.send_button.setEnabled(True)
        else:
            first = self.reasons[0]
            self.reason_button.setText(tr(first.code, **first.param_dict))
            self.send_button.setText(
                tr("ui.send.ask_colleague") if sign_off_only else tr("ui.send.send")
            )
            self.send_button.setEnabled(sign_off_only)
        if not self._sending:
            self._autosave.start()
        self.send_button.setToolTip(self.reason_button.text())
        # The sentence that stands between the clinician and Send is the thing to read.
        colour = "#1b6e20" if not self.reasons else "#8a4b00"
        self.reason_button.setStyleSheet(
            f"text-align: left; padding: 4px; font-weight: bold; color: {colour};"
        )
        self.gate_changed.emit()

    def go_to_first_reason(self) -> None:
        """The send bar's sentence is a link: it goes to what needs doing."""
        if not self.reasons:
            return
        reason = self.reasons[0]
        if reason.attachment_id:
            self.attachments.select(reason.attachment_id)
            attachment = self.draft.attachment(reason.attachment_id)
            if attachment is not None:
                if self.preview.attachment is not attachment:
                    self.preview.show_attachment(attachment, reason.page or 0)
                elif reason.page is not None:
                    self.preview.go_to(reason.page)
            return
        if reason.code in ("send.subject_missing",):
            self.compose.subject_edit.setFocus()
        elif reason.code in ("send.body_missing",):
            self.compose.body_edit.setFocus()
        elif reason.code.startswith("send.recipient") or reason.code.startswith("send.too_many_r"):
            self.compose.recipients_edit.setFocus()
        elif reason.code == "send.case_missing":
            self.case_list.setFocus()
        elif reason.code in send_gate.SIGN_OFF_CODES:
            self.ask_colleague()

    def send_clicked(self) -> None:
        self.update_gate()
        if send_gate.only_sign_off_missing(self.reasons):
            self.ask_colleague()
        elif not self.reasons:
            self.send()

    def ask_colleague(self) -> None:
        dialog = ReviewDialog(self.services, self.draft, self.staff, self)
        self.review_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _result: self._review_finished(dialog))
        dialog.open()

    def _review_finished(self, dialog: ReviewDialog) -> None:
        self.review_dialog = None
        if dialog.sign_off is not None:
            self.draft.sign_off = dialog.sign_off
            self.statusBar().showMessage(
                tr("ui.review.approved_status", reviewer=dialog.sign_off.reviewer_name)
            )
        elif dialog.decline_reason:
            self.show_problem(tr("ui.review.declined_status", reason=dialog.decline_reason))
        dialog.deleteLater()
        self.update_gate()

    def send(self) -> None:
        draft, client = self.draft, self.services.client
        self._sending = True
        self.update_gate()
        self.statusBar().showMessage(tr("ui.send.sending"))
        run_in_background(self, lambda: send_draft(draft, client), self._sent, self._send_failed)

    def _sent(self, result: object) -> None:
        assert isinstance(result, SendResult)
        self._sending = False
        for attachment in self.draft.attachments:
            self.services.staging.discard(attachment.staged)
        count = len(result.message.deliveries)
        self.statusBar().showMessage(tr("ui.send.sent", count=count))
        self._drafts.delete()
        self.reset_draft()
        self.message_sent.emit(result.message.message_id)

    def _send_failed(self, error: BaseException) -> None:
        # The draft stays as it is, with the same idempotency key: sending again is safe.
        self._sending = False
        self.update_gate()
        self.show_problem(tr("ui.send.failed", reason=gateway_error_text(error)))

    def discard_draft(self) -> None:
        """Throw the draft away, with its working copies (R8: nothing kept longer than needed)."""
        for attachment in self.draft.attachments:
            self.services.staging.discard(attachment.staged)
        self._drafts.delete()
        self.reset_draft()

    def reset_draft(self) -> None:
        self.draft = Draft()
        self.compose.load_draft(self.draft)
        self.compose.recipients_edit.clear()
        self.attachments.load_draft(self.draft)
        self.preview.show_attachment(None)
        self._forget_current_case()
        self.update_gate()

    def _forget_current_case(self) -> None:
        # No current row, not just no selection: picking the same case again must count.
        self.case_list.blockSignals(True)
        self.case_list.setCurrentRow(-1)
        self.case_list.clearSelection()
        self.case_list.blockSignals(False)

    def save_draft(self) -> None:
        try:
            self._drafts.save(self.draft)
        except OSError as error:
            log.warning("draft not saved: %s", type(error).__name__)
            self.statusBar().showMessage(tr("ui.draft.not_saved"))

    def _restore_saved_draft(self) -> None:
        restored = self._drafts.load()
        if restored is None:
            return
        self.load_draft(restored.draft)
        self.statusBar().showMessage(tr("ui.draft.restored"))
        if restored.missing_files:
            self.show_problem(tr("ui.draft.files_gone", names=", ".join(restored.missing_files)))

    def load_draft(self, draft: Draft) -> None:
        """Show ``draft`` (a restored one): every file is inspected and previewed again."""
        self.draft = draft
        self.compose.load_draft(draft)
        self.attachments.load_draft(draft)
        self.preview.show_attachment(None)
        for attachment in draft.attachments:
            self._inspect(attachment)
        if draft.attachments:
            self.attachments.select(draft.attachments[0].id)
        self.update_gate()

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Bifoga", text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("problem")
        box.open()

    # -- leaving ------------------------------------------------------------------------

    def has_unsent_work(self) -> bool:
        d = self.draft
        return bool(d.attachments or d.body.strip() or d.new_case_recipients)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._sending:
            event.ignore()
            self.statusBar().showMessage(tr("ui.close.while_sending"))
            return
        if self.has_unsent_work():
            answer = QMessageBox.question(self, "Bifoga", tr("ui.close.discard_draft"))
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.discard_draft()
        event.accept()
