"""Answers in the protocol's shape: JSON bodies and ``{"errors": [...]}`` for every refusal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

#: A JSON request body is small (250 recipients, 10 attachments); anything larger is refused
#: before it is read.
MAX_JSON_BYTES = 1024 * 1024


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
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError.one(413, "payload_too_large", "The request body is too large.")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApiError.one(400, "invalid_json", "The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise ApiError.one(400, "invalid_json", "The body must be a JSON object.")
    return data
