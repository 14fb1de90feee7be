"""The colleague's own look at what they sign off (issue 20, item 2): every page of each
file with personal data must have been on the colleague's screen, in the sign-off dialog,
before the approval can be asked for. The sender's pages seen do not count for the
colleague: each has a fresh copy of the file's progress.

Plain data, no Qt: the dialog shows :meth:`copies` in its preview, reports each page seen
(which the preview counts only at a readable size, for the dwell time), and asks
:attr:`complete` before "Godkänn" is enabled.
"""

from __future__ import annotations

import dataclasses

from app.drafts.message_draft import Attachment, Draft


class ColleagueLook:
    def __init__(self, draft: Draft) -> None:
        # Copies with no page seen: the same file, id and findings; the colleague's pages.
        self._copies = [
            dataclasses.replace(a, seen_pages=set()) for a in draft.attachments if a.personal_data
        ]

    def copies(self) -> list[Attachment]:
        return list(self._copies)

    def copy(self, attachment_id: str) -> Attachment | None:
        return next((a for a in self._copies if a.id == attachment_id), None)

    def page_seen(self, attachment_id: str, page: int) -> bool:
        """Record a page the colleague saw; True when it was new."""
        copy = self.copy(attachment_id)
        if copy is None or page in copy.seen_pages:
            return False
        copy.seen_pages.add(page)
        return True

    def page_count_known(self, attachment_id: str, count: int) -> None:
        copy = self.copy(attachment_id)
        if copy is not None and copy.page_count is None:
            copy.page_count = count

    def unseen(self) -> list[tuple[Attachment, int]]:
        """Each file with pages left for the colleague, with the count left (a file whose
        page count is not known yet counts one)."""
        left = []
        for copy in self._copies:
            if copy.page_count is None:
                left.append((copy, 1))
            elif copy.unseen_pages:
                left.append((copy, len(copy.unseen_pages)))
        return left

    @property
    def complete(self) -> bool:
        return not self.unseen()
