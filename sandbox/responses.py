"""Answers in the protocol's shape: JSON bodies and ``{"errors": [...]}`` for every refusal."""

from __future__ import annotations

import itertools
import json
import operator
import re
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

#: A JSON request body is small (250 recipients, 10 attachments); anything larger is refused
#: (by Content-Length before it is read, or as soon as a chunked body passes the limit).
MAX_JSON_BYTES = 1024 * 1024
#: docs/protocol.md 1.1: deeper nesting is refused before parsing (a parser recursing 100,000
#: levels deep fails, and no request of the protocol nests more than four).
MAX_JSON_DEPTH = 64

_JSON_ESCAPE = re.compile(r"\\.", re.DOTALL)
_JSON_STRING = re.compile(r'"[^"]*+"')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]++")
_BRACKET_STEPS = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})


@dataclass(frozen=True, slots=True)
class FieldError:
    code: str
    message: str
    field: str | None = None

    def to_json(self) -> dict[str, str]:
        out = {"code": self.code, "message": self.message}
        if self.field is not None:
            out["field"] = self.field
        return out


class ApiError(Exception):
    """Raised by a handler to refuse a request; the app turns it into the error body."""

    def __init__(
        self,
        status: int,
        errors: list[FieldError] | FieldError,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.errors = errors if isinstance(errors, list) else [errors]
        self.headers = headers or {}
        super().__init__(", ".join(e.code for e in self.errors))

    @classmethod
    def one(
        cls,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> ApiError:
        return cls(status, FieldError(code, message, field), headers)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    response = Response(body, status=status, mimetype="application/json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def error_response(error: ApiError) -> Response:
    return json_response(
        {"errors": [e.to_json() for e in error.errors]}, error.status, error.headers
    )


def read_json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400/413 refusal."""
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise ApiError.one(413, "payload_too_large", "The request body is too large.")
    # The app sets request.max_content_length, so a chunked body stops at the limit too.
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError.one(413, "payload_too_large", "The request body is too large.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError.one(400, "invalid_json", "The body is not valid UTF-8 JSON.") from None
    openings = text.count("[") + text.count("{")
    if openings > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
        raise ApiError.one(
            400, "json_too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels deep."
        )
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise ApiError.one(400, "invalid_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError.one(400, "invalid_json", "The body must be a JSON object.")
    return data


def json_depth(text: str) -> int:
    """How deep the arrays and objects in ``text`` nest, found without parsing (a
    recursive parser is what deep nesting attacks). Brackets inside strings do not
    count. Every step is a regular expression or a C-level iterator, linear in the
    text's length: escapes go first (so a string is then quote, no quote, quote), then
    strings, then all but brackets; the depth is the largest running sum of +1 for an
    opening and -1 for a closing bracket."""
    no_strings = _JSON_STRING.sub("", _JSON_ESCAPE.sub("", text))
    steps = _NOT_A_BRACKET.sub("", no_strings).translate(_BRACKET_STEPS).encode("ascii")
    # Openings count 2 and closings 0, so after k brackets the sum minus k is the depth.
    return max(map(operator.sub, itertools.accumulate(steps), itertools.count(1)), default=0)
