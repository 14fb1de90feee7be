"""POST /sandbox/cases/{case_id}/resident-answers: the resident answers a counter-question.

Sandbox only: a real gateway hears the resident through 1177. The answer opens the case
again (docs/protocol.md 1.1). The inbox page posts it as a form and is shown again (303); a
test or script posts JSON and gets 201 with the answer.
"""

from __future__ import annotations

from urllib.parse import quote

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

from app.protocol.model import CaseStatus
from sandbox.api import new_id
from sandbox.clock import Clock, rfc3339
from sandbox.responses import ApiError, json_response, read_json_object
from sandbox.store import Store

MAX_ANSWER = 20_000
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def answer_counter_question(store: Store, clock: Clock, request: Request, case_id: str) -> Response:
    from_form = request.mimetype in _FORM_TYPES
    text = request.form.get("body") if from_form else read_json_object(request).get("body")
    if not isinstance(text, str) or not text.strip():
        raise ApiError.one(422, "body_required", "body is the resident's answer.", "body")
    if len(text) > MAX_ANSWER:
        raise ApiError.one(
            422, "body_too_long", f"body is at most {MAX_ANSWER} characters.", "body"
        )
    now = rfc3339(clock())
    answer_id = new_id("ans")
    with store.transaction():
        case = store.case(case_id)
        if case is None:
            raise ApiError.one(404, "not_found", "No such case.")
        if case["status"] != CaseStatus.AWAITING_RESIDENT:
            raise ApiError.one(
                409,
                "case_not_awaiting_resident",
                "The case has no counter-question waiting for an answer.",
            )
        store.add_resident_answer(answer_id, case_id, case["resident_id"], text, now)
        store.set_case_status(case_id, CaseStatus.OPEN.value)
    if from_form:
        return redirect(f"/sandbox/inbox/{quote(case['resident_id'])}", 303)
    return json_response(
        {
            "answer_id": answer_id,
            "case_id": case_id,
            "answered_at": now,
            "case_status": CaseStatus.OPEN.value,
        },
        201,
    )
