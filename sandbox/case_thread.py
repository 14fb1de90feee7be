"""``GET /v1/cases/{case_id}`` (1.2): a case with its thread, every message in it oldest
first, from the resident (the question that opened it, the answers to counter-questions)
and from staff, so a clinician reads the resident's answer where it belongs."""

from __future__ import annotations

import sqlite3
from typing import Any

from sandbox.demo import CASE_QUESTIONS, StaffMember
from sandbox.responses import ApiError
from sandbox.store import Store


def case_with_thread(store: Store, staff: StaffMember, case_id: str) -> dict[str, Any]:
    case = store.case(case_id)
    # Another unit's case is simply not found: its existence is nobody else's business.
    if case is None or case["unit"] != staff.unit:
        raise ApiError.one(404, "not_found", "No such case.")
    thread: list[tuple[str, dict[str, Any]]] = []
    question = CASE_QUESTIONS.get(case_id)
    if question is not None:
        thread.append((case["opened_at"], _resident(case["opened_at"], question)))
    for message in store.case_messages(case_id):
        thread.append((message["created_at"], _staff_message(store, message)))
    for answer in store.case_answers(case_id):
        thread.append((answer["answered_at"], _resident(answer["answered_at"], answer["body"])))
    # RFC 3339 of fixed width sorts as time does; at the same moment, an answer comes
    # after the staff's message it answers (a stable sort keeps that order).
    thread.sort(key=lambda item: item[0])
    return {
        "case_id": case["case_id"],
        "resident": {"id": case["resident_id"], "name": store.resident_name(case["resident_id"])},
        "subject": case["subject"],
        "opened_at": case["opened_at"],
        "status": case["status"],
        "thread": [entry for _, entry in thread],
    }


def _resident(sent_at: str, body: str) -> dict[str, Any]:
    return {"from": "resident", "sent_at": sent_at, "body": body, "attachments": []}


def _staff_message(store: Store, row: sqlite3.Row) -> dict[str, Any]:
    return {
        "from": "staff",
        "sent_at": row["created_at"],
        "body": row["body"],
        "attachments": [
            {
                "sha256": a["sha256"],
                "filename": a["filename"],
                "media_type": a["media_type"],
                "retracted": a["retracted_at"] is not None,
            }
            for a in store.message_attachments(row["message_id"])
        ],
        "message_id": row["message_id"],
        "kind": row["kind"],
        "subject": row["subject"],
        "sender": {"staff_id": row["sender_id"], "name": row["sender_name"] or ""},
    }
