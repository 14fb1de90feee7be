"""Reading the gateway's answers: the one place a body is parsed, and an error answer
made a :class:`GatewayError` with its codes (docs/protocol.md's error shape)."""

from __future__ import annotations

import email.utils
import time
import urllib.parse
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from app.gateway.errors import BAD_RESPONSE, TLS, GatewayError
from app.gateway.payloads import SentMessage
from app.gateway.records import Delivery

if TYPE_CHECKING:
    import requests

_Parsed = TypeVar("_Parsed")

#: The one list of statuses after which a request may be tried again (the client's own
#: retries and the outbox's): the gateway timed out or is busy or failed (408, 429,
#: 5xx), it asks for the request again (425 Too Early), or the first request with the
#: key is still being processed (409).
RETRY_STATUSES = frozenset({408, 409, 425, 429, 500, 502, 503, 504})


def replayed(response: requests.Response) -> bool:
    return response.headers.get("Idempotent-Replayed", "").lower() == "true"


def sent_message(
    response: requests.Response, data: dict[str, Any], *, replayed: bool
) -> SentMessage:
    try:
        return SentMessage(
            message_id=str(data["message_id"]),
            created_at=str(data["created_at"]),
            deliveries=[
                Delivery(str(d["resident_id"]), str(d["delivery_id"]), str(d["status"]))
                for d in data["deliveries"]
            ],
            replayed=replayed,
        )
    except (KeyError, TypeError) as missing:
        raise bad_response(response, missing) from None


def worth_retrying(error: GatewayError) -> bool:
    if error.status is None:
        # A TLS failure (an unknown certificate) will fail the same way again.
        return TLS not in error.codes
    return error.status in RETRY_STATUSES


def segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def json_object(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise bad_response(response, "not JSON") from None
    if not isinstance(data, dict):
        raise bad_response(response, "not a JSON object")
    return data


def parsed(response: requests.Response, parse: Callable[[dict[str, Any]], _Parsed]) -> _Parsed:
    """The one place an answer's body is read: a JSON object given to ``parse``. Anything
    missing or of the wrong shape is a ``bad_response`` error, never a half-read answer."""
    data = json_object(response)
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError) as wrong:
        raise bad_response(response, wrong) from None


def objects(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("expected a list of objects")
    return value


def bad_response(response: requests.Response, detail: object) -> GatewayError:
    return GatewayError(
        response.status_code, (BAD_RESPONSE,), f"unexpected answer from the gateway ({detail})"
    )


def error_from(response: requests.Response) -> GatewayError:
    codes: list[str] = []
    messages: list[str] = []
    fields: list[str | None] = []
    try:
        data = response.json() if response.content else {}
    except ValueError:
        data = {}
    errors = data.get("errors") if isinstance(data, dict) else None
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                codes.append(item["code"])
                messages.append(str(item.get("message", "")))
                field_name = item.get("field")
                fields.append(field_name if isinstance(field_name, str) else None)
    if not codes:
        codes = [f"http_{response.status_code}"]
        messages = [response.reason or ""]
        fields = [None]
    return GatewayError(
        response.status_code,
        tuple(codes),
        "; ".join(m for m in messages if m),
        retry_after=retry_after(response.headers.get("Retry-After")),
        fields=tuple(fields),
    )


def retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: delta-seconds or an HTTP date (RFC 9110)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())
