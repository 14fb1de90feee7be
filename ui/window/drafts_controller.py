"""The window's drafts: the open cases, each with its own draft in the book, and saving,
restoring and discarding them (``app.drafts.draft_book``, ``app.drafts.draft_store``).

Which draft is on screen, which drafts the book keeps and what a restored or returned
draft becomes are :class:`app.drafts.desk.Desk`'s rules; this controller asks the desk, saves
what it holds, and reports the draft now on screen (:attr:`DraftsController.draft_shown`)
for the composition root to show in the message, its files and the preview. Choosing
another case shows that case's draft; nothing written for one resident moves to another.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from app.drafts.desk import Desk
from app.drafts.draft_store import DraftStore, has_content
from app.drafts.message_draft import Draft
from app.gateway.client import DemoStaff, GatewayClient
from app.protocol.model import Case, Resident
from app.storage.staging import StagingArea
from ui.common.errors import gateway_error_text
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.window.case_list import CaseList

log = logging.getLogger(__name__)


class DraftsController(QObject):
    #: The draft now on screen (the desk's ``current``): the root shows it everywhere.
    draft_shown = Signal(object)  # Draft
    #: A new case was started: its recipients are what to write first.
    new_case_started = Signal()
    #: The open cases arrived (their ids: whose conversation to check).
    cases_loaded = Signal(list)  # list[str]
    #: Residents' names the gateway can tell, by personnummer.
    known_names = Signal(dict)  # dict[str, str]
    #: A sentence for the status bar.
    status = Signal(str)
    #: A sentence for a warning box.
    problem = Signal(str)

    def __init__(
        self,
        desk: Desk,
        store: DraftStore,
        client: GatewayClient,
        staging: StagingArea,
        cases_panel: CaseList,
        *,
        uses_sandbox: bool,
        answered: Callable[[], Iterable[str]],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self._store = store
        self._client = client
        self._staging = staging
        self._panel = cases_panel
        self._uses_sandbox = uses_sandbox
        self._answered = answered
        self._parent = parent
        self._names_from_directory: dict[str, str] = {}
        # Saved a moment after the last edit, not on every key press.
        self._autosave = QTimer(self)
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(800)
        self._autosave.timeout.connect(self.save_draft)

    def save_soon(self) -> None:
        self._autosave.start()

    # -- cases --------------------------------------------------------------------------

    @property
    def cases(self) -> list[Case]:
        return self._panel.cases

    def load_cases(self) -> None:
        self._panel.reload_button.setEnabled(False)
        run_in_background(self, self._client.open_cases, self._cases_loaded, self._cases_failed)

    def _cases_loaded(self, cases: list[Case]) -> None:
        self._panel.reload_button.setEnabled(True)
        if self.desk.leave_closed_case(cases):
            self.draft_shown.emit(self.desk.current)  # "Välj ett ärende …"
        self.refresh_case_marks(cases)
        self._pass_known_names()
        self.cases_loaded.emit([c.case_id for c in cases])

    def _cases_failed(self, error: BaseException) -> None:
        self._panel.reload_button.setEnabled(True)
        self.status.emit(gateway_error_text(error))

    def refresh_case_marks(self, cases: list[Case] | None = None) -> None:
        """The list as the desk lists it: every draft, every send on its way, and which
        cases the resident has answered."""
        cases = self.cases if cases is None else cases
        answered = frozenset(self._answered())
        self._panel.show_cases(cases, self.desk.listing(cases), self.desk.shown_key(), answered)

    def sends_changed(self) -> None:
        """A send started, waits or ended: the marks follow, and the saved drafts (a
        delivered one is no longer kept)."""
        self.save_draft()
        self.refresh_case_marks()

    def load_known_names(self) -> None:
        """Residents' names the gateway can tell (the sandbox lists its residents), so a
        new case shows whom it goes to by name."""
        if self._uses_sandbox:
            directory = self._client.sandbox_directory
            run_in_background(self, directory, self._directory_loaded, lambda _e: None)

    def _directory_loaded(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        self._names_from_directory = {r.id: r.name for r in directory[1]}
        self._pass_known_names()

    def _pass_known_names(self) -> None:
        names = dict(self._names_from_directory)
        names.update({c.resident.id: c.resident.name for c in self.cases})
        self.known_names.emit(names)

    def case_chosen(self, case_id: str) -> None:
        case = self._panel.case(case_id)
        if case is not None:
            self.select_case(case)
            return
        draft = self.desk.for_case_id(case_id)  # a draft whose case is no longer open
        if draft is not None:
            self.show_draft(draft)

    def draft_chosen(self, draft_id: str) -> None:
        """A new-case draft, or a case's further draft ("Utkast 2"), chosen in the list."""
        draft = self.desk.draft(draft_id)
        if draft is not None:
            self.show_draft(draft)

    def waiting_send_chosen(self, job_id: str) -> None:
        """A new case on its way chosen in the list: what waits, in the waiting panel
        (there is no draft to write in: it has left its draft)."""
        self.save_draft()
        if self.desk.show_waiting_send(job_id):
            self._shown()

    def select_case(self, case: Case) -> None:
        """Show the case's own draft (a fresh reply if it has none); the draft on screen
        stays with its own case or recipients."""
        default_subject = tr("ui.window.compose.reply_subject", subject=case.subject)
        self.show_draft(self.desk.for_case(case, default_subject))

    def start_new_case(self) -> None:
        self.show_draft(self.desk.new_case())
        self.new_case_started.emit()

    # -- the draft on screen --------------------------------------------------------------

    def show_draft(self, draft: Draft) -> None:
        """Put ``draft`` on screen; the one shown before is kept (and saved) as it is."""
        if draft is self.desk.current:
            self._panel.mark_shown(self.desk.shown_key())
            return
        self.save_draft()
        self.desk.show(draft)
        self._shown()

    def _shown(self) -> None:
        self.refresh_case_marks()
        self.draft_shown.emit(self.desk.current)

    def show_blank(self) -> None:
        """No draft on screen: the clinician chooses a case or starts a new one."""
        self.desk.show_blank()
        self._blank_shown()

    def _blank_shown(self) -> None:
        self.save_draft()
        self.refresh_case_marks()
        self.draft_shown.emit(self.desk.current)

    def ask_discard_draft(self) -> None:
        """The clinician throws the draft on screen away, after a question."""
        if not has_content(self.desk.current):
            self.show_blank()
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Bifoga",
            tr("ui.draft.discard_question"),
            yes | no,
            self._parent,
        )
        box.setObjectName("discard-question")
        box.setDefaultButton(no)
        box.button(yes).setText(tr("ui.draft.discard"))
        box.button(no).setText(tr("ui.draft.keep"))
        box.finished.connect(lambda result: self.discard_draft() if result == yes else None)
        box.open()

    def discard_draft(self) -> None:
        """Throw the draft on screen away, with its working copies (R8: nothing kept longer
        than needed); the other drafts stay."""
        self.forget_draft(self.desk.current)
        self.status.emit(tr("ui.draft.discarded"))

    def discard_draft_by_id(self, draft_id: str) -> None:
        draft = self.desk.draft(draft_id)
        if draft is not None:
            self.forget_draft(draft)

    def discard_all_drafts(self) -> None:
        for draft in self.desk.all_drafts():
            self.forget_draft(draft)

    def forget_draft(self, draft: Draft, *, keep_files: bool = False) -> None:
        """A draft that was sent or discarded goes; so do its working copies, unless an
        outbox job now holds them (``keep_files``)."""
        if not keep_files:
            for attachment in draft.attachments:
                self._staging.discard(attachment.staged)
            draft.attachments = []
        if self.desk.forget(draft):
            self._blank_shown()
        else:
            self.save_draft()
            self.refresh_case_marks()

    def handed_over(self, draft: Draft) -> None:
        """The draft's send is journalled: its files belong to the job, and a reply's
        case stays on screen, with what waits for it; a new case's own row does."""
        self.forget_draft(draft, keep_files=True)
        if draft.kind.answers_a_case and draft.case is not None and self.desk.current.case is None:
            self.select_case(draft.case)
        elif self.desk.show_sent(draft):
            self._shown()

    def draft_returned(self, draft: Draft) -> None:
        """A draft the desk gave back (refused by the gateway, or taken back) is under
        its case again; on screen when the desk says so (:meth:`Desk.shows_returned`)."""
        if self.desk.shows_returned(draft):
            self.show_draft(draft)
            return
        self.save_draft()
        self.refresh_case_marks()

    # -- saved drafts ---------------------------------------------------------------------

    def save_draft(self) -> None:
        try:
            # The waiting sends' drafts too: found again beside their jobs after a restart.
            self._store.save(self.desk.drafts_to_save(), self.desk.current)
        except OSError as error:
            log.warning("draft not saved: %s", type(error).__name__)
            self.status.emit(tr("ui.draft.not_saved"))

    def restore_saved_drafts(self) -> None:
        saved = self._store.load()
        if saved is None:
            return
        restored = self.desk.restore_saved(saved)
        if restored.current is None:
            self.save_draft()
            return
        self.show_draft(restored.current)
        self.status.emit(tr("ui.draft.restored", count=len(restored.drafts)))
        if restored.missing_files:
            self.problem.emit(tr("ui.draft.files_gone", names=", ".join(restored.missing_files)))
