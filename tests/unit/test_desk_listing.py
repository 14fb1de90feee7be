"""What the case list lists, marks and shows (app/drafts/desk.py, ``Desk.listing``), on a
real outbox journal: a new case on its way has its own row (it has no case to be shown
on) with the waiting panel's send behind it, and comes back as a new-case draft when
refused or taken back; every draft of a case has a row, so that a second draft of one
case is never hidden behind the first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.drafts.desk import Desk, Listed, Outcome, RowKind, SendMark
from app.drafts.draft_book import DraftBook
from app.drafts.draft_store import RestoredDraft, RestoredDrafts
from app.drafts.message_draft import Draft, SignOff
from app.outbox import JobState, Outbox, OutboxJob
from app.protocol.model import Case, MessageKind, Resident
from app.send.sending import outgoing_message

CASE = Case(
    "2024-118", Resident("196801029288", "Karin Svensson"), "Provsvar", "2024-05-01", "open"
)
OTHER = Case(
    "2024-119", Resident("194501103297", "Gunnar Lindqvist"), "Recept", "2024-05-02", "open"
)


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.sqlite3") as journal:
        yield journal


def _journal(outbox: Outbox, draft: Draft) -> OutboxJob:
    return outbox.add(outgoing_message(draft), [], draft.idempotency_key, "anna", None)


def _end(outbox: Outbox, job: OutboxJob, state: JobState, **changes: object) -> OutboxJob:
    return outbox.record(job.job_id, state=state, **changes)


def _kinds(rows: list[Listed]) -> list[tuple[RowKind, str]]:
    return [(row.kind, row.key) for row in rows]


def _new_case_sent(outbox: Outbox) -> tuple[Desk, Draft, OutboxJob]:
    """A new case to two residents, on screen, then handed over (its job running)."""
    desk = Desk(DraftBook(), outbox, "anna")
    draft = desk.new_case()
    draft.new_case_recipients = ["196801029288", "194501103297"]
    draft.subject, draft.body = "Vaccination", "Välkommen på vaccination."
    draft.sign_off = SignOff("rev_1", "bertil", "Bertil Berg", "d" * 64, 0.0)
    desk.show(draft)
    job = _journal(outbox, draft)
    desk.handed_over(job, draft)
    assert desk.forget(draft), "it was on screen"
    return desk, draft, job


def test_a_new_case_on_its_way_has_its_own_row_and_is_shown_there(outbox: Outbox) -> None:
    desk, draft, job = _new_case_sent(outbox)
    assert desk.show_sent(draft), "nothing else on screen: its own row is shown"
    send_key = f"send:{job.job_id}"
    (row,) = desk.listing([CASE])[1:]
    assert (row.kind, row.key, row.mark) == (RowKind.NEW_CASE_SEND, send_key, SendMark.SENDING)
    assert row.waiting is not None and row.waiting.subject == "Vaccination"
    assert row.waiting.recipient_count == 2
    assert desk.shown_key() == send_key
    assert desk.waiting_on_screen() is row.waiting
    assert desk.current.case is None and not desk.holds(draft), "no draft to write in"

    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION, error_code="outbox.gateway_down"))
    assert desk.listing([CASE])[1].mark is SendMark.WAITING
    waiting = desk.waiting_on_screen()
    assert waiting is not None and waiting.can_take_back
    assert desk.mark(CASE.case_id) is None, "no case is marked for it"

    assert desk.job_ended(_end(outbox, job, JobState.DELIVERED)) == (Outcome.DELIVERED, None)
    assert _kinds(desk.listing([CASE])) == [(RowKind.CASE, "case:2024-118")], "it left the list"
    assert desk.waiting_on_screen() is None and desk.shown_key() is None


def test_a_refused_new_case_comes_back_as_a_new_case_draft_on_screen(outbox: Outbox) -> None:
    desk, draft, job = _new_case_sent(outbox)
    desk.show_sent(draft)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    refused = _end(outbox, job, JobState.FAILED, error_code="invalid_resident_id")
    assert desk.job_ended(refused) == (Outcome.RETURNED, draft)
    assert draft.sign_off is None and draft.new_case_recipients == [
        "196801029288",
        "194501103297",
    ]
    assert _kinds(desk.listing([])) == [(RowKind.NEW_CASE_DRAFT, f"draft:{draft.draft_id}")]
    assert desk.shows_returned(draft), "it takes the place of its send on screen"
    desk.show(draft)
    assert desk.shown_key() == f"draft:{draft.draft_id}" and desk.waiting_on_screen() is None


def test_a_new_case_taken_back_is_a_new_case_draft_again(outbox: Outbox) -> None:
    desk, draft, job = _new_case_sent(outbox)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    assert desk.show_waiting_send(job.job_id)
    assert desk.take_back(job.job_id) is draft
    assert _kinds(desk.listing([])) == [(RowKind.NEW_CASE_DRAFT, f"draft:{draft.draft_id}")]
    assert not desk.show_waiting_send(job.job_id), "nothing waits any more"


def test_a_new_case_found_waiting_at_start_without_its_draft_is_listed(outbox: Outbox) -> None:
    draft = Draft(MessageKind.NEW_CASE, new_case_recipients=["196801029288"], subject="Kallelse")
    job = _end(outbox, _journal(outbox, draft), JobState.NEEDS_ACTION)
    desk = Desk(DraftBook(), outbox, "anna")
    desk.load_unfinished()
    (row,) = desk.listing([])
    assert row.kind is RowKind.NEW_CASE_SEND and row.waiting is not None
    assert row.waiting.subject == "Kallelse" and not row.waiting.can_take_back
    assert row.key == f"send:{job.job_id}"


def test_a_sent_new_case_never_takes_the_place_of_a_case_on_screen(outbox: Outbox) -> None:
    desk, draft, _job = _new_case_sent(outbox)
    desk.show(desk.for_case(CASE, "Sv: Provsvar"))
    assert not desk.show_sent(draft)
    assert desk.shown_key() == "case:2024-118"


def test_a_taken_back_reply_beside_a_new_one_is_a_second_row_under_its_case(
    outbox: Outbox,
) -> None:
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    first = desk.for_case(CASE, "Sv: Provsvar")
    first.body = "Här är remissen."
    desk.show(first)
    job = _journal(outbox, first)
    desk.handed_over(job, first)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    second = desk.for_case(CASE, "Sv: Provsvar")
    second.body = "Remissen är skickad."
    desk.show(second)

    desk.take_back(job.job_id)
    rows = desk.listing([CASE, OTHER])
    assert _kinds(rows) == [
        (RowKind.CASE, "case:2024-118"),
        (RowKind.EXTRA_DRAFT, f"draft:{second.draft_id}"),
        (RowKind.CASE, "case:2024-119"),
    ]
    assert rows[0].draft is first and rows[0].has_draft, "the given-back draft is the case's"
    assert rows[1].draft is second and rows[1].number == 2, "the new one is not hidden"
    assert desk.shown_key() == f"draft:{second.draft_id}", "the one on screen stays selected"
    desk.show(first)
    assert desk.shown_key() == "case:2024-118"


def test_two_restored_drafts_of_one_case_both_have_rows_open_or_closed(outbox: Outbox) -> None:
    one, two = (Draft(MessageKind.REPLY, CASE, body=body) for body in ("ett", "två"))
    desk = Desk(DraftBook(), outbox, "anna")
    saved = RestoredDrafts((RestoredDraft(one, ()), RestoredDraft(two, ())), current_id=None)
    desk.restore_saved(saved)
    assert _kinds(desk.listing([CASE])) == [
        (RowKind.CASE, "case:2024-118"),
        (RowKind.EXTRA_DRAFT, f"draft:{two.draft_id}"),
    ]
    closed = desk.listing([OTHER])  # the case is no longer open
    assert _kinds(closed)[1:] == [
        (RowKind.CLOSED_CASE_DRAFT, "case:2024-118"),
        (RowKind.EXTRA_DRAFT, f"draft:{two.draft_id}"),
    ]
    assert closed[1].draft is one and closed[2].draft is two


def test_an_untouched_draft_beside_a_written_one_has_no_row(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    written = desk.for_case(CASE, "Sv: Provsvar")
    written.body = "skrivet"
    desk.book.add(Draft(MessageKind.REPLY, CASE))
    assert [row.kind for row in desk.listing([CASE])] == [RowKind.CASE]


def test_a_reply_on_its_way_to_a_case_no_longer_open_keeps_a_row(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    reply = desk.for_case(CASE, "Sv: Provsvar")
    reply.body = "Här är remissen."
    job = _journal(outbox, reply)
    desk.handed_over(job, reply)
    desk.job_ended(_end(outbox, job, JobState.NEEDS_ACTION))
    assert [row.kind for row in desk.listing([CASE])] == [RowKind.CASE], "on its case's row"
    (row,) = desk.listing([OTHER])[1:]  # the case closed meanwhile
    assert (row.kind, row.key, row.mark) == (
        RowKind.CLOSED_CASE_SEND,
        f"send:{job.job_id}",
        SendMark.WAITING,
    )
    assert desk.show_waiting_send(job.job_id) and desk.waiting_on_screen() is row.waiting
    later = desk.for_case(CASE, "Sv: Provsvar")  # a draft for the closed case carries it
    later.body = "Ett till."
    assert [row.kind for row in desk.listing([OTHER])][1:] == [RowKind.CLOSED_CASE_DRAFT]
