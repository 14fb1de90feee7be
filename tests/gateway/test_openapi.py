"""The OpenAPI document is the protocol: it names every route the sandbox serves, and the
sandbox's real answers fit its schemas (checked with a small validator for the subset of
JSON Schema the document uses)."""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import pytest

from sandbox.clock import system_clock
from sandbox.idp import IdentityProvider
from sandbox.runner import SandboxHandle
from sandbox.server import _url_map
from tests.gateway.helpers import KARIN, Raw, attachment_json, pdf_blob, reply, subject_of

_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _document() -> dict[str, Any]:
    text = resources.files("app.gateway").joinpath("openapi.json").read_text("utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


def _problems(
    value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$"
) -> list[str]:
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _problems(value, target, root, where)
    if "oneOf" in schema:
        matches = [s for s in schema["oneOf"] if not _problems(value, s, root, where)]
        return [] if len(matches) == 1 else [f"{where}: {len(matches)} oneOf matches"]
    if "const" in schema and value != schema["const"]:
        return [f"{where}: not {schema['const']!r}"]
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, t) for t in types):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} not in {schema['enum']}"]
    if isinstance(value, str) and "pattern" in schema and not re.search(schema["pattern"], value):
        return [f"{where}: {value!r} does not match {schema['pattern']}"]
    found: list[str] = []
    if isinstance(value, dict):
        found += [f"{where}: missing {k}" for k in schema.get("required", []) if k not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                found += _problems(value[key], sub, root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            found += _problems(item, schema["items"], root, f"{where}[{index}]")
    return found


def _is(value: Any, type_name: str) -> bool:
    if type_name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, _TYPES[type_name])


def _check(document: dict[str, Any], schema_name: str, value: Any) -> None:
    problems = _problems(value, {"$ref": f"#/components/schemas/{schema_name}"}, document)
    assert not problems, problems


def test_every_route_is_documented_and_every_documented_path_is_served() -> None:
    document = _document()
    served: dict[str, set[str]] = {}
    for rule in _url_map(
        IdentityProvider(system_clock, lambda _: None, list).routes()
    ).iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served.setdefault(path, set()).update(m.lower() for m in rule.methods or ())
    served.pop("/", None)  # a redirect to /sandbox/ for browsers
    documented = {
        path: {m for m in item if m in {"get", "head", "put", "post", "delete"}}
        for path, item in document["paths"].items()
    }
    assert set(served) == set(documented)
    for path, methods in documented.items():
        assert methods <= served[path], path


def test_the_document_is_served(raw: Raw) -> None:
    response = raw.call("GET", "/v1/openapi.json")
    assert response.status_code == 200 and response.json() == _document()
    assert response.json()["openapi"].startswith("3.1")


def test_real_answers_fit_the_schemas(sandbox: SandboxHandle, raw: Raw) -> None:
    document = _document()
    token = raw.token()
    _check(document, "Staff", raw.call("GET", "/v1/me", token).json())
    _check(document, "ErrorList", raw.call("POST", "/v1/sessions", json={}).json())
    _check(document, "ErrorList", raw.call("GET", "/v1/me").json())
    _check(document, "CaseList", raw.call("GET", "/v1/cases", token).json())
    _check(document, "CaseThread", raw.call("GET", "/v1/cases/2024-118", token).json())
    blob = pdf_blob()
    raw.upload(token, blob)
    message = reply([attachment_json(blob, personal_data=True)])
    review = raw.review(token, subject_of(message))
    _check(document, "Review", review.json())
    created = raw.send(token, dict(message, review_id=review.json()["review_id"]))
    _check(document, "MessageCreated", created.json())
    message_id = created.json()["message_id"]
    _check(document, "Message", raw.call("GET", f"/v1/messages/{message_id}", token).json())
    _check(document, "MessageList", raw.call("GET", "/v1/messages", token).json())
    path = f"/v1/messages/{message_id}/retraction-requests"
    accepted = raw.call("POST", path, token, json={"reason": "Fel", "attachments": [blob.sha256]})
    _check(document, "RetractionAccepted", accepted.json())
    _check(document, "RetractionList", raw.call("GET", path, token).json())
    _check(document, "Message", raw.call("GET", f"/v1/messages/{message_id}", token).json())
    directory = raw.call("GET", "/sandbox/", headers={"Accept": "application/json"})
    _check(document, "SandboxDirectory", directory.json())
    _check(document, "Ledger", raw.call("GET", "/sandbox/ledger").json())
    _check(document, "FaultState", raw.call("GET", "/sandbox/faults").json())
    _check(document, "ErrorList", raw.send(token, reply(recipients=[KARIN[:-1]])).json())


@pytest.mark.parametrize("schema", ["Staff", "CaseThread", "Message", "ErrorList"])
def test_the_validator_notices_a_wrong_answer(schema: str) -> None:
    assert _problems({"unexpected": True}, {"$ref": f"#/components/schemas/{schema}"}, _document())


def test_real_1_1_answers_fit_the_schemas(raw: Raw) -> None:
    document = _document()
    token = raw.token()
    counter_question = reply(kind="counter_question")
    assert raw.send(token, counter_question).status_code == 201
    for status in document["components"]["schemas"]["CaseStatus"]["enum"]:
        cases = raw.call("GET", "/v1/cases", token, params={"status": status}).json()
        _check(document, "CaseList", cases)
        assert {c["status"] for c in cases["cases"]} <= {status}
    answered = raw.call(
        "POST",
        f"/sandbox/cases/{counter_question['case_id']}/resident-answers",
        json={"body": "Ja"},
    )
    _check(document, "ResidentAnswer", answered.json())
    messages = raw.call("GET", "/v1/messages", token).json()
    _check(document, "MessageList", messages)
    deep = raw.call("POST", "/v1/reviews", token, data="[" * 65 + "]" * 65)
    _check(document, "ErrorList", deep.json())
    too_large = raw.call("POST", "/v1/reviews", token, data=b" " * (1024 * 1024 + 1))
    assert too_large.status_code == 413
    _check(document, "ErrorList", too_large.json())
