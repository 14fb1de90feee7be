"""The send bar and what follows Send: the gate's first reason (a link to what needs
doing), the colleague's sign-off, the send journalled in the outbox, and the outbox job's
progress and end (``app.send.send_gate``, ``app.send.sending``, ``ui.window.outbox_runner``).

It receives its collaborators (the desk, the services, the send bar's buttons and the
views a reason leads to) and speaks through signals that the composition root connects.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QListWidget, QMessageBox, QPushButton, QWidget

from app.drafts.desk import TAKEN_BACK, Desk, Outcome
from app.drafts.message_draft import Draft
from app.outbox import JobState, KeyInOutbox, OutboxJob
from app.protocol.model import Staff
from app.runtime.services import Services
from app.send import send_gate
from app.send.sending import enqueue_draft
from ui.common.accessibility import announce
from ui.common.errors import code_text, gateway_error_text
from ui.common.i18n import shortened, size_text, tr
from ui.common.workers import run_in_background
from ui.dialogs.review import ReviewDialog
from ui.preview.pane import PreviewPane
from ui.window.attachments import AttachmentsPanel
from ui.window.compose import ComposeView


@dataclass(frozen=True, slots=True)
class SendBar:
    """The widgets the send bar drives, and those its first reason leads to."""

    reason_button: QPushButton
    send_button: QPushButton
    compose: ComposeView
    files: AttachmentsPanel
    preview: PreviewPane
    case_list: QListWidget


class SendController(QObject):
    #: The send gate was evaluated again.
    gate_changed = Signal()
    #: The draft changed and is worth saving soon (not while a send is journalled).
    edited = Signal()
    #: A send was journalled: (job, the draft it left).
    handed_over = Signal(object, object)  # OutboxJob, Draft
    #: A message was delivered (the job).
    delivered = Signal(object)  # OutboxJob
    #: An audit record to write (called with the session's ``AuditSession``).
    audit = Signal(object)
    #: A sentence for the status bar.
    status = Signal(str)
    #: A sentence for a warning box.
    problem = Signal(str)

    def __init__(
        self, desk: Desk, services: Services, staff: Staff, bar: SendBar, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.desk = desk
        self._services = services
        self._staff = staff
        self._bar = bar
        self._parent = parent
        self.reasons: list[send_gate.Reason] = []
        #: True from Send until the job is journalled (or refused before that).
        self.sending = False
        self.review_dialog: ReviewDialog | None = None

    # -- the send bar -----------------------------------------------------------------

    def update_gate(self) -> None:
        bar = self._bar
        self.reasons = send_gate.reasons(self.desk.current)
        sign_off_only = send_gate.only_sign_off_missing(self.reasons)
        bar.files.show_sign_off()  # beside the file: signed off, or not (any more)
        if self.sending:
            bar.reason_button.setText(tr("ui.send.sending"))
            bar.send_button.setEnabled(False)
        elif not self.reasons:
            bar.reason_button.setText(tr("ui.send.ready"))
            bar.send_button.setText(tr("ui.send.send"))
            bar.send_button.setEnabled(True)
        else:
            first = self.reasons[0]
            # What the clinician typed goes into the sentence cut to a readable length.
            params = {
                k: shortened(v) if isinstance(v, str) else v for k, v in first.param_dict.items()
            }
            bar.reason_button.setText(tr(first.code, **params))
            bar.send_button.setText(
                tr("ui.send.ask_colleague") if sign_off_only else tr("ui.send.send")
            )
            bar.send_button.setEnabled(sign_off_only)
        if not self.sending:
            self.edited.emit()
        if bar.send_button.toolTip() != bar.reason_button.text():
            announce(bar.reason_button, bar.reason_button.text())  # what now stands before Send
        bar.send_button.setToolTip(bar.reason_button.text())
        # The sentence that stands between the clinician and Send is the thing to read.
        colour = "#1b6e20" if not self.reasons else "#8a4b00"
        bar.reason_button.setStyleSheet(
            f"text-align: left; padding: 4px; font-weight: bold; color: {colour};"
        )
        self.gate_changed.emit()

    def go_to_first_reason(self) -> None:
        """The send bar's sentence is a link: it goes to what needs doing."""
        if not self.reasons:
            return
        bar, reason = self._bar, self.reasons[0]
        if reason.attachment_id:
            bar.files.select(reason.attachment_id)
            attachment = self.desk.current.attachment(reason.attachment_id)
            if attachment is not None:
                if bar.preview.attachment is not attachment:
                    bar.preview.show_attachment(attachment, reason.page or 0)
                elif reason.page is not None:
                    bar.preview.go_to(reason.page)
            # The keys then act on it: PageDown through an unseen page, Delete on a file
            # that cannot be sent.
            if reason.target is send_gate.Target.PAGE:
                bar.preview.scroll_area.setFocus()
            else:
                bar.files.list.setFocus()
            return
        focus: QWidget | None = {
            send_gate.Target.SUBJECT: bar.compose.subject_edit,
            send_gate.Target.BODY: bar.compose.body_edit,
            send_gate.Target.RECIPIENTS: bar.compose.recipients_edit,
            send_gate.Target.CASE: bar.case_list,
            send_gate.Target.ATTACHMENTS: bar.files.list,
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
            self.send_after_asking()

    def send_after_asking(self) -> None:
        """Send; a second message to a case whose first is still on its way is asked
        about first (the default is not to send it)."""
        desk, draft = self.desk, self.desk.current
        waiting = desk.waiting_for_case(draft.case_id)
        if waiting is None or not desk.asks_before_sending(draft):
            self.send()
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Bifoga",
            tr("ui.waiting.second_question", subject=shortened(waiting.job.message.subject)),
            yes | no,
            self._parent,
        )
        box.setObjectName("second-send-question")
        box.setDefaultButton(no)
        box.button(yes).setText(tr("ui.waiting.send_too"))
        box.button(no).setText(tr("ui.waiting.dont_send"))
        box.finished.connect(
            lambda result: self.send() if result == yes and desk.current is draft else None
        )
        box.open()

    # -- the colleague's sign-off --------------------------------------------------------

    def ask_colleague(self) -> None:
        dialog = ReviewDialog(self._services, self.desk.current, self._staff, self._parent)
        self.review_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _result: self._review_finished(dialog))
        dialog.open()

    def _review_finished(self, dialog: ReviewDialog) -> None:
        self.review_dialog = None
        signed = dialog.sign_off
        if signed is not None:
            self.desk.current.sign_off = signed
            self.audit.emit(lambda a: a.sign_off(signed.reviewer_id, signed.digest))
            self.status.emit(tr("ui.review.approved_status", reviewer=signed.reviewer_name))
        elif dialog.decline_reason:
            self.problem.emit(tr("ui.review.declined_status", reason=dialog.decline_reason))
        dialog.deleteLater()
        self.update_gate()

    # -- the send, journalled, and its job -------------------------------------------------

    def send(self) -> None:
        """Journal the send in the outbox (before a byte leaves), then let it run: the
        draft is done with, and the job finishes even through a crash."""
        draft, outbox, staff_id = self.desk.current, self._services.outbox, self._staff.staff_id
        # The focus waits on the send bar (its reason says "Skickar"), so it does not run
        # through the message's controls as they are disabled behind it.
        self._bar.reason_button.setFocus()
        self.sending = True
        self.update_gate()
        self.status.emit(tr("ui.send.sending"))
        run_in_background(
            self,
            lambda: enqueue_draft(draft, outbox, staff_id),
            lambda job: self._enqueued(job, draft),
            self._send_failed,
        )

    def _enqueued(self, job: OutboxJob, draft: Draft) -> None:
        self.sending = False
        # Its files belong to the job now; the desk keeps the draft beside the job, shown
        # on its case, until it is delivered or given back (app/drafts/desk.py).
        self.handed_over.emit(job, draft)

    def _send_failed(self, error: BaseException) -> None:
        # Nothing was journalled: the draft stays as it is, with the same idempotency key.
        self.sending = False
        self.update_gate()
        if isinstance(error, KeyInOutbox):
            self.problem.emit(tr(error.code))
        else:
            self.problem.emit(tr("ui.send.failed", reason=gateway_error_text(error)))

    def job_progressed(self, job: OutboxJob) -> None:
        if job.state is JobState.UPLOADING and job.bytes_total:
            done, total = size_text(job.bytes_done), size_text(job.bytes_total)
            count = len(job.message.recipients)
            self.status.emit(tr("ui.send.uploading", done=done, total=total, count=count))
        elif job.state is JobState.SENDING:
            self.status.emit(tr("ui.send.sending"))

    def job_ended(self, job: OutboxJob, outcome: Outcome) -> None:
        """An outbox job ended: delivered, refused by the gateway, or left to be acted on
        (``outcome``: what it meant for the desk; a refused job's draft is back)."""
        if job.state is JobState.DELIVERED:
            self._send_finished(job)
            return
        if outcome is Outcome.NOT_OURS or job.error_code == TAKEN_BACK:
            return
        reason = code_text(job.error_code or "outbox.bad_answer")
        if outcome is Outcome.RETURNED:
            self.problem.emit(tr("ui.send.refused_back_to_draft", reason=reason))
        else:
            self.problem.emit(tr("ui.send.not_finished", reason=reason))

    def _send_finished(self, job: OutboxJob) -> None:
        """A send finished: the message is delivered and its working copies are gone.
        What else follows a delivered message belongs here (the draft sent, with its
        attachments' ``original``, is ``job_ended``'s; None for a job resumed at start)."""
        self._audit_send(job)
        self.status.emit(tr("ui.send.sent", count=len(job.deliveries)))
        # The root reloads the cases (a reply answers its case; a counter-question makes
        # it wait) and tells who listens for a sent message.
        self.delivered.emit(job)

    def _audit_send(self, job: OutboxJob) -> None:
        message, message_id = job.message, job.message_id
        if message_id is None:
            return
        self.audit.emit(
            lambda a: a.send(
                message_id,
                str(message.kind),
                message.case_id,
                list(message.recipients),
                [f.sha256 for f in message.attachments],
            )
        )

    def outbox_resuming(self, count: int) -> None:
        key = "ui.outbox.resuming_one" if count == 1 else "ui.outbox.resuming"
        self.status.emit(tr(key, count=count))

    def outbox_resumed(self, jobs: list[OutboxJob]) -> None:
        delivered = sum(1 for job in jobs if job.state is JobState.DELIVERED)
        if delivered == len(jobs):
            key = "ui.outbox.resumed_all_one" if delivered == 1 else "ui.outbox.resumed_all"
            self.status.emit(tr(key, count=delivered))
