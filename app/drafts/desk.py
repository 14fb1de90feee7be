"""The desk: every draft of one clinician and every send that has left its draft, until
it is delivered or given back (issue 20, item 1; issue 22, item 1).

A send leaves the draft book when it is journalled in the outbox, but it is not done
with: the gateway may be down (the job waits, ``NEEDS_ACTION``) or may refuse it
(``FAILED``). Until the job is delivered, the desk keeps the draft it came from beside
the job, so that

- the case shows what is on its way ("Skickas…", "Väntar i utkorgen"), with what it says
  and which files go with it, and a second message to the same case is asked about first;
- a job the gateway refuses brings its draft back under its case, every time (not only
  the first time it ends), without its sign-off (that was for what was refused);
- a waiting job that never left (not ``posted``) can be taken back into the draft
  instead of being sent.

Waiting drafts are saved with the book (:meth:`drafts_to_save`), so after a restart
each is found again beside its job (:meth:`restore`).

The desk also owns the draft on screen (:attr:`Desk.current`): switching to a case's
draft, a new case, a new case waiting in the outbox (it has no case to be shown on, so
it has its own row: :meth:`Desk.show_waiting_send`) or nothing; which drafts go into the
book (one with its case or its own recipients, never an empty one for nobody); the
drafts restored at sign-in (those already in the outbox stay beside their jobs, a reply
with no case becomes a new case); where a draft given back goes; and what the case list
lists and marks (:meth:`Desk.listing`): every draft with content has its own row, so
that a second draft of one case (a refused send given back while a new one was written,
two restored at sign-in) is never hidden behind the first. Plain data, no Qt: the
window's controllers ask the desk and show what it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.drafts.draft_book import DraftBook
from app.drafts.draft_store import RestoredDrafts, has_content
from app.drafts.message_draft import Attachment, Draft
from app.outbox import JobState, Outbox, OutboxJob
from app.outbox.journal import IN_PROGRESS
from app.protocol.model import Case, MessageKind

#: The code a job taken back into its draft ends with (FAILED: it is never sent).
TAKEN_BACK = "outbox.taken_back"


class SendMark(StrEnum):
    """How a case with a send on its way is marked in the list."""

    SENDING = "sending"  # "Skickas…"
    WAITING = "waiting"  # "Väntar i utkorgen"


class RowKind(StrEnum):
    """What a row of the case list stands for."""

    CASE = "case"  # an open case, with its (first) draft if it has one
    CLOSED_CASE_DRAFT = "closed_case_draft"  # the draft of a case no longer open
    EXTRA_DRAFT = "extra_draft"  # a second (third, ...) draft of one case: "Utkast 2"
    NEW_CASE_SEND = "new_case_send"  # a new case on its way (no case yet to show it on)
    #: A reply on its way whose case is no longer open and has no draft row to carry it.
    CLOSED_CASE_SEND = "closed_case_send"
    NEW_CASE_DRAFT = "new_case_draft"


@dataclass(frozen=True, slots=True)
class Listed:
    """One row of the case list, as the desk lists it. ``key`` names the row (what is
    selected when its draft or send is on screen): ``case:<id>``, ``draft:<id>``,
    ``send:<job id>``."""

    kind: RowKind
    key: str
    case: Case | None = None
    draft: Draft | None = None
    waiting: WaitingSend | None = None
    #: The draft's number under its case (2 for the first one beside the case's own).
    number: int = 1
    #: Whether the row holds something written or attached (shown bold, "utkast").
    has_draft: bool = False
    #: A send on its way: "Skickas…" or "Väntar i utkorgen".
    mark: SendMark | None = None


class Outcome(StrEnum):
    """What an ended job means for the desk."""

    DELIVERED = "delivered"  # the draft is done with
    RETURNED = "returned"  # refused: the draft is back under its case
    REFUSED_NO_DRAFT = "refused_no_draft"  # refused, and no draft was kept for it
    WAITING = "waiting"  # could not finish: it waits for "Försök igen"
    NOT_OURS = "not_ours"  # another clinician's job, or one the desk never held


class TakeBackRefused(Exception):
    """The job cannot be taken back: it is running, or its message may already have
    been made at the gateway (``posted``), so only "Försök igen" can tell."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(slots=True)
class WaitingSend:
    """A send that has left its draft: the job as last heard of, and the draft it came
    from (None for a job found at start whose draft was not saved)."""

    job: OutboxJob
    draft: Draft | None

    @property
    def mark(self) -> SendMark:
        return SendMark.SENDING if self.job.state in IN_PROGRESS else SendMark.WAITING

    @property
    def case_id(self) -> str | None:
        return self.job.message.case_id

    @property
    def kind(self) -> MessageKind:
        return MessageKind(self.job.message.kind)

    @property
    def subject(self) -> str:
        return self.job.message.subject

    @property
    def recipient_count(self) -> int:
        return len(self.job.message.recipients)

    @property
    def can_take_back(self) -> bool:
        return (
            self.draft is not None
            and self.job.state is JobState.NEEDS_ACTION
            and not self.job.posted
        )


@dataclass(frozen=True, slots=True)
class Restored:
    """What :meth:`Desk.restore_saved` put back into the book."""

    #: The drafts booked again (not those kept beside their jobs), first shown first.
    drafts: list[Draft]
    #: The one to put on screen (the one on screen when saved, else the first), or None.
    current: Draft | None
    #: Names of files whose working copy is gone.
    missing_files: list[str]


class Desk:
    def __init__(self, book: DraftBook, outbox: Outbox, staff_id: str) -> None:
        self.book = book
        self._outbox = outbox
        self._staff_id = staff_id
        self._waiting: dict[str, WaitingSend] = {}
        #: The draft on screen: one of the book's, or (no case chosen yet) an empty one.
        self.current = Draft()
        #: The new case on its way shown instead of a draft (its job id), or None.
        self._shown_job: str | None = None

    # -- the draft on screen ----------------------------------------------------------------

    def show(self, draft: Draft) -> bool:
        """Put ``draft`` on screen; False when it already was. A draft with its case, or
        a new case with its own recipients, is in the book from now on; a reply with no
        case is not (there is nothing to keep for nobody)."""
        if draft is self.current and self._shown_job is None:
            return False
        self.current = draft
        self._shown_job = None
        if draft not in self.book and (draft.case is not None or not draft.kind.answers_a_case):
            self.book.add(draft)
        return True

    def show_blank(self) -> Draft:
        """Nothing on screen: the clinician chooses a case or starts a new one."""
        self.current = Draft()
        self._shown_job = None
        return self.current

    def show_waiting_send(self, job_id: str) -> bool:
        """Show a new case on its way in the outbox (no draft on screen: it has left its
        draft); False when no such send waits."""
        if job_id not in self._waiting:
            return False
        self.show_blank()
        self._shown_job = job_id
        return True

    def show_sent(self, draft: Draft) -> bool:
        """After a new case's send was handed over and nothing else is on screen: show it
        where it now is (its own row), as a reply's case shows what waits for it."""
        if draft.kind.answers_a_case or self.current.case is not None:
            return False
        if not self.current.kind.answers_a_case:
            return False
        job_id = next((j for j, w in self._waiting.items() if w.draft is draft), None)
        return job_id is not None and self.show_waiting_send(job_id)

    def waiting_on_screen(self) -> WaitingSend | None:
        """What the waiting panel shows: the new case on its way chosen in the list, or
        what waits for the case of the draft on screen."""
        if self._shown_job is not None:
            return self._waiting.get(self._shown_job)
        if not self.current.kind.answers_a_case:
            return None
        return self.waiting_for_case(self.current.case_id)

    def shown_key(self) -> str | None:
        """The :attr:`Listed.key` of the row on screen (None: no row)."""
        if self._shown_job is not None:
            return f"send:{self._shown_job}"
        draft = self.current
        if draft.kind.answers_a_case:
            if draft.case is None:
                return None
            first = self.book.case_draft(draft.case.case_id)
            return f"case:{draft.case.case_id}" if first is draft else f"draft:{draft.draft_id}"
        return f"draft:{draft.draft_id}" if has_content(draft) else None

    def listing(self, open_cases: list[Case]) -> list[Listed]:
        """The case list's rows, in order: each open case (with its draft and its send's
        mark), each further draft of it ("Utkast 2") right under it; then each new case on
        its way, marked like a case's send; then each new-case draft with content; then
        the drafts of cases no longer open; then the sends on their way to cases no longer
        open that have no draft row. Every draft with content, and every send on its way,
        can be reached."""
        rows: list[Listed] = []
        open_ids = {c.case_id for c in open_cases}
        for case in open_cases:
            first = self.book.case_draft(case.case_id)
            written = first is not None and has_content(first)
            rows.append(
                Listed(
                    RowKind.CASE,
                    f"case:{case.case_id}",
                    case=case,
                    draft=first,
                    has_draft=written,
                    mark=self.mark(case.case_id),
                )
            )
            rows += self._further_drafts(case.case_id, first)
        for waiting in self.waiting():
            if not waiting.kind.answers_a_case:
                key = f"send:{waiting.job.job_id}"
                rows.append(Listed(RowKind.NEW_CASE_SEND, key, waiting=waiting, mark=waiting.mark))
        kept = self.book.with_content()
        for draft in kept:
            if not draft.kind.answers_a_case:
                key = f"draft:{draft.draft_id}"
                rows.append(Listed(RowKind.NEW_CASE_DRAFT, key, draft=draft, has_draft=True))
        closed: list[str] = []
        for draft in kept:
            case_id = draft.case_id
            if draft.kind.answers_a_case and case_id not in open_ids and case_id not in closed:
                assert case_id is not None  # a draft in the book with no case is a new case
                closed.append(case_id)
                first = self.book.case_draft(case_id)
                rows.append(
                    Listed(
                        RowKind.CLOSED_CASE_DRAFT,
                        f"case:{case_id}",
                        case=draft.case,
                        draft=first,
                        has_draft=True,
                        mark=self.mark(case_id),
                    )
                )
                rows += self._further_drafts(case_id, first)
        for waiting in self.waiting():
            case_id = waiting.case_id
            if waiting.kind.answers_a_case and case_id not in open_ids and case_id not in closed:
                key = f"send:{waiting.job.job_id}"
                rows.append(
                    Listed(RowKind.CLOSED_CASE_SEND, key, waiting=waiting, mark=waiting.mark)
                )
        return rows

    def _further_drafts(self, case_id: str, first: Draft | None) -> list[Listed]:
        """A case's drafts with content beside its own (``first``), numbered from 2."""
        others = [
            d
            for d in self.book.with_content()
            if d is not first and d.kind.answers_a_case and d.case_id == case_id
        ]
        return [
            Listed(
                RowKind.EXTRA_DRAFT,
                f"draft:{draft.draft_id}",
                case=draft.case,
                draft=draft,
                number=number,
                has_draft=True,
            )
            for number, draft in enumerate(others, start=2)
        ]

    def for_case(self, case: Case, default_subject: str) -> Draft:
        """The case's own draft (a fresh reply if it has none), not yet shown."""
        return self.book.for_case(case, default_subject)

    def for_case_id(self, case_id: str) -> Draft | None:
        """The draft of a case that is no longer open, if one is kept."""
        return self.book.case_draft(case_id)

    def new_case(self) -> Draft:
        return self.book.new_case()

    def draft(self, draft_id: str) -> Draft | None:
        return next((d for d in self.all_drafts() if d.draft_id == draft_id), None)

    def holds(self, draft: Draft) -> bool:
        """Whether ``draft`` is still being written (not sent or discarded)."""
        return draft is self.current or draft in self.book

    def draft_holding(self, attachment: Attachment) -> Draft | None:
        """The draft being written that holds ``attachment`` (None once it was removed,
        sent or discarded)."""
        return next(
            (d for d in self.all_drafts() if any(a is attachment for a in d.attachments)), None
        )

    def all_drafts(self) -> list[Draft]:
        """The book's drafts, and the one on screen if it is not among them."""
        drafts = list(self.book)
        return drafts if self.current in self.book else [*drafts, self.current]

    def unsent_drafts(self) -> list[Draft]:
        """The drafts with something written or attached (what closing asks about)."""
        return [d for d in self.all_drafts() if has_content(d)]

    def forget(self, draft: Draft) -> bool:
        """A draft sent or discarded leaves the book; True when it was on screen (and
        nothing is shown now)."""
        self.book.remove(draft)
        if draft is not self.current:
            return False
        self.show_blank()
        return True

    def leave_closed_case(self, open_cases: list[Case]) -> bool:
        """After the open cases were loaded: the draft on screen is an unwritten reply to
        a case no longer open (the reply just delivered answered it, a counter-question
        made it wait for the resident, a colleague closed it), so the screen goes blank
        and nothing is written into a closed case; True when it did. A draft with
        something in it stays where it is (it is listed with the closed cases' drafts),
        and so does a case with a send still on its way to it (the panel shows what
        waits)."""
        draft = self.current
        if self._shown_job is not None or not draft.kind.answers_a_case or draft.case is None:
            return False
        case_id = draft.case.case_id
        if any(case.case_id == case_id for case in open_cases):
            return False
        if has_content(draft) or self.waiting_for_case(case_id) is not None:
            return False
        self.book.remove(draft)
        self.show_blank()
        return True

    def shows_returned(self, draft: Draft) -> bool:
        """Whether a draft given back goes on screen: when its own case is shown there,
        or no case at all (it never takes the place of another case's draft); a new case
        given back while its send was shown takes that place (the send is gone)."""
        shown = self.current
        return (shown.case is None and shown.kind.answers_a_case) or (
            shown.case_id is not None and shown.case_id == draft.case_id
        )

    def restore_saved(self, restored: RestoredDrafts) -> Restored:
        """The drafts saved for this clinician, at sign-in. One already journalled in the
        outbox stays beside its job (:meth:`restore`: the outbox sends it once, and a
        refused one comes back without its sign-off); the others go into the book, a
        reply with no case as a new case (:func:`addressable`)."""
        kept = [r for r in restored.drafts if not self.restore(r.draft)]
        for item in kept:
            self.book.add(addressable(item.draft))
        missing = [name for item in kept for name in item.missing_files]
        if not kept:
            return Restored([], None, missing)
        current = restored.current if restored.current in kept else kept[0]
        return Restored([r.draft for r in kept], current.draft, missing)

    # -- what is on its way ---------------------------------------------------------------

    def waiting(self) -> list[WaitingSend]:
        return list(self._waiting.values())

    def waiting_for_case(self, case_id: str | None) -> WaitingSend | None:
        if case_id is None:
            return None
        return next((w for w in self._waiting.values() if w.case_id == case_id), None)

    def mark(self, case_id: str) -> SendMark | None:
        waiting = self.waiting_for_case(case_id)
        return None if waiting is None else waiting.mark

    def mark_of_job(self, job_id: str) -> SendMark | None:
        waiting = self._waiting.get(job_id)
        return None if waiting is None else waiting.mark

    def asks_before_sending(self, draft: Draft) -> bool:
        """A second message to a case whose first is still on its way is asked about
        first (it may be the one that answers the case instead of the intended one)."""
        return draft.kind.answers_a_case and self.waiting_for_case(draft.case_id) is not None

    def load_unfinished(self) -> None:
        """At start: the journal's unfinished jobs are on their way (their drafts, if
        saved, come with :meth:`restore`)."""
        for job in self._outbox.unfinished(self._staff_id):
            self._waiting.setdefault(job.job_id, WaitingSend(job, None))

    def drafts_to_save(self) -> list[Draft]:
        """The book's drafts and the waiting ones (found again at the next start)."""
        waiting = [w.draft for w in self._waiting.values() if w.draft is not None]
        return [*self.book, *(d for d in waiting if d not in self.book)]

    def restore(self, draft: Draft) -> bool:
        """A saved draft at start: True when the desk keeps it (beside its unfinished
        job, or dropped because its job was delivered); False when it goes into the book
        (it never left, or the gateway refused it: it gets a fresh key when sent)."""
        job = self._outbox.job_for_key(draft.idempotency_key)
        if job is None:
            return False
        if job.state is JobState.DELIVERED:
            return True
        if job.state is JobState.FAILED:
            draft.sign_off = None
            return False
        self._waiting[job.job_id] = WaitingSend(job, draft)
        return True

    # -- a send's life ----------------------------------------------------------------------

    def handed_over(self, job: OutboxJob, draft: Draft) -> None:
        """The draft's send is journalled: it leaves the book and waits beside its job."""
        self.book.remove(draft)
        self._waiting[job.job_id] = WaitingSend(job, draft)

    def job_moved(self, job: OutboxJob) -> None:
        held = self._waiting.get(job.job_id)
        if held is not None and not job.is_finished:
            held.job = job
        elif held is None and job.staff_id == self._staff_id and not job.is_finished:
            self._waiting[job.job_id] = WaitingSend(job, None)

    def job_ended(self, job: OutboxJob) -> tuple[Outcome, Draft | None]:
        """A job ended (delivered, refused, or left waiting): what it means, and the draft
        that came back (for ``RETURNED``)."""
        held = self._waiting.get(job.job_id)
        if job.staff_id != self._staff_id:
            return Outcome.NOT_OURS, None
        if job.state is JobState.DELIVERED:
            self._drop(job.job_id)
            return Outcome.DELIVERED, None
        if job.state is JobState.FAILED:
            self._drop(job.job_id)
            if held is None or held.draft is None:
                return Outcome.REFUSED_NO_DRAFT, None
            return Outcome.RETURNED, self._put_back(held.draft)
        if held is None:
            held = self._waiting[job.job_id] = WaitingSend(job, None)
        held.job = job
        return Outcome.WAITING, None

    def take_back(self, job_id: str) -> Draft:
        """ "Ta tillbaka till utkast": the waiting job is closed unsent and its draft is
        back under its case. Raises TakeBackRefused when that could lose or double a
        message (see :class:`TakeBackRefused`)."""
        held = self._waiting.get(job_id)
        if held is None or held.draft is None:
            raise TakeBackRefused("ui.waiting.no_draft")
        current = self._outbox.job(job_id) or held.job
        if current.state is not JobState.NEEDS_ACTION:
            raise TakeBackRefused("ui.waiting.still_sending")
        if current.posted:
            raise TakeBackRefused("ui.waiting.may_be_delivered")
        self._outbox.record(job_id, state=JobState.FAILED, error_code=TAKEN_BACK)
        self._drop(job_id)
        return self._put_back(held.draft)

    def _drop(self, job_id: str) -> None:
        """The job is done with: it leaves the desk (and the screen, if it was shown)."""
        self._waiting.pop(job_id, None)
        if self._shown_job == job_id:
            self._shown_job = None

    def _put_back(self, draft: Draft) -> Draft:
        """Back under its case, first among the case's drafts (an untouched fresh reply
        made meanwhile gives way to it), without the sign-off of what was refused."""
        draft.sign_off = None
        for other in list(self.book):
            if other is not draft and _same_place(other, draft) and not _written(other):
                self.book.remove(other)
        self.book.put_first(draft)
        return draft


def addressable(draft: Draft) -> Draft:
    """A restored draft as the book keeps it. One saved before drafts belonged to their
    case may be a reply without a case: it becomes a new case with no recipients, so that
    it can be seen, kept or discarded, and goes to nobody until the clinician addresses it."""
    if draft.kind.answers_a_case and draft.case is None:
        draft.kind = MessageKind.NEW_CASE
    return draft


def _same_place(one: Draft, other: Draft) -> bool:
    return one.kind.answers_a_case and other.kind.answers_a_case and one.case_id == other.case_id


def _written(draft: Draft) -> bool:
    return has_content(draft)
