"""The main window: cases on the left, the message in the middle, the preview on the right,
and the send bar at the bottom that always says what stands between the clinician and Send.

The window holds no rule of its own: what may be sent is :func:`app.send_gate.reasons`,
how it is sent is :func:`app.sending.send_draft`. Every slow step (staging, inspection,
drawing pages, the gateway) runs through :mod:`ui.workers`.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import send_gate
from app.audit import AuditError, AuditSession
from app.draft_book import DraftBook
from app.draft_store import DraftStore, RestoredDraft, has_content
from app.gateway.client import DemoStaff
from app.inspection.isolated import inspect_isolated, refusal
from app.inspection.report import InspectionReport
from app.message_draft import Attachment, Draft
from app.model import MAX_ATTACHMENTS_PER_MESSAGE, Case, MessageKind, Resident, Staff
from app.outbox import JobState, KeyInOutbox, OutboxJob
from app.sending import enqueue_draft
from app.sent_list import SentItem
from app.services import Services
from app.staging import StagedFile, StagingError
from app.storage_report import KeptItem, kept_items
from ui.attachments import AttachmentsPanel
from ui.case_list import CaseList
from ui.compose import ComposeView
from ui.errors import code_text, gateway_error_text
from ui.first_page import FirstPageAhead, confirm_staged, stage_after_first_page
from ui.help_window import HelpWindow
from ui.i18n import shortened, size_text, tr
from ui.lock import IdleWatch, LockPage
from ui.originals_dialog import OriginalsOffer
from ui.outbox_runner import OutboxRunner
from ui.preview import PreviewPane
from ui.review_dialog import ReviewDialog
from ui.sent_view import SentView
from ui.storage_view import StorageView
from ui.window_actions import install_actions
from ui.workers import run_in_background
from ui.wrong_file_dialog import WrongFileDialog

log = logging.getLogger(__name__)

FILE_DIALOG_FILTER = "PDF, PNG, JPEG, GIF (*.pdf *.png *.jpg *.jpeg *.gif)"

#: The window's size where the screen has room; it never starts larger than the screen.
PREFERRED_SIZE = (1400, 860)

#: Focus must be seen wherever it is, on every control (keyboard users, WCAG 2.4.7).
FOCUS_STYLE = """
QListWidget:focus, QPlainTextEdit:focus, QLineEdit:focus, QTextBrowser:focus,
QScrollArea:focus { border: 2px solid #1a56b0; }
QPushButton:focus, QRadioButton:focus, QCheckBox:focus, QToolButton:focus {
    outline: 2px solid #1a56b0; border: 2px solid #1a56b0; border-radius: 3px; padding: 2px 6px;
}
"""


class MainWindow(QMainWindow):
    #: Emitted after a message was delivered (message id), for tests and the sent list.
    message_sent = Signal(str)
    #: Emitted whenever the send gate was evaluated again.
    gate_changed = Signal()
    #: Emitted when an attachment's inspection report arrived (attachment id).
    inspected = Signal(str)
    #: The clinician signed out (the drafts are saved for their next sign-in).
    signed_out = Signal()
    #: The window was locked (True) or opened again (False).
    lock_changed = Signal(bool)
    #: An outbox job moved on or ended (for the "Skickat" view).
    job_changed = Signal(object)

    def __init__(self, services: Services, staff: Staff) -> None:
        super().__init__()
        self.services = services
        self.staff = staff
        #: Every unsent draft, each with its own case or new-case recipients.
        self.book = DraftBook()
        #: The draft on screen: one of the book's, or (no case chosen yet) an empty one.
        self.draft = Draft()
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
        self.setStyleSheet(FOCUS_STYLE)
        self._signing_out = False
        self.locked = False
        self._names_from_directory: dict[str, str] = {}
        #: Drafts whose send is journalled and running, by job id (see ``_job_ended``).
        self._in_flight: dict[str, Draft] = {}
        self.sent_view: SentView | None = None
        self.outbox_runner = OutboxRunner(services.outbox, services.client, staff.staff_id)
        self.outbox_runner.setParent(self)
        self.outbox_runner.progressed.connect(self._job_progressed)
        self.outbox_runner.ended.connect(self._job_ended)
        self.outbox_runner.resuming.connect(self._outbox_resuming)
        self.outbox_runner.resumed.connect(self._outbox_resumed)
        #: After a delivered send: offer to delete the files picked (app/originals.py).
        self.originals = OriginalsOffer(
            self,
            enabled=lambda: services.settings.offer_to_delete_originals,
            staging_root=services.staging.root,
            record_deleted=lambda sha256: self.audit_event(lambda a: a.original_deleted(sha256)),
            locked=lambda: self.locked,
        )
        self.lock_changed.connect(lambda locked: None if locked else self.originals.show_next())

        # Cases
        left = CaseList()
        self.cases_panel = left
        self.case_list = left.list
        self.new_case_button = left.new_case_button
        self.reload_button = left.reload_button
        left.case_chosen.connect(self._case_chosen)
        left.new_case_draft_chosen.connect(self._new_case_draft_chosen)
        left.new_case_requested.connect(self.start_new_case)
        left.reload_requested.connect(self.load_cases)

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
        self.reason_button.setAccessibleDescription(tr("ui.send.reason_description"))
        # A long sentence is cut in the bar (the tooltip has it whole); it never widens it.
        self.reason_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.reason_button.clicked.connect(self.go_to_first_reason)
        self.send_button = QPushButton(tr("ui.send.send"))
        self.send_button.setAccessibleDescription(tr("ui.send.send_description"))
        self.send_button.setDefault(True)
        self.send_button.clicked.connect(self.send_clicked)
        self.discard_button = QPushButton(tr("ui.draft.discard"))
        self.discard_button.setAccessibleDescription(tr("ui.draft.discard_description"))
        self.discard_button.clicked.connect(self.ask_discard_draft)
        bar = QHBoxLayout()
        bar.addWidget(self.discard_button)
        bar.addWidget(self.reason_button, 1)
        bar.addWidget(self.send_button)

        work = QWidget()
        layout = QVBoxLayout(work)
        layout.addWidget(splitter, 1)
        layout.addLayout(bar)
        self.lock_page = LockPage(staff.name)
        self.lock_page.unlock_requested.connect(self._unlock)
        self.lock_page.sign_out_requested.connect(self.sign_out)
        self._pages = QStackedWidget()
        self._pages.addWidget(work)
        self._pages.addWidget(self.lock_page)
        self.setCentralWidget(self._pages)
        self._work = work

        self.actions_ = install_actions(
            self,
            {
                "new_case": self.start_new_case,
                "reload": self.load_cases,
                "lock": self.lock,
                "sign_out": self.sign_out,
                "settings": self.show_settings,
                "quit": self._quit,
                "attach": self._attach_if_possible,
                "send": self.send_clicked,
                "go_to_reason": self.go_to_first_reason,
                "discard": self.ask_discard_draft,
                "focus_cases": self.case_list.setFocus,
                "focus_message": self._focus_message,
                "focus_preview": self.preview.scroll_area.setFocus,
                "sent": self._open_sent,
                "storage": self._open_storage,
                "help": self.show_help,
            },
        )
        self._set_tab_order()
        self._fit_to_screen()
        self.idle = IdleWatch(int(services.settings.lock_after_minutes * 60_000), self)
        self.idle.idle.connect(self.lock)

        self.statusBar().showMessage(tr("ui.signed_in", name=staff.name))
        if services.purged_at_start:  # R8: what was kept too long is gone, and said so
            hours = int(services.settings.retention_hours)
            self.statusBar().showMessage(
                tr("ui.purged_at_start", count=services.purged_at_start, hours=hours)
            )
        self._open_audit()
        self.update_gate()
        self.load_cases()
        self._load_known_names()
        self._restore_saved_drafts()
        self._show_whether_a_draft_is_open()
        self.outbox_runner.resume()

    # -- the audit trail ---------------------------------------------------------------

    def _open_audit(self) -> None:
        """Sign-in is the trail's first word of this clinician; a trail that cannot be
        written is said at once, with what to do (the window still works: the gateway
        keeps its own record of every send)."""
        trail = self.services.audit_trail()
        problem = self.services.audit_problem
        self.audit: AuditSession | None = None
        if trail is None:
            if problem is not None:
                self.show_problem(tr(problem.code, **problem.params))
            return
        self._record(lambda: trail.sign_in(self.staff.staff_id), session=True)

    def _record(self, write: Callable[[], object], *, session: bool = False) -> None:
        """Write one audit record (a few ms: it is on disk when this returns, in order)."""
        try:
            written = write()
        except AuditError as error:
            log.warning("audit record not written: %s", error.code)
            self.statusBar().showMessage(tr(error.code, **error.params))
            return
        if session and isinstance(written, AuditSession):
            self.audit = written

    def audit_event(self, event: Callable[[AuditSession], object]) -> None:
        audit = self.audit
        if audit is not None:
            self._record(lambda: event(audit))

    def _set_tab_order(self) -> None:
        """Tab goes the way the screen reads: cases, the message, its files, the preview,
        then the send bar."""
        compose, files, preview = self.compose, self.attachments, self.preview
        chain: list[QWidget] = [
            self.case_list,
            self.new_case_button,
            self.reload_button,
            *compose.kind_buttons.values(),
            compose.recipients_edit,
            compose.recipient_names,
            compose.subject_edit,
            compose.body_edit,
            files.attach_button,
            files.list,
            preview.scroll_area,
            self.discard_button,
            self.reason_button,
            self.send_button,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    def _fit_to_screen(self) -> None:
        """The preferred size, or the screen's free area if that is smaller (a 1280×720
        screen gets the whole window, with the send bar on screen)."""
        screen = self.screen() or QApplication.primaryScreen()
        width, height = PREFERRED_SIZE
        if screen is not None:
            free = screen.availableGeometry()
            width, height = min(width, free.width()), min(height, free.height())
            # Leave room for the window manager's frame and title bar.
            height = min(height, free.height() - 40) if free.height() < 900 else height
        self.resize(width, height)

    def _quit(self) -> None:
        self.close()

    def _focus_message(self) -> None:
        if not self.draft.kind.answers_a_case:
            self.compose.recipients_edit.setFocus()
        elif self.draft.case is not None:
            self.compose.body_edit.setFocus()
        else:
            self.case_list.setFocus()

    def _attach_if_possible(self) -> None:
        if self.attachments.attach_button.isEnabled():
            self.choose_files()
        else:
            self.statusBar().showMessage(tr("ui.compose.heading_pick_case"))

    def _show_whether_a_draft_is_open(self) -> None:
        """With no case chosen there is nothing to write in: the message and its files
        wait for a case (or a new case), so that nothing is written for nobody."""
        open_ = self.draft.case is not None or not self.draft.kind.answers_a_case
        for widget in (self.compose.subject_edit, self.compose.body_edit, self.attachments):
            widget.setEnabled(open_)
        self.discard_button.setEnabled(open_)
        self.actions_.discard.setEnabled(open_ and not self.locked)

    def _load_known_names(self) -> None:
        """Residents' names the gateway can tell (the sandbox lists its residents), so a
        new case shows whom it goes to by name."""
        if not self.services.uses_sandbox:
            return
        client = self.services.client
        run_in_background(self, client.sandbox_directory, self._directory_loaded, lambda _e: None)

    def _directory_loaded(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        residents = directory[1]
        self._names_from_directory = {r.id: r.name for r in residents}
        self._pass_known_names()

    def _pass_known_names(self) -> None:
        names = dict(self._names_from_directory)
        names.update({c.resident.id: c.resident.name for c in self.cases})
        self.compose.set_known_names(names)

    # -- shared computer ------------------------------------------------------------

    def lock(self) -> None:
        """Hide everything of the message until the clinician's secret is given again."""
        if self.locked:
            return
        self.save_draft()
        # Dialogs over the window (a question, the file chooser, the colleague's
        # sign-off) would show what the lock hides: they close, nothing is lost.
        while (modal := QApplication.activeModalWidget()) is not None and isinstance(
            modal, QDialog
        ):
            modal.reject()
            if QApplication.activeModalWidget() is modal:
                break
        self.locked = True
        self.idle.stop()
        self._pages.setCurrentWidget(self.lock_page)
        self.actions_.while_locked(True)
        self.statusBar().showMessage(tr("ui.lock.locked_status"))
        self.lock_page.reset()
        self.lock_changed.emit(True)

    def _unlock(self, secret: str) -> None:
        self.lock_page.busy(True)
        self.lock_page.status.setText(tr("ui.lock.checking"))
        client, staff_id = self.services.client, self.staff.staff_id
        run_in_background(
            self, lambda: client.sign_in(staff_id, secret), self._unlocked, self._unlock_failed
        )

    def _unlocked(self, _staff: object) -> None:
        self.locked = False
        self._pages.setCurrentWidget(self._work)
        self.actions_.while_locked(False)
        self._show_whether_a_draft_is_open()
        self.update_gate()
        self.idle.restart()
        self.statusBar().showMessage(tr("ui.lock.unlocked_status"))
        self.lock_changed.emit(False)
        self._focus_message()

    def _unlock_failed(self, error: BaseException) -> None:
        from app.gateway.client import GatewayError

        self.lock_page.busy(False)
        if isinstance(error, GatewayError) and error.status == 401:
            self.lock_page.status.setText(tr("ui.lock.wrong"))
        else:
            self.lock_page.status.setText(gateway_error_text(error))
        self.lock_page.secret.setFocus()

    def sign_out(self) -> None:
        """Leave the workstation to a colleague; the drafts wait for this clinician."""
        if self._sending or self.outbox_runner.busy:
            self.statusBar().showMessage(tr("ui.close.while_sending"))
            return
        unsent = self.unsent_drafts()
        if unsent and not self.locked:
            hours = int(self.services.settings.retention_hours)
            answer = QMessageBox.question(
                self, "Bifoga", tr("ui.sign_out.question", count=len(unsent), hours=hours)
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        self.save_draft()
        self.audit_event(lambda a: a.sign_out())
        self._signing_out = True
        client = self.services.client
        run_in_background(self, client.sign_out, lambda _r: None, lambda _e: None)
        self.idle.stop()
        self.close()

    def show_settings(self) -> None:
        from ui.settings_dialog import open_settings_dialog

        if open_settings_dialog(self, self.services.settings):
            self.statusBar().showMessage(tr("ui.settings.saved"))

    def show_help(self) -> None:
        dialog = HelpWindow(self.services.settings.contacts, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def start_wrong_file(self, item: SentItem) -> WrongFileDialog:
        """The deviation routine for a sent message (docs/requirements.md R9, R10)."""
        settings = self.services.settings
        dialog = WrongFileDialog(
            item,
            sender=self.staff,
            client=self.services.client,
            contacts=settings.contacts,
            portal_url=settings.service_portal_url,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.retraction_changed.connect(self._refresh_sent)
        dialog.retraction_requested.connect(
            lambda message_id, shas: self.audit_event(
                lambda a: a.retraction(message_id, shas, "requested")
            )
        )
        dialog.retraction_finished.connect(
            lambda message_id, shas, status: self.audit_event(
                lambda a: a.retraction(message_id, shas, status)
            )
        )
        dialog.report_made.connect(
            lambda message_id, shas, digest: self.audit_event(
                lambda a: a.deviation_report(message_id, shas, digest)
            )
        )
        dialog.show()
        return dialog

    def _refresh_sent(self) -> None:
        if self.sent_view is not None and self.sent_view.isVisible():
            self.sent_view.reload()

    def _open_storage(self) -> None:
        self.show_storage()

    def show_storage(self) -> StorageView:
        """What is kept on this computer, how old and why, with delete (R8, R11)."""
        settings = self.services.settings

        def items() -> list[KeptItem]:
            self.save_draft()
            jobs = self.services.outbox.jobs(self.staff.staff_id)
            return kept_items(self.services.staging, self._all_drafts(), jobs)

        view = StorageView(
            items,
            self.discard_draft_by_id,
            folder=str(self.services.staging.root),
            retention_hours=settings.retention_hours,
            contacts=settings.contacts,
            parent=self,
        )
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        return view

    def discard_draft_by_id(self, draft_id: str) -> None:
        draft = next((d for d in self._all_drafts() if d.draft_id == draft_id), None)
        if draft is not None:
            self._forget_draft(draft)

    def _open_sent(self) -> None:
        self.show_sent()

    def show_sent(self) -> SentView:
        """The "Skickat" window (one; brought forward if it is open)."""
        if self.sent_view is None:
            view = SentView(
                self.services.outbox,
                self.services.client,
                self.staff.staff_id,
                self.outbox_runner.retry,
                self,
            )
            self.job_changed.connect(view.job_changed)
            view.wrong_file_requested.connect(self.start_wrong_file)
            self.sent_view = view
        self.sent_view.show()
        self.sent_view.raise_()
        self.sent_view.activateWindow()
        self.sent_view.reload()
        return self.sent_view

    def _addressing_changed(self) -> None:
        # Recipients and kind decide the identity match, so the files' findings follow
        # (not on every key press in the text: that changes no finding).
        self.attachments.refresh()

    # -- cases ------------------------------------------------------------------------

    @property
    def cases(self) -> list[Case]:
        return self.cases_panel.cases

    def load_cases(self) -> None:
        self.reload_button.setEnabled(False)
        client = self.services.client
        run_in_background(self, client.open_cases, self._cases_loaded, self._cases_failed)

    def _cases_loaded(self, cases: list[Case]) -> None:
        self.reload_button.setEnabled(True)
        self.cases_panel.show_cases(cases, self.book, self.draft)
        self._pass_known_names()

    def _cases_failed(self, error: BaseException) -> None:
        self.reload_button.setEnabled(True)
        self.statusBar().showMessage(gateway_error_text(error))

    def _refresh_case_marks(self) -> None:
        self.cases_panel.show_cases(self.cases, self.book, self.draft)

    def _case_chosen(self, case_id: str) -> None:
        case = self.cases_panel.case(case_id)
        if case is not None:
            self.select_case(case)
            return
        draft = self.book.case_draft(case_id)  # a draft whose case is no longer open
        if draft is not None:
            self.show_draft(draft)

    def _new_case_draft_chosen(self, draft_id: str) -> None:
        draft = next((d for d in self.book if d.draft_id == draft_id), None)
        if draft is not None:
            self.show_draft(draft)

    def select_case(self, case: Case) -> None:
        """Show the case's own draft (a fresh reply if it has none); the draft on screen
        stays with its own case or recipients."""
        default_subject = tr("ui.compose.reply_subject", subject=case.subject)
        self.show_draft(self.book.for_case(case, default_subject))

    def start_new_case(self) -> None:
        self.show_draft(self.book.new_case())
        self.compose.recipients_edit.setFocus()

    def show_draft(self, draft: Draft) -> None:
        """Put ``draft`` on screen; the one shown before is kept (and saved) as it is."""
        if draft is self.draft:
            self.cases_panel.mark_shown(draft)
            return
        self.save_draft()
        self.draft = draft
        if draft not in self.book and (draft.case is not None or not draft.kind.answers_a_case):
            self.book.add(draft)
        self.compose.load_draft(draft)
        self.attachments.load_draft(draft)
        self.preview.show_attachment(None)
        for attachment in draft.attachments:
            if attachment.report is None and attachment not in self._inspections:
                self._inspect(attachment)
        if draft.attachments:
            self.attachments.select(draft.attachments[0].id)
        self._refresh_case_marks()
        self._show_whether_a_draft_is_open()
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
        # The file is for the draft on screen now, whichever is on screen when it is ready.
        draft = self.draft
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
            lambda staged: self._staged(staged, ahead, draft, path),
            lambda error: self._stage_failed(path, error, ahead),
        )

    def _staged(
        self, staged: StagedFile, ahead: FirstPageAhead | None, draft: Draft, original: Path
    ) -> None:
        if draft is not self.draft and draft not in self.book:  # sent or discarded meanwhile
            self._drop_ahead(ahead)
            self.services.staging.discard(staged)
            return
        if any(a.sha256 == staged.sha256 for a in draft.attachments):
            self._drop_ahead(ahead)
            self.services.staging.discard(staged)
            self.show_problem(tr("ui.attachments.duplicate", name=staged.filename))
            return
        attachment = Attachment(staged, original=original)
        draft.attachments.append(attachment)
        self._inspect(attachment)
        if draft is not self.draft:  # another draft is on screen now: it stays there
            self._drop_ahead(ahead)
            self.save_draft()
            self._refresh_case_marks()
            return
        self.statusBar().clearMessage()
        self.attachments.refresh()
        self.attachments.select(attachment.id)  # shown: its first page drawn ahead with it
        self._drop_ahead(ahead)  # not taken (not confirmed): drawn again from the copy
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
            if self._held(attachment):  # not removed, sent or discarded since
                break
        else:
            return
        self._inspecting = True
        worker = self.services.inspect_worker
        owner = self._draft_holding(attachment) or self.draft
        path, recipients, kind = str(attachment.staged.path), owner.recipients, owner.kind
        name = attachment.filename

        def done(report: InspectionReport) -> None:
            try:
                if report.sha256 is not None and report.sha256 != attachment.sha256:
                    # The working copy is not the bytes that were staged: never preview or
                    # send it.
                    report = refusal(attachment.staged.path, "file.changed_after_staging")
                attachment.report = report
                verdict = report.verdict.value
                self.audit_event(
                    lambda a: a.attach(attachment.sha256, attachment.media_type, verdict)
                )
                if attachment.page_count is None and report.pages:
                    attachment.page_count = report.pages
                if self._draft_holding(attachment) is self.draft:
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

    def _draft_holding(self, attachment: Attachment) -> Draft | None:
        drafts = self._all_drafts()
        return next((d for d in drafts if any(a is attachment for a in d.attachments)), None)

    def _held(self, attachment: Attachment) -> bool:
        return self._draft_holding(attachment) is not None

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
            self.audit_event(lambda a: a.page_seen(attachment.sha256, page + 1))
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
            # What the clinician typed goes into the sentence cut to a readable length.
            params = {
                k: shortened(v) if isinstance(v, str) else v for k, v in first.param_dict.items()
            }
            self.reason_button.setText(tr(first.code, **params))
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
        focus = {
            send_gate.Target.SUBJECT: self.compose.subject_edit,
            send_gate.Target.BODY: self.compose.body_edit,
            send_gate.Target.RECIPIENTS: self.compose.recipients_edit,
            send_gate.Target.CASE: self.case_list,
            send_gate.Target.ATTACHMENTS: self.attachments.list,
        }.get(reason.target)
        if focus is not None:
            focus.setFocus()
        elif reason.target is send_gate.Target.SIGN_OFF:
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
            signed = dialog.sign_off
            self.audit_event(lambda a: a.sign_off(signed.reviewer_id, signed.digest))
            self.statusBar().showMessage(
                tr("ui.review.approved_status", reviewer=dialog.sign_off.reviewer_name)
            )
        elif dialog.decline_reason:
            self.show_problem(tr("ui.review.declined_status", reason=dialog.decline_reason))
        dialog.deleteLater()
        self.update_gate()

    def send(self) -> None:
        """Journal the send in the outbox (before a byte leaves), then let it run: the
        draft is done with, and the job finishes even through a crash."""
        draft, outbox, staff_id = self.draft, self.services.outbox, self.staff.staff_id
        self._sending = True
        self.update_gate()
        self.statusBar().showMessage(tr("ui.send.sending"))
        run_in_background(
            self,
            lambda: enqueue_draft(draft, outbox, staff_id),
            lambda job: self._enqueued(job, draft),
            self._send_failed,
        )

    def _enqueued(self, job: OutboxJob, draft: Draft) -> None:
        self._sending = False
        # Its files belong to the job now; the draft is kept aside in case the gateway
        # refuses it (a sign-off expired meanwhile, say), to be worked on again.
        self._in_flight[job.job_id] = draft
        self.originals.expect(job.job_id, draft.attachments)
        self._forget_draft(draft, keep_files=True)
        self.outbox_runner.start(job.job_id)

    def _job_progressed(self, job: OutboxJob) -> None:
        if job.state is JobState.UPLOADING and job.bytes_total:
            self.statusBar().showMessage(
                tr(
                    "ui.send.uploading",
                    done=size_text(job.bytes_done),
                    total=size_text(job.bytes_total),
                    count=len(job.message.recipients),
                )
            )
        elif job.state is JobState.SENDING:
            self.statusBar().showMessage(tr("ui.send.sending"))
        self.job_changed.emit(job)

    def _job_ended(self, job: OutboxJob) -> None:
        draft = self._in_flight.pop(job.job_id, None)
        self.job_changed.emit(job)
        self.originals.job_ended(job.job_id, job.state)
        if job.state is JobState.DELIVERED:
            self._audit_send(job)
            self.statusBar().showMessage(tr("ui.send.sent", count=len(job.deliveries)))
            self.load_cases()  # a reply answers its case; a counter-question makes it wait
            if job.message_id:
                self.message_sent.emit(job.message_id)
            return
        reason = code_text(job.error_code or "outbox.bad_answer")
        if job.state is JobState.FAILED and draft is not None:
            # Refused as it was: back to its case, to be put right and sent again.
            draft.sign_off = None
            self.book.add(draft)
            self.save_draft()
            self._refresh_case_marks()
            self.show_problem(tr("ui.send.refused_back_to_draft", reason=reason))
        else:
            self.show_problem(tr("ui.send.not_finished", reason=reason))

    def _audit_send(self, job: OutboxJob) -> None:
        message = job.message
        if job.message_id is None:
            return
        message_id = job.message_id
        self.audit_event(
            lambda a: a.send(
                message_id,
                str(message.kind),
                message.case_id,
                list(message.recipients),
                [f.sha256 for f in message.attachments],
            )
        )

    def _outbox_resuming(self, count: int) -> None:
        self.statusBar().showMessage(tr("ui.outbox.resuming", count=count))

    def _outbox_resumed(self, jobs: list[OutboxJob]) -> None:
        delivered = sum(1 for job in jobs if job.state is JobState.DELIVERED)
        if delivered == len(jobs):
            self.statusBar().showMessage(tr("ui.outbox.resumed_all", count=delivered))

    def _send_failed(self, error: BaseException) -> None:
        # Nothing was journalled: the draft stays as it is, with the same idempotency key.
        self._sending = False
        self.update_gate()
        if isinstance(error, KeyInOutbox):
            self.show_problem(tr(error.code))
        else:
            self.show_problem(tr("ui.send.failed", reason=gateway_error_text(error)))

    def ask_discard_draft(self) -> None:
        """The clinician throws the draft on screen away, after a question."""
        if not has_content(self.draft):
            self.show_blank()
            return
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Bifoga",
            tr("ui.draft.discard_question"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("discard-question")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(tr("ui.draft.discard"))
        box.button(QMessageBox.StandardButton.No).setText(tr("ui.draft.keep"))
        box.finished.connect(
            lambda result: (
                self.discard_draft() if result == QMessageBox.StandardButton.Yes else None
            )
        )
        box.open()

    def discard_draft(self) -> None:
        """Throw the draft on screen away, with its working copies (R8: nothing kept longer
        than needed); the other drafts stay."""
        self._forget_draft(self.draft)
        self.statusBar().showMessage(tr("ui.draft.discarded"))

    def discard_all_drafts(self) -> None:
        for draft in self._all_drafts():
            self._forget_draft(draft)

    def _forget_draft(self, draft: Draft, *, keep_files: bool = False) -> None:
        """A draft that was sent or discarded goes; so do its working copies, unless an
        outbox job now holds them (``keep_files``)."""
        if not keep_files:
            for attachment in draft.attachments:
                self.services.staging.discard(attachment.staged)
            draft.attachments = []
        self.book.remove(draft)
        if draft is self.draft:
            self.show_blank()
        else:
            self.save_draft()
            self._refresh_case_marks()

    def show_blank(self) -> None:
        """No draft on screen: the clinician chooses a case or starts a new one."""
        self.draft = Draft()
        self.compose.load_draft(self.draft)
        self.compose.recipients_edit.clear()
        self.attachments.load_draft(self.draft)
        self.preview.show_attachment(None)
        self.save_draft()
        self._refresh_case_marks()
        self._show_whether_a_draft_is_open()
        self.update_gate()

    def save_draft(self) -> None:
        try:
            self._drafts.save([*self.book], self.draft)
        except OSError as error:
            log.warning("draft not saved: %s", type(error).__name__)
            self.statusBar().showMessage(tr("ui.draft.not_saved"))

    def _restore_saved_drafts(self) -> None:
        restored = self._drafts.load()
        if restored is None:
            return
        missing: list[str] = []
        outbox = self.services.outbox
        kept = []
        for item in restored.drafts:
            if outbox.job_for_key(item.draft.idempotency_key) is not None:
                # Journalled just before a stop: the outbox sends it (once); the draft,
                # whose files the job holds, is done with.
                continue
            self.book.add(_addressable(item))
            missing.extend(item.missing_files)
            kept.append(item)
        if not kept:
            self.save_draft()
            return
        current = restored.current if restored.current in kept else kept[0]
        self.show_draft(current.draft)
        self.statusBar().showMessage(tr("ui.draft.restored", count=len(kept)))
        if missing:
            self.show_problem(tr("ui.draft.files_gone", names=", ".join(missing)))

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Bifoga", text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("problem")
        box.open()

    # -- leaving ------------------------------------------------------------------------

    def unsent_drafts(self) -> list[Draft]:
        return [d for d in self._all_drafts() if has_content(d)]

    def _all_drafts(self) -> list[Draft]:
        drafts = list(self.book)
        return drafts if self.draft in self.book else [*drafts, self.draft]

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._sending or self.outbox_runner.busy:
            event.ignore()
            self.statusBar().showMessage(tr("ui.close.while_sending"))
            return
        if self._signing_out:  # the drafts were saved for this clinician's next sign-in
            self.signed_out.emit()
            event.accept()
            return
        unsent = self.unsent_drafts()
        if unsent:
            # Throwing work away is never what Enter does: the default is to stay.
            answer = QMessageBox.question(
                self,
                "Bifoga",
                tr("ui.close.discard_drafts", count=len(unsent)),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.discard_all_drafts()
        event.accept()


def _addressable(restored: RestoredDraft) -> Draft:
    """A restored draft as the book keeps it. One saved before drafts belonged to their
    case may be a reply without a case: it becomes a new case with no recipients, so that
    it can be seen, kept or discarded, and goes to nobody until the clinician addresses it."""
    draft = restored.draft
    if draft.kind.answers_a_case and draft.case is None:
        draft.kind = MessageKind.NEW_CASE
    return draft
