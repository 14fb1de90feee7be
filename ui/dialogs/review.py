"""The second colleague's sign-off, on the sender's screen (docs/requirements.md R7).

This dialog is for the colleague: it shows who the message goes to, what kind it is,
and every attachment with personal data in the same preview, with the hits. The colleague
approves at the region's identity provider (protocol 1.2), never in Bifoga: a fresh
authentication for this sign-off (``prompt=login``, ``max_age=0``, the required ``acr``,
``nonce`` = the sign-off's digest) whose page shows the sign message
(``app.send.sign_message``); the colleague's id_token then goes to the gateway as the approval
(``POST /v1/reviews``), which checks it and binds it to exactly this message. No code of
the colleague passes through Bifoga. After a refusal the focus goes to a button, never to
a free-text field (where the colleague's next words would be typed in clear).
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config.texts import has_message
from app.drafts.message_draft import Draft, SignOff
from app.gateway.client import GatewayError, Review
from app.identity import TokenSet
from app.protocol.identifiers import mask
from app.protocol.model import Staff
from app.runtime.services import Services
from app.send.colleague_look import ColleagueLook
from app.send.sign_message import sign_message
from ui.common.accessibility import LiveLabel, expose_values
from ui.common.browser_login import BrowserLogin, BrowserWaitPanel, start_login
from ui.common.errors import gateway_error_text
from ui.common.i18n import tr, tr_plain
from ui.common.workers import run_in_background
from ui.preview.pane import PreviewPane


def _epoch(rfc3339: str) -> float:
    return dt.datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


class ReviewDialog(QDialog):
    def __init__(
        self, services: Services, draft: Draft, sender: Staff, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._services = services
        self.services = services  # whose browser the colleague's approval opens in
        self._draft = draft
        self._subject = draft.review_subject()
        self._sender = sender
        self.login: BrowserLogin | None = None
        self.sign_off: SignOff | None = None
        self.decline_reason = ""
        self.setWindowTitle(tr("ui.review.title"))
        #: The colleague's own pages seen (the sender's do not count): app/send/colleague_look.py.
        self.look = ColleagueLook(draft)
        if parent is not None:  # the preview takes most of it (at 1280×720 too)
            self.resize(parent.size() * 0.96)

        layout = QVBoxLayout(self)
        columns = QHBoxLayout()
        side = QWidget()
        side.setMaximumWidth(300)
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(tr("ui.review.intro", sender=sender.name))
        intro.setWordWrap(True)
        side_layout.addWidget(intro)

        summary = QFormLayout()
        summary.addRow(tr("ui.review.kind"), QLabel(tr_plain(f"ui.kind.{draft.kind.value}")))
        if draft.case is not None and draft.kind.answers_a_case:
            summary.addRow(
                tr("ui.review.case"), QLabel(f"{draft.case.subject} ({draft.case.case_id})")
            )
        self.recipients_label = QLabel(self._recipient_text())
        self.recipients_label.setWordWrap(True)
        self.recipients_label.setAccessibleName(tr("ui.review.recipients"))
        summary.addRow(tr("ui.review.recipients"), self.recipients_label)
        # The colleague approves the words that go with the files too: the sign-off is
        # bound to the subject and text, and any later edit voids it.
        self.subject_label = QLabel(draft.subject.strip())
        self.subject_label.setWordWrap(True)
        self.subject_label.setAccessibleName(tr("ui.review.subject"))
        self.subject_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        summary.addRow(tr("ui.review.subject"), self.subject_label)
        self.body_view = QPlainTextEdit(draft.body.strip())
        self.body_view.setReadOnly(True)
        self.body_view.setTabChangesFocus(True)
        self.body_view.setAccessibleName(tr("ui.review.body"))
        self.body_view.setMaximumHeight(90)
        summary.addRow(tr("ui.review.body"), self.body_view)
        side_layout.addLayout(summary)

        self.files = QListWidget()
        self.files.setAccessibleName(tr("ui.review.files"))
        for attachment in self.look.copies():
            hits = sorted({h.masked for h in attachment.report.hits}) if attachment.report else []
            text = attachment.filename + ("\n" + ", ".join(hits[:3]) if hits else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, attachment.id)
            self.files.addItem(item)
        self.files.currentItemChanged.connect(self._file_selected)
        side_layout.addWidget(self.files, 1)
        #: What the colleague still has to look at before "Godkänn".
        self.look_label = LiveLabel()
        self.look_label.setWordWrap(True)
        side_layout.addWidget(self.look_label)

        form = QFormLayout()
        self.decline_reason_edit = QLineEdit()
        self.decline_reason_edit.setPlaceholderText(tr("ui.review.decline_reason_placeholder"))
        self.decline_reason_edit.setAccessibleName(tr("ui.review.decline_reason"))
        form.addRow(tr("ui.review.decline_reason"), self.decline_reason_edit)
        side_layout.addLayout(form)
        columns.addWidget(side)
        self.preview = PreviewPane(services)
        self.preview.page_seen.connect(self._page_seen)
        self.preview.page_count_known.connect(self._page_count_known)
        columns.addWidget(self.preview, 1)
        layout.addLayout(columns, 1)

        #: The address and a cancel while the colleague is at the provider's page.
        self.wait_panel = BrowserWaitPanel(self)
        layout.addWidget(self.wait_panel)

        self.status = LiveLabel(assertive=True)  # a refusal is said aloud
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.review.status"))
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.cancel_button = QPushButton(tr("ui.cancel"))
        self.cancel_button.clicked.connect(self.reject)
        self.decline_button = QPushButton(tr("ui.review.decline"))
        self.decline_button.clicked.connect(self.decline)
        self.approve_button = QPushButton(tr("ui.review.approve"))
        self.approve_button.clicked.connect(self.approve)
        # Enter approves (at the provider: nothing is approved in this window alone);
        # declining or cancelling is always a choice.
        self.approve_button.setDefault(True)
        for button in (self.cancel_button, self.decline_button, self.approve_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)
        if self.files.count():
            self.files.setCurrentRow(0)
        self._show_look()
        # The keys page through the file at once (PageDown); Tab reaches "Godkänn".
        (self.preview.scroll_area if self.files.count() else self.approve_button).setFocus()
        expose_values(self)  # "Mottagare", "Ämne" ... say what they show

    def _recipient_text(self) -> str:
        draft = self._draft
        if draft.kind.answers_a_case and draft.case is not None:
            return f"{draft.case.resident.name}, {mask(draft.case.resident.id)}"
        shown = ", ".join(mask(r) for r in draft.recipients[:5])
        more = len(draft.recipients) - 5
        return shown + (" " + tr("ui.review.more", count=more) if more > 0 else "")

    def _page_seen(self, attachment_id: str, page: int) -> None:
        if self.look.page_seen(attachment_id, page):
            self.preview.refresh_progress()
            self._show_look()

    def _page_count_known(self, attachment_id: str, count: int) -> None:
        self.look.page_count_known(attachment_id, count)
        self._show_look()

    def _show_look(self) -> None:
        """ "Godkänn" waits until the colleague has seen every page with personal data."""
        left = sum(count for _copy, count in self.look.unseen())
        if left == 0:
            self.look_label.setText(tr("ui.review.look_done") if self.files.count() else "")
        else:
            key = "ui.review.look_left_one" if left == 1 else "ui.review.look_left_many"
            self.look_label.setText(tr(key, count=left))
        busy = self.login is not None and self.login.running
        self.approve_button.setEnabled(self.look.complete and not busy)

    def _file_selected(self, item: QListWidgetItem | None, _previous: object) -> None:
        if item is not None:
            attachment = self.look.copy(item.data(Qt.ItemDataRole.UserRole))
            # The colleague starts where the personal data is, not on a cover page.
            page = attachment.first_page_with_personal_data if attachment else 0
            self.preview.show_attachment(attachment, page)

    def approve(self) -> None:
        """The colleague approves at the identity provider: a fresh login for this
        sign-off, bound to its digest, whose page shows what is approved (only once the
        colleague has seen every page with personal data here)."""
        if (self.login is not None and self.login.running) or not self.look.complete:
            return
        services, digest = self._services, self._subject.digest
        message = sign_message(self._draft, self._sender.name)
        self._busy(True)
        self.status.setText(tr("ui.review.opening"))
        self.login = start_login(
            self,
            lambda: services.approval_attempt(digest, message),
            services.browser,
            self.wait_panel,
            self.status,
            self._colleague_authenticated,
            self._failed,
        )

    def _colleague_authenticated(self, tokens: TokenSet) -> None:
        self.wait_panel.done()
        self.status.setText(tr("ui.review.checking"))
        client, subject = self._services.client, self._subject
        run_in_background(
            self,
            lambda: client.request_review(tokens.id_token, subject),
            self._approved,
            self._failed,
        )

    def _approved(self, review: Review) -> None:
        self._busy(False)
        self.sign_off = SignOff(
            review_id=review.review_id,
            reviewer_id=review.reviewer_id,
            reviewer_name=review.reviewer_name,
            digest=review.digest,
            expires_at=_epoch(review.expires_at),
        )
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self._busy(False)
        self.wait_panel.done()
        self.status.setText(refusal_text(error))
        self.approve_button.setFocus()  # never a free-text field after an error

    def decline(self) -> None:
        reason = self.decline_reason_edit.text().strip()
        if not reason:
            self.status.setText(tr("ui.review.decline_needs_reason"))
            self.decline_reason_edit.setFocus()
            return
        self.decline_reason = reason
        self.reject()

    def _busy(self, busy: bool) -> None:
        self.decline_button.setEnabled(not busy)
        self.approve_button.setEnabled(not busy and self.look.complete)

    def done(self, result: int) -> None:
        # An approval under way ends with the dialog: no thread waits for a browser.
        if self.login is not None and self.login.running:
            self.login.cancel()
        super().done(result)


def refusal_text(error: BaseException) -> str:
    """The gateway's refusal of an approval (or the login's failure) as a sentence."""
    if isinstance(error, GatewayError):
        for code in error.codes:
            if has_message(f"ui.review.refused.{code}"):
                return tr(f"ui.review.refused.{code}")
    return gateway_error_text(error)
