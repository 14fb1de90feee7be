"""Protocol 1.1: a case's status follows the kind of message sent to it, and the resident's
answer to a counter-question opens it again."""

from __future__ import annotations

from typing import Any

import pytest

from app.gateway.client import GatewayClient
from app.protocol.model import CaseStatus
from tests.gateway.helpers import (
    ANSWERED_CASE,
    CASE_PROVSVAR,
    KARIN,
    Raw,
    codes,
    reply,
)
from tests.support.signed_client import use_token


def _status(raw: Raw, token: str, case_id: str) -> str | None:
    """The case's status, found by asking for each status in turn."""
    found = [
        status.value
        for status in CaseStatus
        for case in raw.call("GET", "/v1/cases", token, params={"status": status.value}).json()[
            "cases"
        ]
        if case["case_id"] == case_id
    ]
    assert len(found) <= 1, found
    return found[0] if found else None


def _answer(raw: Raw, case_id: str, body: Any = "Ja, jag kan komma på tisdag.") -> Any:
    return raw.call("POST", f"/sandbox/cases/{case_id}/resident-answers", json={"body": body})


def test_a_reply_answers_the_case_and_it_leaves_the_open_list(raw: Raw, token: str) -> None:
    assert _status(raw, token, CASE_PROVSVAR) == "open"
    assert raw.send(token, reply()).status_code == 201
    assert _status(raw, token, CASE_PROVSVAR) == "answered"
    open_ids = [c["case_id"] for c in raw.call("GET", "/v1/cases", token).json()["cases"]]
    assert CASE_PROVSVAR not in open_ids


def test_a_partial_reply_keeps_the_case_open(raw: Raw, token: str) -> None:
    assert raw.send(token, reply(kind="partial_reply")).status_code == 201
    assert _status(raw, token, CASE_PROVSVAR) == "open"
    assert raw.send(token, reply(kind="partial_reply", body="Mer kommer")).status_code == 201
    assert _status(raw, token, CASE_PROVSVAR) == "open"


def test_a_counter_question_waits_for_the_residents_answer(raw: Raw, token: str) -> None:
    assert raw.send(token, reply(kind="counter_question")).status_code == 201
    assert _status(raw, token, CASE_PROVSVAR) == "awaiting_resident"

    answered = _answer(raw, CASE_PROVSVAR)
    assert answered.status_code == 201, answered.text
    assert answered.json()["case_id"] == CASE_PROVSVAR
    assert answered.json()["case_status"] == "open"
    assert _status(raw, token, CASE_PROVSVAR) == "open"
    # The answer shows in the resident's inbox; the form is gone with the question.
    inbox = raw.call("GET", f"/sandbox/inbox/{KARIN}").text
    assert "Ja, jag kan komma på tisdag." in inbox
    assert "resident-answers" not in inbox


def test_the_inbox_page_offers_a_form_that_answers(raw: Raw, token: str) -> None:
    assert raw.send(token, reply(kind="counter_question")).status_code == 201
    inbox = raw.call("GET", f"/sandbox/inbox/{KARIN}").text
    action = f"/sandbox/cases/{CASE_PROVSVAR}/resident-answers"
    assert f'<form method="post" action="{action}">' in inbox
    assert '<textarea name="body"' in inbox

    # What a browser sends when the form is submitted.
    posted = raw.call("POST", action, data={"body": "Svar från formuläret"}, allow_redirects=False)
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/sandbox/inbox/{KARIN}")
    assert _status(raw, token, CASE_PROVSVAR) == "open"
    assert "Svar från formuläret" in raw.call("GET", f"/sandbox/inbox/{KARIN}").text


@pytest.mark.parametrize("kind", ["reply", "partial_reply", "counter_question"])
def test_no_kind_may_answer_a_case_that_is_not_open(raw: Raw, token: str, kind: str) -> None:
    assert raw.send(token, reply(kind="counter_question")).status_code == 201
    waiting = raw.send(token, reply(kind=kind, body="Påminnelse"))
    assert waiting.status_code == 422 and codes(waiting) == ["case_not_open"]
    assert waiting.json()["errors"][0]["field"] == "case_id"
    answered = raw.send(token, reply(kind=kind, case_id=ANSWERED_CASE, recipients=[KARIN]))
    assert "case_not_open" in codes(answered)
    assert len(raw.ledger()) == 1, "only the counter-question was delivered"


def test_a_resident_answer_needs_a_waiting_question_and_a_text(raw: Raw, token: str) -> None:
    not_waiting = _answer(raw, CASE_PROVSVAR)
    assert not_waiting.status_code == 409 and codes(not_waiting) == ["case_not_awaiting_resident"]
    assert _answer(raw, "no-such-case").status_code == 404
    assert raw.send(token, reply(kind="counter_question")).status_code == 201
    for body in ("", "   ", None, 12, "x" * 20_001):
        refused = _answer(raw, CASE_PROVSVAR, body)
        assert refused.status_code == 422, body
    assert _status(raw, token, CASE_PROVSVAR) == "awaiting_resident"


def test_an_unknown_status_is_refused(raw: Raw, token: str) -> None:
    for status in ("closed", "bogus", ""):
        response = raw.call("GET", "/v1/cases", token, params={"status": status})
        assert response.status_code == 422 and codes(response) == ["invalid_status"]


def test_the_client_lists_cases_by_status(client: GatewayClient, raw: Raw, token: str) -> None:
    use_token(client, token)
    assert CASE_PROVSVAR in [c.case_id for c in client.open_cases()]
    assert [c.case_id for c in client.cases("answered")] == [ANSWERED_CASE]
    assert raw.send(token, reply(kind="counter_question")).status_code == 201
    waiting = client.cases(CaseStatus.AWAITING_RESIDENT)
    assert [(c.case_id, c.status) for c in waiting] == [(CASE_PROVSVAR, "awaiting_resident")]
    assert CASE_PROVSVAR not in [c.case_id for c in client.cases()]
