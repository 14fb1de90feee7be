"""Every unsent message of one clinician, each bound to the resident it was written for.

A draft belongs to its case (a reply, partial reply or counter-question) or to its own
list of new-case recipients. Choosing another case shows that case's draft, or a fresh one,
and leaves the first one where it was: text, subject, files, answers and sign-off never
move to another resident by a click or a key in the case list (issue 10; docs/requirements.md R6,
"the right file to the right resident").

Plain data, no Qt: the window asks the book which draft to show, and the draft store
(:mod:`app.drafts.draft_store`) saves the whole book.
"""

from __future__ import annotations

from collections.abc import Iterator

from app.drafts.draft_store import has_content
from app.drafts.message_draft import Draft
from app.protocol.model import Case, MessageKind


def draft_key(draft: Draft) -> str:
    """Where a draft belongs: its case, or (a new case) the draft itself."""
    if draft.kind.answers_a_case and draft.case is not None:
        return f"case:{draft.case.case_id}"
    return f"new:{draft.draft_id}"


class DraftBook:
    def __init__(self) -> None:
        # A list, not a dict by key: a draft's key follows its case, and two restored
        # drafts that claim the same case are both kept rather than one lost.
        self._drafts: list[Draft] = []

    def __iter__(self) -> Iterator[Draft]:
        return iter(list(self._drafts))

    def __len__(self) -> int:
        return len(self._drafts)

    def __contains__(self, draft: object) -> bool:
        return any(held is draft for held in self._drafts)

    def for_case(self, case: Case, default_subject: str) -> Draft:
        """The case's own draft; a fresh reply with ``default_subject`` if it has none.

        The case record is refreshed from ``case`` (its status may have changed), but the
        words and files are the draft's own.
        """
        draft = self.case_draft(case.case_id)
        if draft is None:
            draft = Draft(
                kind=MessageKind.REPLY,
                case=case,
                subject=default_subject,
                initial_subject=default_subject,
            )
            self._drafts.append(draft)
        else:
            draft.case = case
        return draft

    def case_draft(self, case_id: str) -> Draft | None:
        """The case's own draft: the first with something written or attached, else the
        first (an untouched one never stands in front of one with work in it)."""
        key = f"case:{case_id}"
        drafts = [d for d in self._drafts if draft_key(d) == key]
        return next((d for d in drafts if has_content(d)), next(iter(drafts), None))

    def new_case(self) -> Draft:
        """A new-case draft to write in: an untouched one if there is one, else a fresh one
        (a new-case draft with recipients or words is kept as it is, for its own list)."""
        for draft in self.new_case_drafts():
            if not has_content(draft):
                return draft
        draft = Draft(kind=MessageKind.NEW_CASE)
        self._drafts.append(draft)
        return draft

    def new_case_drafts(self) -> list[Draft]:
        return [d for d in self._drafts if not d.kind.answers_a_case]

    def add(self, draft: Draft) -> None:
        """Take in a restored draft (kept even if another claims the same case)."""
        if draft not in self:
            self._drafts.append(draft)

    def put_first(self, draft: Draft) -> None:
        """Take a draft back in ahead of the others (a refused send's draft comes back
        as its case's own draft)."""
        self.remove(draft)
        self._drafts.insert(0, draft)

    def remove(self, draft: Draft) -> None:
        self._drafts = [held for held in self._drafts if held is not draft]

    def with_content(self) -> list[Draft]:
        """The drafts worth keeping (and saving): those with words, recipients or files."""
        return [d for d in self._drafts if has_content(d)]

    def holds_work(self, case_id: str) -> bool:
        """Whether the case's draft has something the clinician wrote or attached."""
        draft = self.case_draft(case_id)
        return draft is not None and has_content(draft)
