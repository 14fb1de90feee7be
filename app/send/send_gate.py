"""The send gate: what still stands between a draft and sending (a pure function).

The window shows the first reason in the send bar and enables Send only when there is
none. The order is the order a clinician works in: who it is for, what it says, each
file checked and every page seen, then a colleague's sign-off last.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

from app.drafts.message_draft import Draft, SignOff
from app.inspection.policy import default_policy
from app.protocol.filenames import filename_problem, has_visible_text
from app.protocol.limits import MAX_BULK_RECIPIENTS, Limits

#: The one reason a colleague at the screen can clear; the button then asks for them.
SIGN_OFF_CODES = frozenset(
    {"send.sign_off_required", "send.sign_off_void", "send.sign_off_expired"}
)


class Target(StrEnum):
    """Where the clinician goes to clear a reason (the send bar's sentence is a link)."""

    CASE = "case"
    RECIPIENTS = "recipients"
    SUBJECT = "subject"
    BODY = "body"
    ATTACHMENTS = "attachments"  # the list as a whole (too many files)
    FILE = "file"  # one file: remove it, or answer what the panel asks about it
    PAGE = "page"  # a page of one file still to be seen in the preview (``page``)
    SIGN_OFF = "sign_off"


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    params: tuple[tuple[str, str | int], ...] = ()
    attachment_id: str | None = None
    page: int | None = None  # 0-based page to go to
    target: Target = Target.FILE

    @property
    def param_dict(self) -> dict[str, str | int]:
        return dict(self.params)


def reasons(
    draft: Draft, *, now: float | None = None, limits: Limits | None = None
) -> list[Reason]:
    """Every reason the draft cannot be sent yet, the first one first. ``limits``: those
    in force (the policy's, which may be lower than the gateway's)."""
    now = time.time() if now is None else now
    max_files = (limits or default_policy().limits).max_files
    found: list[Reason] = []
    found += _recipient_reasons(draft)
    if not draft.subject.strip():
        found.append(Reason("send.subject_missing", target=Target.SUBJECT))
    if not draft.body.strip():
        found.append(Reason("send.body_missing", target=Target.BODY))
    if len(draft.attachments) > max_files:
        limit = (("limit", max_files),)
        found.append(Reason("send.too_many_attachments", limit, target=Target.ATTACHMENTS))
    for attachment in draft.attachments:
        found += _attachment_reasons(draft, attachment.id)
    if not found:
        found += _sign_off_reasons(draft, now)
    return found


def only_sign_off_missing(found: list[Reason]) -> bool:
    return bool(found) and all(r.code in SIGN_OFF_CODES for r in found)


def _recipient_reasons(draft: Draft) -> list[Reason]:
    if draft.kind.answers_a_case:
        return [] if draft.case else [Reason("send.case_missing", target=Target.CASE)]
    recipients = draft.new_case_recipients
    at = Target.RECIPIENTS
    if draft.rejected_recipients:
        entry = (("entry", draft.rejected_recipients[0]),)
        return [Reason("send.recipient_invalid", entry, target=at)]
    if not recipients:
        return [Reason("send.recipients_missing", target=at)]
    if len(recipients) > MAX_BULK_RECIPIENTS:
        counts = (("count", len(recipients)), ("limit", MAX_BULK_RECIPIENTS))
        return [Reason("send.too_many_recipients", counts, target=at)]
    if len(set(recipients)) != len(recipients):
        return [Reason("send.duplicate_recipients", target=at)]
    return []


def _attachment_reasons(draft: Draft, attachment_id: str) -> list[Reason]:
    attachment = draft.attachment(attachment_id)
    assert attachment is not None
    name = (("name", attachment.filename),)
    if filename_problem(attachment.filename, attachment.media_type) is not None:
        # The gateway's rule (app.protocol.filenames), asked here so it never refuses later.
        return [Reason("send.filename_unsafe", name, attachment.id)]
    if attachment.report is None:
        return [Reason("send.inspecting", name, attachment.id)]
    found = []
    for finding in attachment.blocking_findings(draft.recipients, draft.kind):
        page = finding.page - 1 if finding.page else None
        found.append(
            Reason("send.file_blocked", (*name, ("finding", finding.code)), attachment.id, page)
        )
    if found:
        # A file that may not be sent at all asks nothing more (no preview, no answers):
        # the clinician removes it and attaches the right one.
        return found
    unseen = attachment.unseen_pages
    if unseen:
        found.append(
            Reason(
                "send.page_unseen",
                (
                    *name,
                    ("page", unseen[0] + 1),
                    ("unseen", len(unseen)),
                    ("pages", attachment.page_count or 0),
                ),
                attachment.id,
                unseen[0],
                Target.PAGE,
            )
        )
    if attachment.page_count is None:
        found.append(Reason("send.preview_pending", name, attachment.id, target=Target.PAGE))
    if attachment.is_image and not has_visible_text(attachment.alt_text):
        found.append(Reason("send.alt_text_missing", name, attachment.id))
    if attachment.detected_personal_data is None and attachment.declared_personal_data is None:
        found.append(Reason("send.personal_data_unanswered", name, attachment.id))
    if (
        attachment.detected_personal_data is True
        and attachment.declared_personal_data is False
        and not attachment.unmark_reason.strip()
    ):
        found.append(Reason("send.unmark_reason_missing", name, attachment.id))
    return found


def valid_sign_off(draft: Draft, *, now: float | None = None) -> SignOff | None:
    """The colleague's sign-off when it still holds for this draft as it is now (same
    files, recipients and words, not expired); None otherwise, or when none is needed."""
    now = time.time() if now is None else now
    if draft.needs_sign_off and draft.sign_off is not None:
        return None if _sign_off_reasons(draft, now) else draft.sign_off
    return None


def _sign_off_reasons(draft: Draft, now: float) -> list[Reason]:
    if not draft.needs_sign_off:
        return []
    sign_off = draft.sign_off
    at = Target.SIGN_OFF
    if sign_off is None:
        return [Reason("send.sign_off_required", target=at)]
    reviewer = (("reviewer", sign_off.reviewer_name),)
    if sign_off.digest != draft.review_subject().digest:
        return [Reason("send.sign_off_void", reviewer, target=at)]
    if sign_off.expires_at <= now:
        return [Reason("send.sign_off_expired", reviewer, target=at)]
    return []
