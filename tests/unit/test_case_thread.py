"""Reading a case's thread (app/gateway/case_thread.py) and whether the resident answered."""

from __future__ import annotations

from app.gateway.case_thread import thread_from_json


def _raw(*froms: str) -> dict[str, object]:
    return {
        "case_id": "2024-121",
        "status": "open",
        "thread": [
            {
                "from": who,
                "sent_at": f"2024-11-19T13:3{i}:00Z",
                "body": f"{who} {i}",
                "attachments": [{"filename": "Intyg.pdf"}] if who == "staff" else [],
                "kind": "counter_question" if who == "staff" else None,
                "sender": {"staff_id": "anna", "name": "Anna Andersson"},
            }
            for i, who in enumerate(froms)
        ],
    }


def test_the_thread_is_read_in_order_with_who_wrote_and_the_files() -> None:
    thread = thread_from_json(_raw("resident", "staff", "resident"))
    assert [e.from_resident for e in thread.entries] == [True, False, True]
    staff = thread.entries[1]
    assert (staff.sender_name, staff.kind, staff.filenames) == (
        "Anna Andersson",
        "counter_question",
        ("Intyg.pdf",),
    )


def test_the_resident_answered_only_after_staff_wrote() -> None:
    assert not thread_from_json(_raw("resident")).resident_answered, "only the question"
    assert not thread_from_json(_raw("resident", "staff")).resident_answered
    assert thread_from_json(_raw("resident", "staff", "resident")).resident_answered
