"""Sign-in, the throttle, tokens and the unit's cases."""

from __future__ import annotations

from sandbox.runner import SandboxHandle
from tests.gateway.helpers import (
    ANSWERED_CASE,
    CASE_PROVSVAR,
    KARIN,
    LUND,
    MALMO_CASE,
    FakeClock,
    Raw,
    codes,
)


def test_sign_in_gives_a_token_and_the_staff_member(raw: Raw, clock: FakeClock) -> None:
    response = raw.sign_in("anna")
    assert response.status_code == 201
    body = response.json()
    assert body["staff"] == {
        "staff_id": "anna",
        "name": "Anna Andersson",
        "unit": LUND,
        "roles": ["sender", "reviewer"],
    }
    assert body["token"] and body["expires_at"] > clock.now.isoformat()


def test_wrong_secret_and_unknown_id_get_the_same_answer(raw: Raw) -> None:
    wrong_secret = raw.sign_in("anna", "nope")
    unknown_id = raw.sign_in("nobody", "nope")
    assert wrong_secret.status_code == unknown_id.status_code == 401
    assert wrong_secret.json() == unknown_id.json()


def test_five_failures_lock_the_staff_id_for_a_while(raw: Raw, clock: FakeClock) -> None:
    for _ in range(5):
        assert raw.sign_in("bertil", "wrong").status_code == 401
    locked = raw.sign_in("bertil")  # even the right secret
    assert locked.status_code == 429
    assert codes(locked) == ["too_many_attempts"]
    assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
    assert raw.sign_in("cecilia").status_code == 201  # other ids are not affected
    assert raw.sign_in("nobody", "x").status_code == 401
    clock.advance(minutes=15, seconds=1)
    assert raw.sign_in("bertil").status_code == 201


def test_unknown_ids_are_throttled_too(raw: Raw) -> None:
    for _ in range(5):
        raw.sign_in("ghost", "x")
    assert raw.sign_in("ghost", "x").status_code == 429


def test_calls_need_a_valid_unexpired_token(raw: Raw, clock: FakeClock) -> None:
    assert raw.call("GET", "/v1/cases").status_code == 401
    assert codes(raw.call("GET", "/v1/cases", "forged")) == ["unauthenticated"]
    token = raw.token()
    assert raw.call("GET", "/v1/cases", token).status_code == 200
    clock.advance(hours=8, seconds=1)
    expired = raw.call("GET", "/v1/cases", token)
    assert expired.status_code == 401 and codes(expired) == ["token_expired"]
    assert expired.headers["WWW-Authenticate"].startswith("Bearer")


def test_malformed_sign_in_is_refused_per_field(raw: Raw) -> None:
    response = raw.call("POST", "/v1/sessions", json={"staff_id": 7})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"staff_id", "secret"}
    assert codes(raw.call("POST", "/v1/sessions", data=b"{nope")) == ["invalid_json"]


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
    assert all(s["secret"] for s in staff.values())
    assert {"id": KARIN, "name": "Karin Berg"} in data["residents"]
    page = raw.call("GET", "/sandbox/")
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<code>1111</code>" in page.text and f"/sandbox/inbox/{KARIN}" in page.text
