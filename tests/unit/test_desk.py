"""The desk (app/drafts/desk.py) on a real outbox journal: a send that left its draft stays on
its case until delivered or given back; a refused job brings its draft back every time;
a job that may have left is never taken back; waiting drafts survive a restart. And the
draft on screen: which drafts the book keeps, which draft holds a file, where a returned
draft goes, and what the drafts saved at the last sign-out become. And what the case list
lists, marks and shows: a new case on its way has its own row (it has no case to be shown
on) and comes back as a new-case draft when refused or taken back; every draft of a case
has a row, so that a second draft of one case is never hidden behind the first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.drafts.desk import (
    TAKEN_BACK,
    Desk,
    Listed,
    Outcome,
    Restored,
    RowKind,
    SendMark,
    TakeBackRefused,
)
from app.drafts.draft_book import DraftBook
from app.drafts.draft_store import RestoredDraft, RestoredDrafts
from app.drafts.message_draft import Attachment, Draft, SignOff
from app.outbox import JobState, Outbox, OutboxJob
from app.protocol.model import Case, MessageKind, Resident
from app.send.sending import outgoing_message
from app.storage.staging import StagedFile

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


# -- the draft on screen (issue 22, item 1: the desk is its one owner) --------------------

OTHER = Case("2024-119", Resident("195502029164", "Gunnar Ek"), "Recept", "2024-05-02", "open")


def _attachment(name: str = "remiss.pdf") -> Attachment:
    staged = StagedFile(Path("/staging") / name, "a" * 64, 100, name, "application/pdf")
    return Attachment(staged)


def test_nothing_is_on_screen_at_first_and_an_empty_draft_is_not_booked(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    blank = desk.current
    assert blank.case is None and blank not in desk.book
    assert desk.all_drafts() == [blank] and desk.unsent_drafts() == []
    assert desk.holds(blank)


def test_a_case_draft_and_a_new_case_go_into_the_book_when_shown(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    reply = desk.for_case(CASE, "Sv: Provsvar")
    assert desk.show(reply) and desk.current is reply and reply in desk.book
    assert not desk.show(reply), "already on screen"
    new = desk.new_case()
    assert desk.show(new) and new in desk.book and desk.current is new
    assert desk.for_case(CASE, "Sv: Provsvar") is reply, "the case keeps its own draft"
    assert desk.for_case_id(CASE.case_id) is reply and desk.draft(new.draft_id) is new


def test_a_reply_with_no_case_is_shown_but_never_booked(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    stray = Draft(MessageKind.REPLY, None, body="för ingen")
    desk.show(stray)
    assert desk.current is stray and stray not in desk.book
    assert desk.unsent_drafts() == [stray], "still asked about when closing"


def test_which_draft_holds_a_file_and_what_forgetting_does(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    shown, other = desk.for_case(CASE, "Sv: a"), desk.for_case(OTHER, "Sv: b")
    desk.show(other)
    desk.show(shown)
    letter, photo = _attachment(), _attachment("bild.png")
    shown.attachments.append(letter)
    other.attachments.append(photo)
    assert desk.draft_holding(letter) is shown and desk.draft_holding(photo) is other
    assert not desk.forget(other), "another draft went; the one on screen stays"
    assert desk.draft_holding(photo) is None and not desk.holds(other)
    assert desk.forget(shown), "the draft on screen went: nothing is shown"
    assert desk.current is not shown and desk.current.case is None and not desk.holds(shown)


def test_a_returned_draft_goes_on_screen_only_over_its_own_case_or_nothing(
    outbox: Outbox,
) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    back = _reply()
    assert desk.shows_returned(back), "nothing on screen"
    desk.show(desk.for_case(CASE, "Sv: Provsvar"))
    assert desk.shows_returned(back), "its own case is on screen"
    desk.show(desk.for_case(OTHER, "Sv: Recept"))
    assert not desk.shows_returned(back), "never over another resident's draft"
    desk.show(desk.new_case())
    assert not desk.shows_returned(back), "nor over a new case"


def test_restored_drafts_the_outbox_holds_stay_beside_their_jobs(outbox: Outbox) -> None:
    waiting, refused, delivered, kept = _reply("a"), _reply("b"), _reply("c"), _reply("d")
    kept.case = OTHER
    _end(outbox, _journal(outbox, waiting), JobState.NEEDS_ACTION)
    _end(outbox, _journal(outbox, refused), JobState.FAILED)
    _end(outbox, _journal(outbox, delivered), JobState.DELIVERED)
    desk = Desk(DraftBook(), outbox, "anna")
    desk.load_unfinished()
    saved = RestoredDrafts(
        tuple(
            RestoredDraft(d, names)
            for d, names in ((waiting, ()), (refused, ("borta.pdf",)), (delivered, ()), (kept, ()))
        ),
        current_id=kept.draft_id,
    )
    restored = desk.restore_saved(saved)
    assert restored.drafts == [refused, kept] and restored.current is kept
    assert restored.missing_files == ["borta.pdf"]
    assert list(desk.book) == [refused, kept]
    assert refused.sign_off is None, "a refused draft comes back without its sign-off"
    held = desk.waiting_for_case(CASE.case_id)
    assert held is not None and held.draft is waiting
    assert delivered not in desk.drafts_to_save()


def test_a_restored_reply_with_no_case_becomes_a_new_case_for_nobody(outbox: Outbox) -> None:
    desk = Desk(DraftBook(), outbox, "anna")
    old = Draft(MessageKind.REPLY, None, body="sparad före fallen")
    restored = desk.restore_saved(RestoredDrafts((RestoredDraft(old, ()),), current_id=None))
    assert restored.current is old, "the first is shown when the shown one is not among them"
    assert old.kind is MessageKind.NEW_CASE and old.recipients == []
    assert old in desk.book


def test_nothing_restored_shows_nothing(outbox: Outbox) -> None:
    draft = _reply()
    _end(outbox, _journal(outbox, draft), JobState.DELIVERED)
    desk = Desk(DraftBook(), outbox, "anna")
    restored = desk.restore_saved(RestoredDrafts((RestoredDraft(draft, ()),), draft.draft_id))
    assert restored == Restored([], None, [])


# -- what the case list lists ------------------------------------------------------------


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
    desk.book.put_first(Draft(MessageKind.REPLY, CASE))  # even in front of it
    (row,) = desk.listing([CASE])
    assert row.draft is written and row.has_draft, "the case's row opens the written one"
    assert desk.for_case(CASE, "Sv: Provsvar") is written


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


def test_an_unwritten_reply_to_a_case_no_longer_open_leaves_the_screen(outbox: Outbox) -> None:
    # The reply just delivered answered the case: it left the open list, and the fresh
    # draft shown for it must not invite a message into a closed case.
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    desk.show(book.for_case(CASE, "Sv: Provsvar"))
    assert desk.leave_closed_case([CASE, OTHER]) is False  # still open: it stays
    assert desk.leave_closed_case([OTHER]) is True
    assert desk.current.case is None and desk.current.kind.answers_a_case
    assert book.case_draft(CASE.case_id) is None  # nothing kept for the closed case
    assert desk.shown_key() is None


def test_a_written_reply_or_one_with_a_send_waiting_stays_when_its_case_closes(
    outbox: Outbox,
) -> None:
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    written = book.for_case(CASE, "Sv: Provsvar")
    written.body = "Hej Karin,"
    desk.show(written)
    assert desk.leave_closed_case([OTHER]) is False
    assert desk.current is written  # listed with the closed cases' drafts, never lost

    waiting_desk, _draft, _job = _handed_over(outbox)
    waiting_desk.show(waiting_desk.book.for_case(CASE, "Sv: Provsvar"))
    assert waiting_desk.leave_closed_case([OTHER]) is False  # the panel shows what waits
    assert waiting_desk.current.case_id == CASE.case_id


def test_a_new_case_on_screen_is_not_a_closed_case(outbox: Outbox) -> None:
    book = DraftBook()
    desk = Desk(book, outbox, "anna")
    desk.show(book.new_case())
    assert desk.leave_closed_case([]) is False
    assert not desk.current.kind.answers_a_case
