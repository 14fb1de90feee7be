""" "Fel fil skickad": the deviation routine, walked through in one window.

From a sent message: name the wrong files, ask the gateway to retract them from the
residents' inboxes (and follow it until done), and have everything the instruction asks
for in front of you: the IMY deadline when personal data was involved, whom to contact and
why, the deletion request for the region's service portal, and the deviation report to
copy or save as an accessible PDF. The rules are in :mod:`app.after_send.wrong_file` and
:mod:`app.deviation`; this window asks and shows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.after_send.sent_list import SentItem
from app.after_send.wrong_file import report_for, retractions_by_file
from app.config.settings import Contact
from app.deviation import (
    DeviationInputError,
    DeviationReport,
    Retraction,
    RetractionStatus,
    contacts_for_report,
    deletion_request,
    imy_deadline,
    plain_text,
)
from app.deviation.contacts import names_only_its_role, reach
from app.gateway.client import GatewayClient
from app.protocol.model import Staff
from ui.common.accessibility import LiveLabel, expose_values
from ui.common.errors import gateway_error_text
from ui.common.i18n import language, tr
from ui.common.workers import run_in_background

#: How often the retraction's status is asked for while it is not done, and how many times.
POLL_MS = 1_500
POLL_TIMES = 40


class WrongFileDialog(QDialog):
    """Not modal: the clinician may need the sent list or the phone meanwhile."""

    #: The report changed (for tests and the audit trail): the report as it is now.
    report_changed = Signal(object)
    #: The retraction was asked for, or its status changed.
    retraction_changed = Signal()
    #: For the audit trail: the retraction asked for (message id, the files' SHA-256),
    retraction_requested = Signal(str, list)
    #: its end as the gateway says it ("done" or "refused"),
    retraction_finished = Signal(str, list, str)
    #: and the report made (copied or saved: message id, files, the report's SHA-256).
    report_made = Signal(str, list, str)

    def __init__(
        self,
        item: SentItem,
        *,
        sender: Staff,
        client: GatewayClient,
        contacts: Sequence[Contact],
        portal_url: str,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("wrong-file")
        self.setWindowTitle(tr("ui.wrong.title"))
        self._item = item
        self._sender = sender
        self._client = client
        self._contacts = list(contacts)
        self._portal_url = portal_url
        # The mistake was found when the clinician said so: now.
        self.found_at = dt.datetime.now(dt.UTC)
        self._retractions: dict[str, Retraction] = {}
        self._polls = 0
        self._told: set[tuple[str, tuple[str, ...]]] = set()
        self.report: DeviationReport | None = None

        outer = QVBoxLayout(self)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        layout = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        intro = QLabel(tr("ui.wrong.intro", subject=item.subject, count=len(item.recipients)))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        # 1. Which files went wrong
        layout.addWidget(_heading(tr("ui.wrong.step_files")))
        grid = QGridLayout()
        self.wrong_boxes: dict[str, QCheckBox] = {}
        self.health_boxes: dict[str, QCheckBox] = {}
        for row, file in enumerate(item.files):
            wrong = QCheckBox(tr("ui.wrong.file_wrong", name=file.filename))
            wrong.setChecked(True)
            wrong.toggled.connect(self._answers_changed)
            health = QCheckBox(tr("ui.wrong.file_health"))
            health.toggled.connect(self._answers_changed)
            self.wrong_boxes[file.sha256] = wrong
            self.health_boxes[file.sha256] = health
            grid.addWidget(wrong, row, 0)
            grid.addWidget(health, row, 1)
        layout.addLayout(grid)

        # 2. Retraction from the inboxes
        layout.addWidget(_heading(tr("ui.wrong.step_retract")))
        reason_row = QHBoxLayout()
        reason_label = QLabel(tr("ui.wrong.reason"))
        self.reason = QLineEdit(tr("ui.wrong.reason_default"))
        self.reason.setAccessibleName(tr("ui.wrong.reason_plain"))
        reason_label.setBuddy(self.reason)
        reason_row.addWidget(reason_label)
        reason_row.addWidget(self.reason, 1)
        self.retract_button = QPushButton(tr("ui.wrong.retract"))
        self.retract_button.clicked.connect(self.request_retraction)
        reason_row.addWidget(self.retract_button)
        layout.addLayout(reason_row)
        self.retraction_status = LiveLabel(tr("ui.wrong.retraction_not_requested"))
        self.retraction_status.setWordWrap(True)
        self.retraction_status.setAccessibleName(tr("ui.wrong.retraction_status"))
        layout.addWidget(self.retraction_status)

        # 3. The IMY deadline and whom to contact
        layout.addWidget(_heading(tr("ui.wrong.step_contacts")))
        self.imy_label = QLabel()
        self.imy_label.setWordWrap(True)
        self.imy_label.setObjectName("imy")
        self.imy_label.setStyleSheet("font-weight: bold; color: #8a1c1c;")
        layout.addWidget(self.imy_label)
        self.contacts_label = QLabel()
        self.contacts_label.setWordWrap(True)
        self.contacts_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.contacts_label)

        # 4. The deletion request for the service portal
        layout.addWidget(_heading(tr("ui.wrong.step_deletion")))
        self.deletion_where = QLabel()
        self.deletion_where.setWordWrap(True)
        layout.addWidget(self.deletion_where)
        self.deletion_text = QPlainTextEdit()
        self.deletion_text.setReadOnly(True)
        self.deletion_text.setTabChangesFocus(True)
        self.deletion_text.setAccessibleName(tr("ui.wrong.deletion_text"))
        self.deletion_text.setMinimumHeight(110)
        layout.addWidget(self.deletion_text)
        deletion_buttons = QHBoxLayout()
        self.copy_deletion_button = QPushButton(tr("ui.wrong.copy_deletion"))
        self.copy_deletion_button.clicked.connect(
            lambda: self._copy(self.deletion_text.toPlainText(), "ui.wrong.copied_deletion")
        )
        self.portal_button = QPushButton(tr("ui.wrong.open_portal"))
        self.portal_button.clicked.connect(self._open_portal)
        deletion_buttons.addWidget(self.copy_deletion_button)
        deletion_buttons.addWidget(self.portal_button)
        deletion_buttons.addStretch(1)
        layout.addLayout(deletion_buttons)

        # 5. The deviation report
        layout.addWidget(_heading(tr("ui.wrong.step_report")))
        self.report_text = QPlainTextEdit()
        self.report_text.setReadOnly(True)
        self.report_text.setTabChangesFocus(True)
        self.report_text.setAccessibleName(tr("ui.wrong.report_text"))
        self.report_text.setMinimumHeight(180)
        layout.addWidget(self.report_text)

        self.status = LiveLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.wrong.status"))
        outer.addWidget(self.status)
        buttons = QHBoxLayout()
        self.copy_report_button = QPushButton(tr("ui.wrong.copy_report"))
        self.copy_report_button.clicked.connect(self._copy_report)
        self.save_pdf_button = QPushButton(tr("ui.wrong.save_pdf"))
        self.save_pdf_button.clicked.connect(self.ask_save_pdf)
        close = QPushButton(tr("ui.close_button"))
        close.clicked.connect(self.close)
        buttons.addWidget(self.copy_report_button)
        buttons.addWidget(self.save_pdf_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        outer.addLayout(buttons)

        self._poll = QTimer(self)
        self._poll.setSingleShot(True)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self._ask_status)
        self.resize(min(900, parent.width()), min(680, parent.height()))
        self._answers_changed()
        self._ask_status()  # a retraction asked for earlier shows at once
        expose_values(self)  # the retraction's state, not only its caption

    # -- the answers and the report ------------------------------------------------------

    def wrong_files(self) -> set[str]:
        return {sha for sha, box in self.wrong_boxes.items() if box.isChecked()}

    def _answers_changed(self) -> None:
        for sha, health in self.health_boxes.items():
            health.setEnabled(self.wrong_boxes[sha].isChecked())
        wrong = self.wrong_files()
        self.retract_button.setEnabled(bool(wrong) and not self._all_retracted(wrong))
        try:
            report = report_for(
                self._item,
                sender=self._sender,
                wrong_files=wrong,
                health_files={s for s, b in self.health_boxes.items() if b.isChecked()},
                retractions=self._retractions,
                found_at=self.found_at,
            )
        except DeviationInputError as error:
            self.report = None
            self.status.setText(tr(error.code, **error.params))
            for widget in (self.copy_report_button, self.save_pdf_button):
                widget.setEnabled(False)
            return
        self.report = report
        for widget in (self.copy_report_button, self.save_pdf_button):
            widget.setEnabled(True)
        self.status.clear()
        self._show(report)
        self.report_changed.emit(report)

    def _show(self, report: DeviationReport) -> None:
        lang, now = language(), dt.datetime.now(dt.UTC)
        deadline = imy_deadline(report)
        if deadline is None:
            self.imy_label.setText(tr("deviation.imy.not_needed"))
        else:
            left = deadline.time_left(now)
            when = deadline.deadline_in_sweden.strftime("%Y-%m-%d %H:%M")
            code = "deviation.imy.overdue" if left.overdue else "deviation.imy.time_left"
            self.imy_label.setText(
                tr("deviation.imy.deadline", deadline=when)
                + " "
                + tr(code, hours=left.hours, minutes=left.minutes)
            )
        lines = []
        for advice in contacts_for_report(report, self._contacts):
            role = tr(f"deviation.contact.role.{advice.role.value}")
            reason = tr(advice.reason)
            contact = advice.contact
            if contact is None:
                lines.append(
                    "• " + tr("deviation.contact.not_configured", role=role, reason=reason)
                )
                continue
            how = reach(contact)  # numbers with no-break spaces: they never wrap
            if names_only_its_role(contact, role):  # "Närmaste chef" is said once
                line = tr("deviation.contact.role_only", role=role, reason=reason)
            else:
                line = tr("deviation.contact.named", role=role, name=contact.name, reason=reason)
            lines.append("• " + line + (f" ({how})" if how else ""))
        self.contacts_label.setText("\n".join(lines))
        request = deletion_request(report, portal_url=self._portal_url, lang=lang)
        if not request.files:
            self.deletion_where.setText(tr("deviation.deletion.not_needed"))
        elif request.portal_url is None:
            self.deletion_where.setText(
                tr(request.portal_problem or "deviation.deletion.portal_missing")
            )
        else:
            self.deletion_where.setText(tr("deviation.deletion.where", url=request.portal_url))
        self.deletion_text.setPlainText(request.text if request.files else "")
        # No request to make: no empty box, only the sentence that says why.
        self.deletion_text.setVisible(bool(request.files))
        self.copy_deletion_button.setEnabled(bool(request.files))
        self.portal_button.setEnabled(bool(request.files) and request.portal_url is not None)
        self._deletion_url = request.portal_url
        self.report_text.setPlainText(
            plain_text(
                report, contacts=self._contacts, portal_url=self._portal_url, now=now, lang=lang
            )
        )

    # -- the retraction ------------------------------------------------------------------

    def request_retraction(self) -> None:
        wrong = sorted(self.wrong_files())
        reason = self.reason.text().strip() or tr("ui.wrong.reason_default")
        message_id = self._item.message_id
        if not wrong or message_id is None:
            return
        self.retract_button.setEnabled(False)
        self.retraction_status.setText(tr("ui.wrong.retraction_sending"))
        client = self._client
        run_in_background(
            self,
            lambda: client.request_retraction(message_id, reason, wrong),
            lambda _answer: self._requested(message_id, wrong),
            self._retraction_failed,
        )

    def _requested(self, message_id: str, wrong: list[str]) -> None:
        self.retraction_requested.emit(message_id, wrong)
        self._ask_status()

    def _retraction_failed(self, error: BaseException) -> None:
        self.retract_button.setEnabled(True)
        self.retraction_status.setText(
            tr("ui.wrong.retraction_failed", reason=gateway_error_text(error))
        )

    def _ask_status(self) -> None:
        message_id = self._item.message_id
        if message_id is None:
            return
        client = self._client
        run_in_background(
            self, lambda: client.retractions(message_id), self._status_known, self._status_unknown
        )

    def _status_known(self, requests: list[dict[str, object]]) -> None:
        self._retractions = retractions_by_file(requests)
        wrong = self.wrong_files()
        states = [self._retractions[s].status for s in wrong if s in self._retractions]
        message_id = self._item.message_id or ""
        if not states:
            text = tr("ui.wrong.retraction_not_requested")
        elif all(s is RetractionStatus.DONE for s in states) and len(states) == len(wrong):
            text = tr("ui.wrong.retraction_done")
            self._finished_once(message_id, sorted(wrong), "done")
        elif any(s is RetractionStatus.REFUSED for s in states):
            text = tr("ui.wrong.retraction_refused")
            self._finished_once(message_id, sorted(wrong), "refused")
        else:
            text = tr("ui.wrong.retraction_requested")
            self._polls += 1
            if self._polls <= POLL_TIMES:
                self._poll.start()
        self.retraction_status.setText(text)
        self._answers_changed()
        self.retraction_changed.emit()

    def _finished_once(self, message_id: str, files: list[str], status: str) -> None:
        if (status, tuple(files)) not in self._told:
            self._told.add((status, tuple(files)))
            self.retraction_finished.emit(message_id, files, status)

    def _status_unknown(self, error: BaseException) -> None:
        self.retraction_status.setText(
            tr("ui.wrong.retraction_unknown", reason=gateway_error_text(error))
        )

    def _all_retracted(self, wrong: set[str]) -> bool:
        return all(
            self._retractions.get(s, Retraction()).status
            in (RetractionStatus.DONE, RetractionStatus.REQUESTED)
            for s in wrong
        )

    # -- copy, save, open ----------------------------------------------------------------

    def _copy_report(self) -> None:
        text = self.report_text.toPlainText()
        self._copy(text, "ui.wrong.copied_report")
        self._report_made(text.encode("utf-8"))

    def _report_made(self, content: bytes) -> None:
        if self.report is not None:
            files = sorted(f.sha256 for f in self.report.wrong_files)
            digest = hashlib.sha256(content).hexdigest()
            self.report_made.emit(self._item.message_id or "", files, digest)

    def _copy(self, text: str, done_code: str) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(text)
            self.status.setText(tr(done_code))

    def _open_portal(self) -> None:
        if self._deletion_url:
            QDesktopServices.openUrl(QUrl(self._deletion_url))

    def ask_save_pdf(self) -> None:
        if self.report is None:
            return
        name = tr("ui.wrong.pdf_name", message_id=self._item.message_id or "")
        path, _ = QFileDialog.getSaveFileName(
            self, tr("ui.wrong.save_pdf_title"), str(Path.home() / name), "PDF (*.pdf)"
        )
        if path:
            self.save_pdf(Path(path))

    def save_pdf(self, path: Path) -> None:
        """Write the report as a tagged PDF (pikepdf and fontTools: off the GUI thread)."""
        report = self.report
        if report is None:
            return
        contacts, portal, lang = self._contacts, self._portal_url, language()
        now = dt.datetime.now(dt.UTC)
        self.save_pdf_button.setEnabled(False)

        def work() -> tuple[Path, bytes]:
            from app.deviation.report_pdf import report_pdf

            data = report_pdf(report, contacts=contacts, portal_url=portal, now=now, lang=lang)
            target = path if path.suffix.lower() == ".pdf" else path.with_suffix(".pdf")
            target.write_bytes(data)
            return target, data

        run_in_background(self, work, self._saved, self._save_failed)

    def _saved(self, written: tuple[Path, bytes]) -> None:
        path, data = written
        self._report_made(data)
        self.save_pdf_button.setEnabled(True)
        self.status.setText(tr("ui.wrong.saved_pdf", path=str(path)))
        self.pdf_saved.emit(str(path))

    def _save_failed(self, error: BaseException) -> None:
        self.save_pdf_button.setEnabled(True)
        self.status.setText(tr("ui.wrong.save_failed", reason=type(error).__name__))

    pdf_saved = Signal(str)


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label
