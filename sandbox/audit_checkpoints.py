"""``POST /v1/audit-checkpoints``: the sandbox keeps the checkpoints of clients' audit
trails (docs/audit.md), as a real gateway keeps them off the clinician's machine."""

from __future__ import annotations

import re

from werkzeug.wrappers import Request, Response

from sandbox.api import Api
from sandbox.clock import parse_rfc3339, rfc3339
from sandbox.responses import ApiError, FieldError, json_response, read_json_object

_TRAIL = re.compile(r"[0-9a-f]{32}")
_HASH = re.compile(r"[0-9a-f]{64}")
_MAX_SEQ = 2**53 - 1


def keep_checkpoint(api: Api, request: Request) -> Response:
    staff = api.authenticate(request)
    body = read_json_object(request)
    trail, seq, hash_hex, time = (body.get(k) for k in ("trail", "seq", "hash", "time"))
    errors = []
    if not isinstance(trail, str) or not _TRAIL.fullmatch(trail):
        errors.append(FieldError("invalid_trail", "trail is 32 lower-case hex digits.", "trail"))
    if type(seq) is not int or not 1 <= seq <= _MAX_SEQ:
        errors.append(FieldError("invalid_seq", "seq is a positive integer.", "seq"))
    if not isinstance(hash_hex, str) or not _HASH.fullmatch(hash_hex):
        errors.append(FieldError("invalid_hash", "hash is 64 lower-case hex digits.", "hash"))
    if not isinstance(time, str) or parse_rfc3339(time) is None:
        errors.append(FieldError("invalid_time", "time is an RFC 3339 date-time.", "time"))
    if errors:
        raise ApiError(422, errors)
    received_at = rfc3339(api.now())
    row = {"trail": trail, "seq": seq, "hash": hash_hex, "time": time}
    api.store.add_audit_checkpoint(row | {"staff_id": staff.staff_id, "received_at": received_at})
    return json_response({"trail": trail, "seq": seq, "received_at": received_at}, 201)
