"""Schemathesis against the sandbox's own OpenAPI document (app/gateway/openapi.json, the
one served at /v1/openapi.json): every operation, with bodies, headers, query strings
and paths generated from the schemas and mutated to break them. Whatever comes in, the
sandbox answers no 5xx, and every answer fits the document (status code, content type,
headers and body). The run is bounded (examples per operation, no shrinking, a deadline
per example) so that the suite stays well within CI's time."""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.tokens import bearer_token

#: Examples per operation and generation mode: enough to reach every field with broken
#: types, surrogates and huge numbers, few enough for CI.
MAX_EXAMPLES = 40

_DOCUMENT = Path(str(resources.files("app.gateway").joinpath("openapi.json")))
schema = schemathesis.openapi.from_path(_DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=MAX_EXAMPLES,
    no_shrink=True,
    deterministic=True,
)

# An upload's body goes out as the bytes generated (a PDF's, like the images', as raw
# bytes): mostly not the file the path's hash names, which is refused with 4xx.
schemathesis.serializer.alias("application/pdf", "application/octet-stream")

_CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SandboxHandle, str]]:
    with start_sandbox(data_dir=tmp_path_factory.mktemp("schemathesis")) as handle:
        yield handle, bearer_token(handle.base_url, "anna")


#: JSON that Python's json reads but no protocol value can be (issue 21: each was a 500):
#: lone surrogate escapes, numbers past Python's 4,300-digit limit or past a float, NaN.
HOSTILE_JSON = [
    '"\\ud800"',
    '"Provsvar \\udfff"',
    '"\\ud83d\\u0041"',
    "1" + "0" * 5000,
    "-" + "9" * 5000,
    "0." + "1" * 5000,
    "1e999",
    "-1e999",
    "NaN",
    "-Infinity",
]
_MARK = "\x00hostile\x00"


@schema.parametrize()
@schema.given(data=st.data())
@settings(deadline=2000, suppress_health_check=list(HealthCheck))
def test_no_input_gives_a_5xx_or_an_answer_outside_the_document(
    case: schemathesis.Case, data: st.DataObject, gateway: tuple[SandboxHandle, str]
) -> None:
    handle, token = gateway
    headers = (
        {} if "Authorization" in (case.headers or {}) else {"Authorization": f"Bearer {token}"}
    )
    try:
        hostile = _with_hostile_json(case, data)
        if hostile is None:
            case.call_and_validate(
                base_url=handle.base_url, headers=headers, checks=_CHECKS, timeout=10
            )
        else:
            response = requests.request(
                case.method,
                handle.base_url + case.formatted_path,
                params=case.query,
                headers={**dict(case.headers or {}), **headers, "Content-Type": "application/json"},
                data=hostile.encode("utf-8"),
                timeout=10,
            )
            assert response.status_code in (400, 401, 404, 422), response.text
            case.validate_response(response, checks=_CHECKS)
    finally:
        # A fault armed by a generated POST /sandbox/faults (error_after answers 500 on
        # purpose) is disarmed before the next example.
        handle.faults.set(None, 0)


def test_the_document_tested_is_the_one_served(gateway: tuple[SandboxHandle, str]) -> None:
    handle, _ = gateway
    served = requests.get(handle.base_url + "/v1/openapi.json", timeout=10)
    assert served.status_code == 200 and served.content == _DOCUMENT.read_bytes()


def _with_hostile_json(case: schemathesis.Case, data: st.DataObject) -> str | None:
    """Sometimes, for a JSON body: the body's text with one value (or key) swapped for
    one of HOSTILE_JSON, which no JSON library would write."""
    body = case.body
    if not isinstance(body, dict | list) or not data.draw(st.booleans(), "hostile"):
        return None
    places = list(_places(body))
    if not places:
        return None
    container, key, is_key = data.draw(st.sampled_from(places), "where")
    text = data.draw(st.sampled_from(HOSTILE_JSON), "what")
    if is_key:
        if not text.startswith('"'):
            return None
        container[_MARK] = container.pop(key)
    else:
        container[key] = _MARK
    return json.dumps(body).replace(json.dumps(_MARK), text)


def _places(value: Any) -> Iterator[tuple[Any, Any, bool]]:
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in list(items):
        yield value, key, False
        if isinstance(value, dict):
            yield value, key, True
        if isinstance(item, dict | list):
            yield from _places(item)
