"""The unit's cases, a case with its thread (1.2), and the sandbox's directory. (Signing
in is at the identity provider: tests/gateway/test_identity_provider.py, test_tokens.py.)"""

from __future__ import annotations

from sandbox.runner import SandboxHandle
from tests.gateway.helpers import (
    ANSWERED_CASE,
    CASE_PROVSVAR,
    KARIN,
    MALMO_CASE,
    FakeClock,
    Raw,
    codes,
    reply,
)


def test_open_cases_of_the_unit(raw: Raw, token: str) -> None:
    cases = raw.call("GET", "/v1/cases?status=open", token).json()["cases"]
    ids = [c["case_id"] for c in cases]
    assert len(ids) >= 4 and CASE_PROVSVAR in ids
    assert ANSWERED_CASE not in ids and MALMO_CASE not in ids
    first = next(c for c in cases if c["case_id"] == CASE_PROVSVAR)
    assert first["resident"] == {"id": KARIN, "name": "Karin Berg"}
    assert first["status"] == "open" and first["subject"] == "Provsvar"
    malmo = raw.call("GET", "/v1/cases", raw.token("erik")).json()["cases"]
    assert [c["case_id"] for c in malmo] == [MALMO_CASE]


def test_unknown_status_and_routes_answer_in_the_error_shape(raw: Raw, token: str) -> None:
    assert codes(raw.call("GET", "/v1/cases?status=bogus", token)) == ["invalid_status"]
    missing = raw.call("GET", "/v1/nothing-here", token)
    assert missing.status_code == 404 and codes(missing) == ["not_found"]
    wrong_method = raw.call("DELETE", "/v1/cases", token)
    assert wrong_method.status_code == 405 and "GET" in wrong_method.headers["Allow"]


def test_sandbox_directory(sandbox: SandboxHandle, raw: Raw) -> None:
    data = raw.call("GET", "/sandbox/", headers={"Accept": "application/json"}).json()
    staff = {s["staff_id"]: s for s in data["staff"]}
    reviewers = [s for s in staff.values() if "reviewer" in s["roles"]]
    assert len(reviewers) >= 2
    assert staff["david"]["roles"] == ["sender"]
    assert all(s["pin"] and "secret" not in s for s in staff.values())
    assert data["idp"] == {"issuer": sandbox.issuer, "client_id": "bifoga"}
    assert {"id": KARIN, "name": "Karin Berg"} in data["residents"]
    page = raw.call("GET", "/sandbox/")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<code>1111</code>" in page.text and f"/sandbox/inbox/{KARIN}" in page.text


def test_a_case_with_its_thread_oldest_first(raw: Raw, token: str, clock: FakeClock) -> None:
    question = reply(kind="counter_question", subject="Fråga", body="Fastar du?")
    assert raw.send(token, question).status_code == 201
    clock.advance(minutes=5)
    answered = raw.call(
        "POST",
        f"/sandbox/cases/{CASE_PROVSVAR}/resident-answers",
        json={"body": "Ja, sedan i går."},
    )
    assert answered.status_code == 201
    case = raw.call("GET", f"/v1/cases/{CASE_PROVSVAR}", token)
    assert case.status_code == 200, case.text
    body = case.json()
    assert body["case_id"] == CASE_PROVSVAR and body["status"] == "open"
    assert body["resident"] == {"id": KARIN, "name": "Karin Berg"}
    thread = body["thread"]
    assert [m["from"] for m in thread] == ["resident", "staff", "resident"]
    assert thread[0]["body"].startswith("Hej! Jag lämnade blodprov")
    assert thread[1]["body"] == "Fastar du?" and thread[1]["sender"]["staff_id"] == "anna"
    assert thread[2]["body"] == "Ja, sedan i går." and thread[2]["attachments"] == []
    assert [m["sent_at"] for m in thread] == sorted(m["sent_at"] for m in thread)


def test_another_units_case_is_not_found(raw: Raw, token: str) -> None:
    for case_id in (MALMO_CASE, "no-such-case"):
        missing = raw.call("GET", f"/v1/cases/{case_id}", token)
        assert missing.status_code == 404 and codes(missing) == ["not_found"]
