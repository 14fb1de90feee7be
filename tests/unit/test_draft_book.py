"""Each case keeps its own draft: nothing written for one resident moves to another."""

from __future__ import annotations

from app.drafts.draft_book import DraftBook, draft_key
from app.protocol.model import Case, MessageKind, Resident

KARIN = Case("2024-118", Resident("196801029288", "Karin Berg"), "Provsvar", "2024-11-18", "open")
GUNNAR = Case("2024-119", Resident("194107086995", "Gunnar Ek"), "Recept", "2024-11-19", "open")


def test_choosing_another_case_gives_that_cases_own_draft_and_keeps_the_first() -> None:
    book = DraftBook()
    karin = book.for_case(KARIN, "Sv: Provsvar")
    karin.body = "Hej Karin, här är ditt provsvar."
    karin.subject = "Ditt provsvar"
    gunnar = book.for_case(GUNNAR, "Sv: Recept")
    assert gunnar is not karin
    assert (gunnar.subject, gunnar.body, gunnar.recipients) == (
        "Sv: Recept",
        "",
        [GUNNAR.resident.id],
    )
    again = book.for_case(KARIN, "Sv: Provsvar")
    assert again is karin and again.body == "Hej Karin, här är ditt provsvar."
    assert again.subject == "Ditt provsvar", "a typed subject stays with its case"
    assert karin.recipients == [KARIN.resident.id]
    assert book.holds_work("2024-118") and not book.holds_work("2024-119")


def test_a_case_record_is_refreshed_but_the_words_are_the_drafts_own() -> None:
    book = DraftBook()
    draft = book.for_case(KARIN, "Sv: Provsvar")
    draft.body = "Hej"
    waiting = Case(
        KARIN.case_id, KARIN.resident, KARIN.subject, KARIN.opened_at, "awaiting_resident"
    )
    assert book.for_case(waiting, "other") is draft
    assert draft.case == waiting and draft.body == "Hej" and draft.subject == "Sv: Provsvar"


def test_new_case_drafts_each_keep_their_recipients() -> None:
    book = DraftBook()
    first = book.new_case()
    assert first.kind is MessageKind.NEW_CASE and first.recipients == []
    assert book.new_case() is first, "an untouched new case is reused, not piled up"
    first.new_case_recipients = ["191212121212"]
    second = book.new_case()
    assert second is not first and second.recipients == []
    assert first.recipients == ["191212121212"]
    assert draft_key(first) != draft_key(second)
    assert book.with_content() == [first]


def test_removing_a_sent_draft_leaves_the_others() -> None:
    book = DraftBook()
    karin = book.for_case(KARIN, "Sv: Provsvar")
    gunnar = book.for_case(GUNNAR, "Sv: Recept")
    book.remove(karin)
    assert karin not in book and gunnar in book and len(book) == 1
    fresh = book.for_case(KARIN, "Sv: Provsvar")
    assert fresh is not karin and fresh.idempotency_key != karin.idempotency_key
