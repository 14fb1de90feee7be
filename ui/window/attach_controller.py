"""The window's side of attaching: files chosen or dropped go, one at a time, through
:class:`app.drafts.attach.AttachPipeline` off the GUI thread, and the typed outcome is shown;
then each file waits for its inspection, and its pages for the clinician's eyes.

Every rule (what is refused, what is a duplicate, when a working copy changed) is the
pipeline's, and which draft holds a file is the desk's (:class:`app.drafts.desk.Desk`); this
module only keeps the draft, the list and the preview in step with it. It receives its
collaborators and speaks through signals that the composition root connects.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from app.drafts.attach import (
    AttachOutcome,
    AttachPipeline,
    Duplicate,
    Refused,
    Staged,
    Turns,
    inspection_not_run,
)
from app.drafts.desk import Desk
from app.drafts.message_draft import Attachment, Draft
from app.inspection.report import InspectionReport
from app.protocol.model import MAX_ATTACHMENTS_PER_MESSAGE
from app.storage.staging import StagedFile, StagingArea
from ui.common.errors import gateway_error_text
from ui.common.i18n import tr
from ui.common.workers import run_in_background
from ui.preview.first_page import FirstPageAhead, confirm_staged, stage_after_first_page
from ui.preview.pane import PreviewPane
from ui.window.attachments import AttachmentsPanel

FILE_DIALOG_FILTER = "PDF, PNG, JPEG, GIF (*.pdf *.png *.jpg *.jpeg *.gif)"


@dataclass(frozen=True, slots=True, eq=False)
class _Chosen:
    """A file the clinician chose, and the draft it was chosen for (whichever draft is
    on screen when it is ready, the file goes to this one)."""

    path: Path
    draft: Draft


class AttachController(QObject):
    #: Something the send gate reads changed (a file added, removed, seen, inspected).
    changed = Signal()
    #: A file arrived for a draft that is not on screen (to be saved, and its case marked).
    other_draft_changed = Signal()
    #: An attachment's inspection report arrived (attachment id).
    inspected = Signal(str)
    #: An audit record to write (called with the session's ``AuditSession``).
    audit = Signal(object)
    #: A sentence for the status bar ("" clears it).
    status = Signal(str)
    #: A sentence for a warning box.
    problem = Signal(str)

    def __init__(
        self,
        desk: Desk,
        pipeline: AttachPipeline,
        staging: StagingArea,
        preview: PreviewPane,
        files: AttachmentsPanel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self.pipeline = pipeline
        self._staging = staging
        self._preview = preview
        self._files = files
        self._parent = parent
        # A file whose draft was sent or discarded while it waited is not attached; one
        # removed while it waited for its inspection is not inspected.
        self._attaching: Turns[_Chosen] = Turns(lambda chosen: desk.holds(chosen.draft))
        self._inspections: Turns[Attachment] = Turns(
            lambda attachment: desk.draft_holding(attachment) is not None
        )

    # -- choosing files -------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self._parent, tr("ui.window.attachments.choose"), str(Path.home()), FILE_DIALOG_FILTER
        )
        self.add_files([Path(p) for p in paths])

    def add_files(self, paths: list[Path]) -> None:
        draft = self.desk.current
        for path in paths:
            waiting = sum(1 for chosen in self._attaching if chosen.draft is draft)
            if len(draft.attachments) + waiting >= MAX_ATTACHMENTS_PER_MESSAGE:
                self.problem.emit(
                    tr("ui.window.attachments.limit", limit=MAX_ATTACHMENTS_PER_MESSAGE)
                )
                break
            self._attaching.add(_Chosen(path, draft))
        self._attach_next()

    # -- one attach: into app/drafts/attach.py and back once -------------------------------------

    def _attach_next(self) -> None:
        chosen = self._attaching.next()
        if chosen is None:
            return
        try:
            self._start_attach(chosen)
        except BaseException:
            self._attaching.done()  # the files after it must not wait for ever
            raise

    def _start_attach(self, chosen: _Chosen) -> None:
        path = chosen.path
        self.status.emit(tr("ui.window.attachments.staging", name=path.name))
        # A PDF's first page is drawn from the chosen file first, and shown at once; it
        # is taken as the staged copy's page only once confirmed to be it.
        ahead = self._preview.draw_ahead(path)
        hashes = frozenset(a.sha256 for a in chosen.draft.attachments)
        pipeline = self.pipeline

        def confirm(staged: StagedFile) -> bool:
            return confirm_staged(ahead, staged)

        stage_after_first_page(
            self,
            ahead,
            lambda: pipeline.attach(path, hashes, confirm),
            lambda outcome: self._attached(outcome, chosen, ahead),
            lambda error: self._attach_failed(error, chosen, ahead),
        )

    def _attached(
        self, outcome: AttachOutcome, chosen: _Chosen, ahead: FirstPageAhead | None
    ) -> None:
        try:
            if isinstance(outcome, Staged):
                self._add(outcome.attachment, chosen.draft, ahead)
            elif isinstance(outcome, Duplicate):
                self._drop_ahead(ahead)
                self.problem.emit(tr("ui.window.attachments.duplicate", name=outcome.filename))
            elif isinstance(outcome, Refused):
                self._drop_ahead(ahead)
                self.problem.emit(tr(outcome.code, **outcome.params))
        finally:
            self._attaching.done()
            self._attach_next()

    def _add(self, attachment: Attachment, draft: Draft, ahead: FirstPageAhead | None) -> None:
        if not self.desk.holds(draft):  # sent or discarded meanwhile
            self._drop_ahead(ahead)
            self._staging.discard(attachment.staged)
            return
        draft.attachments.append(attachment)
        self.inspect(attachment)
        if draft is not self.desk.current:  # another draft is on screen now: it stays there
            self._drop_ahead(ahead)
            self.other_draft_changed.emit()
            return
        self.status.emit("")
        self._files.refresh()
        self._files.select(attachment.id)  # shown: its first page drawn ahead with it
        self._drop_ahead(ahead)  # not taken (not confirmed): drawn again from the copy
        self.changed.emit()

    def _attach_failed(
        self, error: BaseException, chosen: _Chosen, ahead: FirstPageAhead | None
    ) -> None:
        try:
            self._drop_ahead(ahead)
            name, reason = chosen.path.name, gateway_error_text(error)
            self.problem.emit(tr("ui.window.attachments.stage_failed", name=name, reason=reason))
        finally:
            self._attaching.done()
            self._attach_next()

    def _drop_ahead(self, ahead: FirstPageAhead | None) -> None:
        preview = self._preview
        if preview.drop_ahead(ahead):  # its page was on screen: show what belongs there
            current = self._files.current()
            left = preview.left_for_ahead
            if current is not None and left is not None and left[0] == current.id:
                preview.show_attachment(current, left[1])  # the page being read
            elif current is not None:
                self.attachment_selected(current.id)

    # -- inspection, one at a time -------------------------------------------------------

    def inspect(self, attachment: Attachment) -> None:
        """Inspect ``attachment`` in its turn (again, for a restored draft's files)."""
        if attachment not in self._inspections:
            self._inspections.add(attachment)
            self._next_inspection()

    def inspect_unchecked(self, draft: Draft) -> None:
        """A draft put on screen: its files not inspected yet (restored) are, in turn."""
        for attachment in draft.attachments:
            if attachment.report is None:
                self.inspect(attachment)

    def _next_inspection(self) -> None:
        """The inspect worker does one file at a time anyway, and a file waiting for it must
        not hold a thread of the pool meanwhile (the preview and the gateway need them)."""
        attachment = self._inspections.next()
        if attachment is None:
            return
        owner = self.desk.draft_holding(attachment) or self.desk.current
        recipients, kind, pipeline = owner.recipients, owner.kind, self.pipeline
        run_in_background(
            self,
            lambda: pipeline.inspect(attachment, recipients, kind),
            lambda report: self._inspected(attachment, report),
            lambda error: self._inspected(attachment, inspection_not_run(error)),
        )

    def _inspected(self, attachment: Attachment, report: InspectionReport) -> None:
        try:
            attachment.report = report
            verdict = report.verdict.value
            media_type = attachment.media_type
            self.audit.emit(lambda a: a.attach(attachment.sha256, media_type, verdict))
            if attachment.page_count is None and report.pages:
                attachment.page_count = report.pages
            if self.desk.draft_holding(attachment) is self.desk.current:
                self.attachment_changed(attachment)
            self.inspected.emit(attachment.id)
        finally:
            self._inspections.done()
            self._next_inspection()

    # -- the files of the draft on screen ------------------------------------------------

    def remove_attachment(self, attachment_id: str) -> None:
        draft = self.desk.current
        attachment = draft.attachment(attachment_id)
        if attachment is None:
            return
        draft.attachments.remove(attachment)
        self._staging.discard(attachment.staged)
        if self._preview.attachment is attachment:
            self._preview.show_attachment(None)
        self._files.refresh()
        self.changed.emit()

    def attachment_selected(self, attachment_id: str) -> None:
        attachment = self.desk.current.attachment(attachment_id)
        if attachment is not None and self._preview.attachment is not attachment:
            first_unseen = attachment.unseen_pages[:1]
            self._preview.show_attachment(attachment, first_unseen[0] if first_unseen else 0)

    def page_seen(self, attachment_id: str, page: int) -> None:
        attachment = self.desk.current.attachment(attachment_id)
        if attachment is not None and page not in attachment.seen_pages:
            attachment.seen_pages.add(page)
            self.audit.emit(lambda a: a.page_seen(attachment.sha256, page + 1))
            self.attachment_changed(attachment)

    def page_count_known(self, attachment_id: str, count: int) -> None:
        attachment = self.desk.current.attachment(attachment_id)
        if attachment is not None and attachment.page_count is None:
            attachment.page_count = count
            self.attachment_changed(attachment)

    def attachment_changed(self, attachment: Attachment) -> None:
        self._files.refresh()
        if self._preview.attachment is attachment:
            self._preview.refresh_progress()
        self.changed.emit()
