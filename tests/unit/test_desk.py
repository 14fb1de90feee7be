"""The desk (app/drafts/desk.py) on a real outbox journal: a send that left its draft stays on
its case until delivered or given back; a refused job brings its draft back every time;
a job that may have left is never taken back; waiting drafts survive a restart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.drafts.desk import TAKEN_BACK, Desk, Outcome, SendMark, TakeBackRefused
from app.drafts.draft_book import DraftBook
from app.drafts.message_draft import Draft, SignOff
from app.outbox import JobState, Outbox, OutboxJob
from app.protocol.model import Case, MessageKind, Resident
from app.send.sending import outgoing_message

CASE = Case(
    "2024-118", Resident("196801029288", "Karin Svensson"), "Provsvar", "2024-05-01", "open"
)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.sqlite3") as journal:
        yield journal


def _reply(body: str = "Här är remissen.") -> Draft:
    draft = Draft(MessageKind.REPLY, CASE, subject="Sv: Provsvar", body=body)
    draft.sign_off = SignOff("rev_1", "bertil", "Bertil Berg", "d" * 64, 0.0)
    return draft


def _journal(outbox: Outbox, draft: Draft) -> OutboxJob:
    return outbox.add(outgoing_message(draft), [], draft.idempotency_key, "anna", None)


def _handed_over(outbox: Outbox, book: DraftBook | None = None) -> tuple[Desk, Draft, OutboxJob]:
    """A desk with one reply journalled and handed over (its job still running)."""
    desk = Desk(book if book is not None else DraftBook(), outbox, "anna")
    draft = _reply()
    job = _journal(outbox, draft)
    desk.handed_over(job, draft)
    return desk, draft, job


def _end(outbox: Outbox, job: OutboxJob, state: JobState, **changes: object) -> OutboxJob:
    return outbox.record(job.job_id, state=state, **changes)


def test_a_handed_over_send_leaves_the_book_and_marks_its_case(outbox: Outbox) -> None:
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    draft = book.for_case(CASE, "Sv: Provsvar")
    draft.body = "Här är remissen."
    job = _journal(outbox, draft)
    desk.handed_over(job, draft)
    assert draft not in book
    assert desk.mark(CASE.case_id) is SendMark.SENDING
    assert desk.asks_before_sending(book.for_case(CASE, "Sv: Provsvar"))
    waiting = _end(outbox, job, JobState.NEEDS_ACTION, error_code="outbox.gateway_unreachable")
    assert desk.job_ended(waiting) == (Outcome.WAITING, None)
    assert desk.mark(CASE.case_id) is SendMark.WAITING
    held = desk.waiting_for_case(CASE.case_id)
    assert held is not None and held.draft is draft and held.kind is MessageKind.REPLY
    assert desk.drafts_to_save()[-1] is draft, "a waiting draft is saved with the book"


def test_a_refused_job_brings_its_draft_back_even_after_it_waited_first(
    outbox: Outbox,
) -> None:
    book = DraftBook()
    desk, draft, job = _handed_over(outbox, book)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    fresh = book.for_case(CASE, "Sv: Provsvar")  # an untouched reply opened meanwhile
    outcome, back = desk.job_ended(_end(outbox, job, JobState.FAILED, error_code="case_closed"))
    assert outcome is Outcome.RETURNED and back is draft
    assert book.case_draft(CASE.case_id) is draft, "it is the case's draft again"
    assert fresh not in book
    assert draft.sign_off is None, "the sign-off was for what was refused"
    assert desk.mark(CASE.case_id) is None


def test_a_delivered_job_is_done_with(outbox: Outbox) -> None:
    desk, _draft, job = _handed_over(outbox)
    assert desk.job_ended(_end(outbox, job, JobState.DELIVERED)) == (Outcome.DELIVERED, None)
    assert desk.waiting() == [] and desk.drafts_to_save() == []


def test_take_back_closes_a_job_that_never_left_and_returns_its_draft(outbox: Outbox) -> None:
    book = DraftBook()
    desk, draft, job = _handed_over(outbox, book)
    with pytest.raises(TakeBackRefused):  # still running
        desk.take_back(job.job_id)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    assert desk.take_back(job.job_id) is draft
    closed = outbox.job(job.job_id)
    assert closed is not None and (closed.state, closed.error_code) == (JobState.FAILED, TAKEN_BACK)
    assert book.case_draft(CASE.case_id) is draft


def test_a_job_whose_message_may_have_been_made_is_never_taken_back(outbox: Outbox) -> None:
    desk, _draft, job = _handed_over(outbox)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION, posted=True))
    with pytest.raises(TakeBackRefused) as refused:
        desk.take_back(job.job_id)
    assert refused.value.code == "ui.waiting.may_be_delivered"
    assert outbox.job(job.job_id).state is JobState.NEEDS_ACTION  # type: ignore[union-attr]


def test_after_a_restart_a_saved_draft_finds_its_waiting_job_again(outbox: Outbox) -> None:
    draft = _reply()
    job = _journal(outbox, draft)
    _end(outbox, job, JobState.NEEDS_ACTION)
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    desk.load_unfinished()
    assert desk.mark(CASE.case_id) is SendMark.WAITING
    assert desk.restore(draft), "kept beside its job, not in the book"
    assert draft not in book
    held = desk.waiting_for_case(CASE.case_id)
    assert held is not None and held.draft is draft and held.can_take_back


def test_restore_drops_a_delivered_draft_and_books_a_refused_one(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    delivered, refused, never = _reply("a"), _reply("b"), _reply("c")
    _end(outbox, _journal(outbox, delivered), JobState.DELIVERED)
    _end(outbox, _journal(outbox, refused), JobState.FAILED)
    assert desk.restore(delivered)
    assert not desk.restore(refused) and refused.sign_off is None
    assert not desk.restore(never)


def test_another_clinicians_job_is_not_ours(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    draft = _reply()
    job = outbox.add(outgoing_message(draft), [], draft.idempotency_key, "bertil", None)
    assert desk.job_ended(_end(outbox, job, JobState.FAILED))[0] is Outcome.NOT_OURS
