"""A message being written: its recipients, its attachments and what was done to them.

The draft is plain data. The window edits it; :mod:`app.send.send_gate` reads it and says
what still stands between the clinician and sending; :mod:`app.send.sending` sends it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

from app.inspection.identity import FINDING_CODES as IDENTITY_CODES
from app.inspection.identity import identity_findings
from app.inspection.report import Finding, InspectionReport, Severity
from app.protocol import filetypes
from app.protocol.filenames import has_visible_text
from app.protocol.model import Case, MessageKind
from app.protocol.review import ReviewedAttachment, ReviewSubject, message_sha256
from app.storage.staging import StagedFile

#: The finding that asks for an image's text alternative (app/inspection/image.py).
ALT_TEXT_REQUIRED = "image.alt_text_required"


@dataclass(frozen=True, slots=True)
class SignOff:
    """A second colleague's approval as the gateway granted it."""

    review_id: str
    reviewer_id: str
    reviewer_name: str
    digest: str
    expires_at: float  # epoch seconds


@dataclass(eq=False)
class Attachment:
    staged: StagedFile
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    page_count: int | None = None
    seen_pages: set[int] = field(default_factory=set)  # 0-based
    report: InspectionReport | None = None  # None while it is being inspected
    #: The sender's own answer to "does it contain personal data?" (None: not answered).
    declared_personal_data: bool | None = None
    #: Why the sender says a file with detected personal data has none (recorded).
    unmark_reason: str = ""
    alt_text: str = ""
    #: The file the clinician chose, where it was (None when not known, as for a draft
    #: restored after a restart). Never read again for sending: the staged copy is sent.
    original: Path | None = None
    #: The chosen file's SHA-256 when it was staged, before hidden content left the copy
    #: (a photo's EXIF, say): what the original must still be to be offered for deletion.
    original_sha256: str | None = None
    #: What sanitising removed from the staged copy (``app.inspection.jobs.Sanitized``),
    #: so that each inspection of it reports that, also after a restart.
    removed: tuple[str, ...] = ()

    @property
    def filename(self) -> str:
        return self.staged.filename

    @property
    def sha256(self) -> str:
        return self.staged.sha256

    @property
    def media_type(self) -> str:
        return self.staged.media_type

    @property
    def is_image(self) -> bool:
        return filetypes.is_image(self.staged.media_type)

    @property
    def unseen_pages(self) -> list[int]:
        if self.page_count is None:
            return []
        return [p for p in range(self.page_count) if p not in self.seen_pages]

    @property
    def detected_personal_data(self) -> bool | None:
        return None if self.report is None else self.report.personal_data_found

    @property
    def personal_data(self) -> bool:
        """Whether the file is sent as holding personal data (and so needs a sign-off).

        Detected data counts unless the sender unmarked it with a reason; a declaration
        of "yes" always counts. An unanswered image counts as personal data until the
        sender says otherwise.
        """
        if self.declared_personal_data is True:
            return True
        if self.detected_personal_data is True:
            return not (self.declared_personal_data is False and self.unmark_reason.strip())
        if self.declared_personal_data is False:
            return False
        return self.detected_personal_data is None

    def findings(self, recipients: list[str], kind: MessageKind) -> list[Finding]:
        """The report's findings, with the identity match made against the message's
        recipients as they are now (they may have changed since the file was inspected)."""
        if self.report is None:
            return []
        kept = [
            f
            for f in self.report.findings
            if f.code not in IDENTITY_CODES
            # The text alternative asked for is written: the advice has been followed.
            and not (f.code == ALT_TEXT_REQUIRED and has_visible_text(self.alt_text))
        ]
        return kept + identity_findings(self.report.hits, recipients, kind.value)

    def blocking_findings(self, recipients: list[str], kind: MessageKind) -> list[Finding]:
        return [f for f in self.findings(recipients, kind) if f.severity is Severity.BLOCK]

    @property
    def first_page_with_personal_data(self) -> int:
        """The 0-based page a reviewer should see first: the first with a hit, else 0."""
        pages = [h.page for h in self.report.hits if h.page] if self.report else []
        return min(pages) - 1 if pages else 0

    def asks_about_personal_data(self, recipients: list[str], kind: MessageKind) -> bool:
        """Whether the sender is asked about personal data in this file: only once it is
        inspected, and never for a file that may not be sent at all (a scan, say)."""
        return self.report is not None and not self.blocking_findings(recipients, kind)


@dataclass(eq=False)
class Draft:
    kind: MessageKind = MessageKind.REPLY
    case: Case | None = None
    #: For a new case: canonical identifiers in the order they were added.
    new_case_recipients: list[str] = field(default_factory=list)
    #: What the clinician typed as a recipient that is no valid identifier (never dropped
    #: silently: the send gate names it).
    rejected_recipients: list[str] = field(default_factory=list)
    subject: str = ""
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    sign_off: SignOff | None = None
    #: One key per send attempt of this draft, kept across retries and restarts, so a
    #: resent request is recognised by the gateway and delivered once (docs/protocol.md).
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: Which draft this is, across saves and restarts (a new case has no other name).
    draft_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    #: The subject the draft was opened with (the case's own): a subject still equal to it
    #: is nothing the clinician wrote.
    initial_subject: str = ""

    @property
    def recipients(self) -> list[str]:
        if self.kind.answers_a_case:
            return [self.case.resident.id] if self.case else []
        return list(self.new_case_recipients)

    @property
    def case_id(self) -> str | None:
        return self.case.case_id if self.kind.answers_a_case and self.case else None

    @property
    def needs_sign_off(self) -> bool:
        return any(a.personal_data for a in self.attachments)

    def review_subject(self) -> ReviewSubject:
        return ReviewSubject(
            kind=self.kind.value,
            case_id=self.case_id,
            recipients=tuple(self.recipients),
            attachments=tuple(
                ReviewedAttachment(a.sha256, a.filename, a.personal_data) for a in self.attachments
            ),
            # The stripped text, exactly what app.send.sending.outgoing_message sends.
            message_sha256=message_sha256(self.subject.strip(), self.body.strip()),
        )

    def attachment(self, attachment_id: str) -> Attachment | None:
        return next((a for a in self.attachments if a.id == attachment_id), None)
