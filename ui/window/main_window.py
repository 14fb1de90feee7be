"""The main window: cases on the left, the message in the middle, the preview on the right,
and the send bar at the bottom that always says what stands between the clinician and Send.

The window is the composition root: it builds the widgets, the desk (:class:`app.drafts.desk.Desk`,
the one owner of the drafts and of the draft on screen) and one controller per
responsibility, each given its collaborators (never the window), and connects what each
emits to what the others do: the controllers never call each other.

- ``ui.window.drafts_controller`` — the cases and each case's draft: show, save, restore, discard;
- ``ui.window.attach_controller`` — files chosen or dropped, through ``app.drafts.attach`` and back;
- ``ui.window.send_controller`` — the send bar, the sign-off, the send journalled;
- ``ui.window.waiting_controller`` — a send on its way;
- ``ui.window.thread_controller`` — the conversation;
- ``ui.window.session_controller`` — the audit trail, the lock and signing out;
- ``ui.window.side_views`` — "Skickat", "Fel fil skickad", "Lagring", settings, help.

What may be sent is :func:`app.send.send_gate.reasons`, how a file is attached is
:class:`app.drafts.attach.AttachPipeline`. Every slow step runs through :mod:`ui.common.workers`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLayout,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.drafts.attach import AttachPipeline
from app.drafts.desk import Desk
from app.drafts.draft_book import DraftBook
from app.drafts.draft_store import DraftStore
from app.drafts.message_draft import Draft
from app.outbox import OutboxJob
from app.protocol.model import Staff
from app.runtime.services import Services
from ui.common.accessibility import announce_status, expose_values
from ui.common.i18n import tr
from ui.common.style import apply_focus_style
from ui.dialogs.originals import OriginalsOffer
from ui.preview.pane import PreviewPane
from ui.window.actions import install_actions
from ui.window.attach_controller import AttachController
from ui.window.attachments import AttachmentsPanel
from ui.window.case_list import CaseList
from ui.window.close_question import CloseChoice, ask_on_close
from ui.window.compose import ComposeArea, ComposeView
from ui.window.drafts_controller import DraftsController
from ui.window.lock import IdleWatch, LockPage
from ui.window.outbox_runner import OutboxRunner
from ui.window.send_controller import SendBar, SendController
from ui.window.send_row import SendRow, fit_frame_to
from ui.window.session_controller import SessionController
from ui.window.side_views import SideViews
from ui.window.thread_controller import ThreadController
from ui.window.thread_view import ThreadView
from ui.window.waiting_controller import WaitingController
from ui.window.waiting_panel import WaitingPanel

#: The conversation's (or the waiting send's) slot above the message, in pixels.
CASE_SLOT_HEIGHT = 120
#: The files' area under the message, in pixels (the list and a file's findings).
ATTACHMENTS_HEIGHT = 220

#: The window's size where the screen has room; it never starts larger than the screen.
PREFERRED_SIZE = (1400, 860)


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
        #: Every unsent draft, the one on screen (``desk.current``), and the sends that
        #: left the book, until delivered or given back: the one owner of the drafts.
        self.desk = Desk(DraftBook(), services.outbox, staff.staff_id)

        environment = tr("ui.sandbox_title") if services.uses_sandbox else ""
        self.setWindowTitle(
            " – ".join(p for p in ("Bifoga", environment, f"{staff.name}, {staff.unit}") if p)
        )
        apply_focus_style()  # focus seen on every control (keyboard users, WCAG 2.4.7)
        self.outbox_runner = OutboxRunner(services.outbox, services.client, staff.staff_id)
        self.outbox_runner.setParent(self)
        self._build_widgets()
        # Watched from here on: the thousands of events of building the widgets are not
        # the clinician's use, and each would pass through the filter in Python.
        self.idle = IdleWatch(int(services.settings.lock_after_minutes * 60_000), self)
        self._build_controllers()
        self._connect_widgets()
        self._connect_controllers()

        self.actions_ = install_actions(
            self,
            {
                "new_case": self.drafts.start_new_case,
                "reload": self.drafts.load_cases,
                "lock": self.session.lock,
                "sign_out": self.session.sign_out,
                "settings": self.side_views.show_settings,
                "quit": self.close,
                "attach": self._attach_if_possible,
                "send": self.send_bar.send_clicked,
                "go_to_reason": self.send_bar.go_to_first_reason,
                "discard": self.drafts.ask_discard_draft,
                "focus_cases": self.case_list.setFocus,
                "focus_message": self.focus_message,
                "focus_preview": self.preview.scroll_area.setFocus,
                "sent": self.side_views.show_sent,
                "storage": self.side_views.show_storage,
                "help": self.side_views.show_help,
            },
        )
        self._set_tab_order()
        self._fit_to_screen()
        # Labels say their values and the status bar is said aloud (ui/common/accessibility.py).
        expose_values(self, also=(self.reason_button,))
        announce_status(self.statusBar())

        self.statusBar().showMessage(tr("ui.signed_in", name=staff.name))
        if services.purged_at_start:  # R8: what was kept too long is gone, and said so
            hours = int(services.settings.retention_hours)
            self.statusBar().showMessage(
                tr("ui.purged_at_start", count=services.purged_at_start, hours=hours)
            )
        self.session.open_audit()
        self.send_bar.update_gate()
        self.drafts.load_cases()
        self.drafts.load_known_names()
        self.desk.load_unfinished()
        self.drafts.restore_saved_drafts()
        self.show_whether_a_draft_is_open()
        self.outbox_runner.resume()

    # -- building ---------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.cases_panel = CaseList()
        self.case_list = self.cases_panel.list
        self.new_case_button = self.cases_panel.new_case_button
        self.reload_button = self.cases_panel.reload_button

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        # One slot of fixed height above the message: the conversation, or what waits
        # in the outbox for this case; the message and its files never move.
        self.thread_view = ThreadView()
        self.waiting_panel = WaitingPanel()
        self.case_slot = QStackedWidget()
        self.case_slot.addWidget(self.thread_view)
        self.case_slot.addWidget(self.waiting_panel)
        self.case_slot.setFixedHeight(CASE_SLOT_HEIGHT)
        self.waiting_panel.presence_changed.connect(
            lambda waiting: self.case_slot.setCurrentWidget(
                self.waiting_panel if waiting else self.thread_view
            )
        )
        middle_layout.addWidget(self.case_slot)
        self.compose = ComposeView(self.desk.current)
        # The message takes what the window has left; a form taller than that (a new
        # case's recipients and names) scrolls, and never grows the window off the screen.
        self.compose_area = ComposeArea(self.compose)
        middle_layout.addWidget(self.compose_area, 1)
        self.attachments = AttachmentsPanel(self.desk.current)
        middle_layout.addWidget(self.attachments)
        # The files' area keeps one height whatever it holds (its findings scroll), and
        # the message takes the rest: a file selected or a finding more never moves
        # "Bifoga fil…" or the text under the pointer.
        files_layout = self.attachments.layout()
        assert isinstance(files_layout, QVBoxLayout)
        files_layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.attachments.setFixedHeight(ATTACHMENTS_HEIGHT)
        files_layout.addStretch(1)  # what is left stays at the bottom

        self.preview = PreviewPane(self.services)

        splitter = QSplitter()
        splitter.addWidget(self.cases_panel)
        splitter.addWidget(middle)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([240, 520, 640])

        self.send_row = SendRow()
        self.reason_button = self.send_row.reason_button
        self.send_button = self.send_row.send_button
        self.discard_button = self.send_row.discard_button

        self._work = QWidget()
        layout = QVBoxLayout(self._work)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.send_row)
        self.lock_page = LockPage(self.staff.name)
        self._pages = QStackedWidget()
        self._pages.addWidget(self._work)
        self._pages.addWidget(self.lock_page)
        self.setCentralWidget(self._pages)

    def _build_controllers(self) -> None:
        """One controller per responsibility, each given what it works with."""
        services, staff, desk, runner = self.services, self.staff, self.desk, self.outbox_runner
        self.waiting = WaitingController(desk, services.outbox, runner, self.waiting_panel)
        self.threads = ThreadController(services.client, self.thread_view)
        self.drafts = DraftsController(
            desk,
            DraftStore(services.staging.drafts_folder, staff.staff_id),
            services.client,
            services.staging,
            self.cases_panel,
            uses_sandbox=services.uses_sandbox,
            answered=lambda: self.threads.answered,
            parent=self,
        )
        session = self.session = SessionController(
            services,
            staff,
            self.lock_page,
            self.idle,
            save_drafts=self.drafts.save_draft,
            unsent_count=lambda: len(desk.unsent_drafts()),
            busy_sending=self._busy_sending,
            parent=self,
        )
        #: After a delivered send: offer to delete the files picked (app/after_send/originals.py).
        self.originals = OriginalsOffer(
            self,
            enabled=lambda: services.settings.offer_to_delete_originals,
            staging_root=services.staging.root,
            record_deleted=lambda sha256: session.audit_event(lambda a: a.original_deleted(sha256)),
            locked=lambda: session.locked,
        )
        pipeline = AttachPipeline(
            services.staging,
            services.inspect_worker,
            lambda: services.settings.clinic_phone_numbers,  # as saved now
        )
        self.attaching = AttachController(
            desk, pipeline, services.staging, self.preview, self.attachments, self
        )
        bar = SendBar(
            self.reason_button,
            self.send_button,
            self.compose,
            self.attachments,
            self.preview,
            self.case_list,
        )
        self.send_bar = SendController(desk, services, staff, bar, self)
        self.side_views = SideViews(
            services,
            staff,
            self.idle,
            retry=runner.retry,
            all_drafts=desk.all_drafts,
            save_drafts=self.drafts.save_draft,
            discard_draft=self.drafts.discard_draft_by_id,
            parent=self,
        )

    def _connect_widgets(self) -> None:
        cases, drafts, attaching = self.cases_panel, self.drafts, self.attaching
        cases.case_chosen.connect(drafts.case_chosen)
        cases.draft_chosen.connect(drafts.draft_chosen)
        cases.waiting_send_chosen.connect(drafts.waiting_send_chosen)
        cases.new_case_requested.connect(drafts.start_new_case)
        cases.reload_requested.connect(drafts.load_cases)
        self.compose.changed.connect(self.send_bar.update_gate)
        # Recipients and kind decide the identity match, so the files' findings follow
        # (not on every key press in the text: that changes no finding).
        self.compose.addressing_changed.connect(self.attachments.refresh)
        files = self.attachments
        files.attach_requested.connect(attaching.choose_files)
        files.files_dropped.connect(lambda paths: attaching.add_files([Path(p) for p in paths]))
        files.selected.connect(attaching.attachment_selected)
        files.remove_requested.connect(attaching.remove_attachment)
        files.changed.connect(self.send_bar.update_gate)
        self.preview.page_seen.connect(attaching.page_seen)
        self.preview.page_count_known.connect(attaching.page_count_known)
        self.reason_button.clicked.connect(self.send_bar.go_to_first_reason)
        self.send_button.clicked.connect(self.send_bar.send_clicked)
        self.discard_button.clicked.connect(drafts.ask_discard_draft)

    def _connect_controllers(self) -> None:
        """The controllers never call each other: what one reports, the root hands on."""
        drafts, attaching, send, session = self.drafts, self.attaching, self.send_bar, self.session
        status = self.statusBar().showMessage
        for controller in (drafts, attaching, send, session, self.side_views, self.waiting):
            controller.status.connect(status)
        for controller in (drafts, attaching, send, session, self.waiting):
            controller.problem.connect(self.show_problem)
        for controller in (attaching, send, self.side_views):
            controller.audit.connect(session.audit_event)
        drafts.draft_shown.connect(self._draft_shown)
        drafts.new_case_started.connect(self.compose.recipients_edit.setFocus)
        drafts.cases_loaded.connect(self.threads.check)
        drafts.known_names.connect(self.compose.set_known_names)
        self.threads.answered_changed.connect(drafts.refresh_case_marks)
        self.threads.refresh_due.connect(drafts.load_cases)
        self.waiting.draft_returned.connect(drafts.draft_returned)
        self.waiting.marks_changed.connect(drafts.sends_changed)
        attaching.changed.connect(send.update_gate)
        attaching.other_draft_changed.connect(drafts.sends_changed)
        attaching.inspected.connect(self.inspected)
        send.gate_changed.connect(self.gate_changed)
        send.edited.connect(drafts.save_soon)
        send.handed_over.connect(self._handed_over)
        send.delivered.connect(self._delivered)
        runner = self.outbox_runner
        runner.progressed.connect(send.job_progressed)
        runner.progressed.connect(self.waiting.job_moved)
        runner.progressed.connect(self.job_changed)
        runner.ended.connect(self._job_ended)
        runner.resuming.connect(send.outbox_resuming)
        runner.resumed.connect(send.outbox_resumed)
        self.job_changed.connect(self.side_views.job_changed)
        session.lock_changed.connect(self._lock_changed)
        session.close_requested.connect(self.close)
        self.lock_changed.connect(lambda locked: None if locked else self.originals.show_next())
        self.idle.idle.connect(lambda: session.lock(idle=True))

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

    def showEvent(self, event: QShowEvent) -> None:
        """Once its frame is known: the frame too within the screen's free area."""
        super().showEvent(event)
        screen = self.screen()
        if screen is not None:
            fit_frame_to(self, screen.availableGeometry())

    # -- what the root hands on ----------------------------------------------------------

    def _draft_shown(self, draft: Draft) -> None:
        """The desk's draft on screen changed: the message, its files, the preview, the
        case's conversation or waiting send, and the send bar show it."""
        self.compose.load_draft(draft)
        if draft.kind.answers_a_case and draft.case is None:
            self.compose.recipients_edit.clear()  # nothing on screen: nothing typed shows
        self.attachments.load_draft(draft)
        self.preview.show_attachment(None)
        self.attaching.inspect_unchecked(draft)
        if draft.attachments:
            self.attachments.select(draft.attachments[0].id)
        self.waiting.show_on_screen()  # the case's waiting send, or a new case's
        self.threads.show_case(draft.case_id if draft.kind.answers_a_case else None)
        self.show_whether_a_draft_is_open()
        self.send_bar.update_gate()

    def _handed_over(self, job: OutboxJob, draft: Draft) -> None:
        """A send was journalled: the desk keeps its draft beside the job, its files are
        the job's, and the outbox runs it."""
        self.waiting.handed_over(job, draft)
        self.originals.expect(job.job_id, draft.attachments)
        self.drafts.handed_over(draft)
        self.outbox_runner.start(job.job_id)

    def _job_ended(self, job: OutboxJob) -> None:
        outcome = self.waiting.job_ended(job)  # a refused job's draft is back under its case
        self.job_changed.emit(job)
        self.originals.job_ended(job.job_id, job.state)
        self.send_bar.job_ended(job, outcome)

    def _delivered(self, job: OutboxJob) -> None:
        self.drafts.load_cases()  # a reply answers its case; a counter-question makes it wait
        if job.message_id:
            self.message_sent.emit(job.message_id)

    def _lock_changed(self, locked: bool) -> None:
        self._pages.setCurrentWidget(self.lock_page if locked else self._work)
        self.actions_.while_locked(locked)
        if not locked:
            self.show_whether_a_draft_is_open()
            self.send_bar.update_gate()
        self.lock_changed.emit(locked)
        if not locked:
            self.focus_message()

    def _busy_sending(self) -> bool:
        return self.send_bar.sending or self.outbox_runner.busy

    def show_whether_a_draft_is_open(self) -> None:
        """With no case chosen there is nothing to write in: the message and its files
        wait for a case (or a new case), so that nothing is written for nobody."""
        draft = self.desk.current
        open_ = draft.case is not None or not draft.kind.answers_a_case
        for widget in (self.compose.subject_edit, self.compose.body_edit, self.attachments):
            widget.setEnabled(open_)
        self.discard_button.setEnabled(open_)
        self.actions_.discard.setEnabled(open_ and not self.session.locked)

    def focus_message(self) -> None:
        draft = self.desk.current
        if not draft.kind.answers_a_case:
            self.compose.recipients_edit.setFocus()
        elif draft.case is not None:
            self.compose.body_edit.setFocus()
        else:
            self.case_list.setFocus()

    def show_problem(self, text: str) -> None:
        self.statusBar().showMessage(text)
        box = QMessageBox(
            QMessageBox.Icon.Warning, "Bifoga", text, QMessageBox.StandardButton.Ok, self
        )
        box.setObjectName("problem")
        box.open()

    def _attach_if_possible(self) -> None:
        if self.attachments.attach_button.isEnabled():
            self.attaching.choose_files()
        else:
            self.statusBar().showMessage(tr("ui.window.compose.heading_pick_case"))

    # -- leaving ------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self.session.cancel_login()  # no login of the lock waits for a closed window
        if self._busy_sending():
            event.ignore()
            self.statusBar().showMessage(tr("ui.close.while_sending"))
            return
        if self.session.signing_out:  # the drafts were saved for this clinician's next sign-in
            self.signed_out.emit()
            event.accept()
            return
        unsent = self.desk.unsent_drafts()
        if not unsent:
            event.accept()
            return
        # End of shift: a draft is never lost by closing; keeping it is what Enter does.
        choice = ask_on_close(self, len(unsent))
        if choice is CloseChoice.CANCEL:
            event.ignore()
            return
        if choice is CloseChoice.DISCARD:
            self.drafts.discard_all_drafts()
        else:
            self.drafts.save_draft()  # found again at this clinician's next sign-in
        event.accept()
