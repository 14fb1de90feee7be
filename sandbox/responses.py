"""Answers in the protocol's shape: JSON bodies and ``{"errors": [...]}`` for every refusal."""

from __future__ import annotations

import itertools
import json
import math
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

#: Longer numbers are refused (no number in the protocol has more than a few digits).
MAX_NUMBER_CHARS = 100

#: A surrogate escape anywhere: only then are the parsed strings searched.
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]", re.ASCII)
#: json.loads joins a valid pair into one character, so one left is a lone surrogate.
_SURROGATE = re.compile(r"[\ud800-\udfff]")
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
        data = json.loads(
            text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_no_constant
        )
    except _NumberOutOfRange:
        raise ApiError.one(
            400, "number_out_of_range", "A number in the body is too long or not finite."
        ) from None
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
        raise ApiError.one(400, "invalid_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError.one(400, "invalid_json", "The body must be a JSON object.")
    if _LONE_SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(data):
        # JSON lets "\ud800" through, but it is no character: it would fail (500) the
        # first time the text is encoded, in the database or in an answer.
        raise ApiError.one(
            400, "invalid_unicode", "A text in the body holds a lone surrogate (\\ud800-\\udfff)."
        )
    return data


class _NumberOutOfRange(ValueError):
    pass


def _parse_int(text: str) -> int:
    # Python refuses to convert more than 4,300 digits (a ValueError, not a JSON error);
    # no number in the protocol needs more than a few.
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberOutOfRange(text[:20])
    return int(text)


def _parse_float(text: str) -> float:
    value = float(text) if len(text) <= MAX_NUMBER_CHARS else math.inf
    if not math.isfinite(value):  # 1e999 is inf, which no JSON answer can hold
        raise _NumberOutOfRange(text[:20])
    return value


def _no_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, which are not JSON.
    raise ValueError(f"not JSON: {name}")


def _has_lone_surrogate(value: object) -> bool:
    if isinstance(value, str):
        return _SURROGATE.search(value) is not None
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


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
