"""The window's drafts: the open cases, each with its own draft in the book, the one on
screen, and saving, restoring and discarding them (``app.drafts.draft_book``,
``app.drafts.draft_store``).

Choosing another case shows that case's draft; nothing written for one resident moves
to another.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from app.drafts.draft_store import DraftStore, RestoredDraft, has_content
from app.drafts.message_draft import Draft
from app.gateway.client import DemoStaff
from app.protocol.model import Case, MessageKind, Resident
from ui.errors import gateway_error_text
from ui.i18n import tr
from ui.workers import run_in_background

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


class DraftsController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._store = DraftStore(window.services.staging.drafts_folder, window.staff.staff_id)
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
        return self._window.cases_panel.cases

    def load_cases(self) -> None:
        w = self._window
        w.reload_button.setEnabled(False)
        run_in_background(w, w.services.client.open_cases, self._cases_loaded, self._cases_failed)

    def _cases_loaded(self, cases: list[Case]) -> None:
        w = self._window
        w.reload_button.setEnabled(True)
        w.cases_panel.show_cases(cases, w.book, w.draft, self._marks())
        self._pass_known_names()
        w.threads.check([c.case_id for c in cases])

    def _cases_failed(self, error: BaseException) -> None:
        self._window.reload_button.setEnabled(True)
        self._window.statusBar().showMessage(gateway_error_text(error))

    def refresh_case_marks(self) -> None:
        w = self._window
        w.cases_panel.show_cases(self.cases, w.book, w.draft, self._marks())

    def sends_changed(self) -> None:
        """A send started, waits or ended: the marks follow, and the saved drafts (a
        delivered one is no longer kept)."""
        self.save_draft()
        self.refresh_case_marks()

    def _marks(self) -> dict[str, str]:
        """What the list says beside a case: a send on its way ("Skickas…", "Väntar…"),
        and that the resident has answered."""
        marks: dict[str, list[str]] = {}
        for case_id in self._window.threads.answered:
            marks.setdefault(case_id, []).append(tr("ui.cases.resident_answered"))
        for waiting in self._window.desk.waiting():
            if waiting.case_id is not None:
                marks.setdefault(waiting.case_id, []).append(tr(f"ui.waiting.{waiting.mark.value}"))
        return {case_id: " · ".join(words) for case_id, words in marks.items()}

    def load_known_names(self) -> None:
        """Residents' names the gateway can tell (the sandbox lists its residents), so a
        new case shows whom it goes to by name."""
        w = self._window
        if not w.services.uses_sandbox:
            return
        client = w.services.client
        run_in_background(w, client.sandbox_directory, self._directory_loaded, lambda _e: None)

    def _directory_loaded(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        self._names_from_directory = {r.id: r.name for r in directory[1]}
        self._pass_known_names()

    def _pass_known_names(self) -> None:
        names = dict(self._names_from_directory)
        names.update({c.resident.id: c.resident.name for c in self.cases})
        self._window.compose.set_known_names(names)

    def case_chosen(self, case_id: str) -> None:
        case = self._window.cases_panel.case(case_id)
        if case is not None:
            self.select_case(case)
            return
        draft = self._window.book.case_draft(case_id)  # a draft whose case is no longer open
        if draft is not None:
            self.show_draft(draft)

    def new_case_draft_chosen(self, draft_id: str) -> None:
        draft = next((d for d in self._window.book if d.draft_id == draft_id), None)
        if draft is not None:
            self.show_draft(draft)

    def select_case(self, case: Case) -> None:
        """Show the case's own draft (a fresh reply if it has none); the draft on screen
        stays with its own case or recipients."""
        default_subject = tr("ui.compose.reply_subject", subject=case.subject)
        self.show_draft(self._window.book.for_case(case, default_subject))

    def start_new_case(self) -> None:
        self.show_draft(self._window.book.new_case())
        self._window.compose.recipients_edit.setFocus()

    # -- the draft on screen --------------------------------------------------------------

    def show_draft(self, draft: Draft) -> None:
        """Put ``draft`` on screen; the one shown before is kept (and saved) as it is."""
        w = self._window
        if draft is w.draft:
            w.cases_panel.mark_shown(draft)
            return
        self.save_draft()
        w.draft = draft
        if draft not in w.book and (draft.case is not None or not draft.kind.answers_a_case):
            w.book.add(draft)
        w.compose.load_draft(draft)
        w.attachments.load_draft(draft)
        w.preview.show_attachment(None)
        for attachment in draft.attachments:
            if attachment.report is None:
                w.attaching.inspect(attachment)
        if draft.attachments:
            w.attachments.select(draft.attachments[0].id)
        w.waiting.show_case(draft.case_id if draft.kind.answers_a_case else None)
        w.threads.show_case(draft.case_id if draft.kind.answers_a_case else None)
        self.refresh_case_marks()
        w.show_whether_a_draft_is_open()
        w.update_gate()

    def show_blank(self) -> None:
        """No draft on screen: the clinician chooses a case or starts a new one."""
        w = self._window
        w.draft = Draft()
        w.compose.load_draft(w.draft)
        w.compose.recipients_edit.clear()
        w.attachments.load_draft(w.draft)
        w.preview.show_attachment(None)
        w.waiting.show_case(None)
        w.threads.show_case(None)
        self.save_draft()
        self.refresh_case_marks()
        w.show_whether_a_draft_is_open()
        w.update_gate()

    def ask_discard_draft(self) -> None:
        """The clinician throws the draft on screen away, after a question."""
        w = self._window
        if not has_content(w.draft):
            self.show_blank()
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Question, "Bifoga", tr("ui.draft.discard_question"), yes | no, w
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
        self.forget_draft(self._window.draft)
        self._window.statusBar().showMessage(tr("ui.draft.discarded"))

    def discard_draft_by_id(self, draft_id: str) -> None:
        draft = next((d for d in self.all_drafts() if d.draft_id == draft_id), None)
        if draft is not None:
            self.forget_draft(draft)

    def discard_all_drafts(self) -> None:
        for draft in self.all_drafts():
            self.forget_draft(draft)

    def forget_draft(self, draft: Draft, *, keep_files: bool = False) -> None:
        """A draft that was sent or discarded goes; so do its working copies, unless an
        outbox job now holds them (``keep_files``)."""
        w = self._window
        if not keep_files:
            for attachment in draft.attachments:
                w.services.staging.discard(attachment.staged)
            draft.attachments = []
        w.book.remove(draft)
        if draft is w.draft:
            self.show_blank()
        else:
            self.save_draft()
            self.refresh_case_marks()

    def draft_returned(self, draft: Draft) -> None:
        """A draft the desk gave back (refused by the gateway, or taken back) is under
        its case again; it is put on screen when its case, or nothing, is shown there."""
        w = self._window
        shown = w.draft
        if (shown.case is None and shown.kind.answers_a_case) or (
            shown.case_id is not None and shown.case_id == draft.case_id
        ):
            self.show_draft(draft)
            return
        self.save_draft()
        self.refresh_case_marks()

    # -- every draft ----------------------------------------------------------------------

    def all_drafts(self) -> list[Draft]:
        w = self._window
        drafts = list(w.book)
        return drafts if w.draft in w.book else [*drafts, w.draft]

    def unsent_drafts(self) -> list[Draft]:
        return [d for d in self.all_drafts() if has_content(d)]

    def save_draft(self) -> None:
        w = self._window
        try:
            # The waiting sends' drafts too: found again beside their jobs after a restart.
            self._store.save(w.desk.drafts_to_save(), w.draft)
        except OSError as error:
            log.warning("draft not saved: %s", type(error).__name__)
            w.statusBar().showMessage(tr("ui.draft.not_saved"))

    def restore_saved_drafts(self) -> None:
        w = self._window
        restored = self._store.load()
        if restored is None:
            return
        missing: list[str] = []
        kept = []
        for item in restored.drafts:
            if w.desk.restore(item.draft):
                # Journalled before a stop: the outbox sends it (once) and the desk keeps
                # the draft beside its job until it is delivered or given back.
                continue
            w.book.add(_addressable(item))
            missing.extend(item.missing_files)
            kept.append(item)
        if not kept:
            self.save_draft()
            return
        current = restored.current if restored.current in kept else kept[0]
        self.show_draft(current.draft)
        w.statusBar().showMessage(tr("ui.draft.restored", count=len(kept)))
        if missing:
            w.show_problem(tr("ui.draft.files_gone", names=", ".join(missing)))


def _addressable(restored: RestoredDraft) -> Draft:
    """A restored draft as the book keeps it. One saved before drafts belonged to their
    case may be a reply without a case: it becomes a new case with no recipients, so that
    it can be seen, kept or discarded, and goes to nobody until the clinician addresses it."""
    draft = restored.draft
    if draft.kind.answers_a_case and draft.case is None:
        draft.kind = MessageKind.NEW_CASE
    return draft
