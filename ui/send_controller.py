"""The send bar and what follows Send: the gate's first reason (a link to what needs
doing), the colleague's sign-off, the send journalled in the outbox, and the outbox job's
progress and end (``app.send.send_gate``, ``app.send.sending``, ``ui.outbox_runner``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from app.drafts.desk import TAKEN_BACK, Outcome
from app.drafts.message_draft import Draft
from app.outbox import JobState, KeyInOutbox, OutboxJob
from app.send import send_gate
from app.send.sending import enqueue_draft
from ui.accessibility import announce
from ui.errors import code_text, gateway_error_text
from ui.i18n import shortened, size_text, tr
from ui.review_dialog import ReviewDialog
from ui.workers import run_in_background

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class SendController(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.reasons: list[send_gate.Reason] = []
        #: True from Send until the job is journalled (or refused before that).
        self.sending = False
        self.review_dialog: ReviewDialog | None = None
        runner = window.outbox_runner
        runner.progressed.connect(self._job_progressed)
        runner.ended.connect(self.job_ended)
        runner.resuming.connect(self._outbox_resuming)
        runner.resumed.connect(self._outbox_resumed)

    # -- the send bar -----------------------------------------------------------------

    def update_gate(self) -> None:
        w = self._window
        self.reasons = send_gate.reasons(w.draft)
        sign_off_only = send_gate.only_sign_off_missing(self.reasons)
        w.attachments.show_sign_off()  # beside the file: signed off, or not (any more)
        if self.sending:
            w.reason_button.setText(tr("ui.send.sending"))
            w.send_button.setEnabled(False)
        elif not self.reasons:
            w.reason_button.setText(tr("ui.send.ready"))
            w.send_button.setText(tr("ui.send.send"))
            w.send_button.setEnabled(True)
        else:
            first = self.reasons[0]
            # What the clinician typed goes into the sentence cut to a readable length.
            params = {
                k: shortened(v) if isinstance(v, str) else v for k, v in first.param_dict.items()
            }
            w.reason_button.setText(tr(first.code, **params))
            w.send_button.setText(
                tr("ui.send.ask_colleague") if sign_off_only else tr("ui.send.send")
            )
            w.send_button.setEnabled(sign_off_only)
        if not self.sending:
            w.drafts.save_soon()
        if w.send_button.toolTip() != w.reason_button.text():
            announce(w.reason_button, w.reason_button.text())  # what now stands before Send
        w.send_button.setToolTip(w.reason_button.text())
        # The sentence that stands between the clinician and Send is the thing to read.
        colour = "#1b6e20" if not self.reasons else "#8a4b00"
        w.reason_button.setStyleSheet(
            f"text-align: left; padding: 4px; font-weight: bold; color: {colour};"
        )
        w.gate_changed.emit()

    def go_to_first_reason(self) -> None:
        """The send bar's sentence is a link: it goes to what needs doing."""
        if not self.reasons:
            return
        w, reason = self._window, self.reasons[0]
        if reason.attachment_id:
            w.attachments.select(reason.attachment_id)
            attachment = w.draft.attachment(reason.attachment_id)
            if attachment is not None:
                if w.preview.attachment is not attachment:
                    w.preview.show_attachment(attachment, reason.page or 0)
                elif reason.page is not None:
                    w.preview.go_to(reason.page)
            # The keys then act on it: PageDown through an unseen page, Delete on a file
            # that cannot be sent.
            if reason.target is send_gate.Target.PAGE:
                w.preview.scroll_area.setFocus()
            else:
                w.attachments.list.setFocus()
            return
        focus: QWidget | None = {
            send_gate.Target.SUBJECT: w.compose.subject_edit,
            send_gate.Target.BODY: w.compose.body_edit,
            send_gate.Target.RECIPIENTS: w.compose.recipients_edit,
            send_gate.Target.CASE: w.case_list,
            send_gate.Target.ATTACHMENTS: w.attachments.list,
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
        w = self._window
        waiting = w.desk.waiting_for_case(w.draft.case_id)
        if waiting is None or not w.desk.asks_before_sending(w.draft):
            self.send()
            return
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Bifoga",
            tr("ui.waiting.second_question", subject=shortened(waiting.job.message.subject)),
            yes | no,
            w,
        )
        box.setObjectName("second-send-question")
        box.setDefaultButton(no)
        box.button(yes).setText(tr("ui.waiting.send_too"))
        box.button(no).setText(tr("ui.waiting.dont_send"))
        draft = w.draft
        box.finished.connect(
            lambda result: self.send() if result == yes and w.draft is draft else None
        )
        box.open()

    # -- the colleague's sign-off --------------------------------------------------------

    def ask_colleague(self) -> None:
        w = self._window
        dialog = ReviewDialog(w.services, w.draft, w.staff, w)
        self.review_dialog = dialog
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _result: self._review_finished(dialog))
        dialog.open()

    def _review_finished(self, dialog: ReviewDialog) -> None:
        w = self._window
        self.review_dialog = None
        signed = dialog.sign_off
        if signed is not None:
            w.draft.sign_off = signed
            w.audit_event(lambda a: a.sign_off(signed.reviewer_id, signed.digest))
            w.statusBar().showMessage(
                tr("ui.review.approved_status", reviewer=signed.reviewer_name)
            )
        elif dialog.decline_reason:
            w.show_problem(tr("ui.review.declined_status", reason=dialog.decline_reason))
        dialog.deleteLater()
        self.update_gate()

    # -- the send, journalled, and its job -------------------------------------------------

    def send(self) -> None:
        """Journal the send in the outbox (before a byte leaves), then let it run: the
        draft is done with, and the job finishes even through a crash."""
        w = self._window
        draft, outbox, staff_id = w.draft, w.services.outbox, w.staff.staff_id
        # The focus waits on the send bar (its reason says "Skickar"), so it does not run
        # through the message's controls as they are disabled behind it.
        w.reason_button.setFocus()
        self.sending = True
        self.update_gate()
        w.statusBar().showMessage(tr("ui.send.sending"))
        run_in_background(
            w,
            lambda: enqueue_draft(draft, outbox, staff_id),
            lambda job: self._enqueued(job, draft),
            self._send_failed,
        )

    def _enqueued(self, job: OutboxJob, draft: Draft) -> None:
        self.sending = False
        w = self._window
        # Its files belong to the job now; the desk keeps the draft beside the job, shown
        # on its case, until it is delivered or given back (app/drafts/desk.py).
        w.waiting.handed_over(job, draft)
        w.originals.expect(job.job_id, draft.attachments)
        w.drafts.forget_draft(draft, keep_files=True)
        if draft.kind.answers_a_case and draft.case is not None and w.draft.case is None:
            w.drafts.select_case(draft.case)  # the case stays on screen, with what waits
        w.outbox_runner.start(job.job_id)

    def _send_failed(self, error: BaseException) -> None:
        # Nothing was journalled: the draft stays as it is, with the same idempotency key.
        self.sending = False
        self.update_gate()
        if isinstance(error, KeyInOutbox):
            self._window.show_problem(tr(error.code))
        else:
            self._window.show_problem(tr("ui.send.failed", reason=gateway_error_text(error)))

    def _job_progressed(self, job: OutboxJob) -> None:
        status = self._window.statusBar()
        if job.state is JobState.UPLOADING and job.bytes_total:
            done, total = size_text(job.bytes_done), size_text(job.bytes_total)
            count = len(job.message.recipients)
            status.showMessage(tr("ui.send.uploading", done=done, total=total, count=count))
        elif job.state is JobState.SENDING:
            status.showMessage(tr("ui.send.sending"))
        self._window.waiting.job_moved(job)
        self._window.job_changed.emit(job)

    def job_ended(self, job: OutboxJob) -> None:
        """An outbox job ended: delivered, refused by the gateway, or left to be acted on."""
        w = self._window
        outcome = w.waiting.job_ended(job)  # a refused job's draft is back under its case
        w.job_changed.emit(job)
        w.originals.job_ended(job.job_id, job.state)
        if job.state is JobState.DELIVERED:
            self._send_finished(job)
            return
        if outcome is Outcome.NOT_OURS or job.error_code == TAKEN_BACK:
            return
        reason = code_text(job.error_code or "outbox.bad_answer")
        if outcome is Outcome.RETURNED:
            w.show_problem(tr("ui.send.refused_back_to_draft", reason=reason))
        else:
            w.show_problem(tr("ui.send.not_finished", reason=reason))

    def _send_finished(self, job: OutboxJob) -> None:
        """A send finished: the message is delivered and its working copies are gone.
        What else follows a delivered message belongs here (the draft sent, with its
        attachments' ``original``, is ``job_ended``'s; None for a job resumed at start)."""
        w = self._window
        self._audit_send(job)
        w.statusBar().showMessage(tr("ui.send.sent", count=len(job.deliveries)))
        w.drafts.load_cases()  # a reply answers its case; a counter-question makes it wait
        if job.message_id:
            w.message_sent.emit(job.message_id)

    def _audit_send(self, job: OutboxJob) -> None:
        message, message_id = job.message, job.message_id
        if message_id is None:
            return
        self._window.audit_event(
            lambda a: a.send(
                message_id,
                str(message.kind),
                message.case_id,
                list(message.recipients),
                [f.sha256 for f in message.attachments],
            )
        )

    def _outbox_resuming(self, count: int) -> None:
        key = "ui.outbox.resuming_one" if count == 1 else "ui.outbox.resuming"
        self._window.statusBar().showMessage(tr(key, count=count))

    def _outbox_resumed(self, jobs: list[OutboxJob]) -> None:
        delivered = sum(1 for job in jobs if job.state is JobState.DELIVERED)
        if delivered == len(jobs):
            key = "ui.outbox.resumed_all_one" if delivered == 1 else "ui.outbox.resumed_all"
            self._window.statusBar().showMessage(tr(key, count=delivered))
