"""The /v1 endpoints other than messages: sessions, cases, attachments and sign-offs.

Handlers take a werkzeug Request, return a Response, and refuse with ApiError. Credentials
are checked in one place (:meth:`Api.check_credentials`) for both a sign-in and a
colleague's sign-off, so the throttle counts failures of either kind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from app import filetypes
from app.model import ALLOWED_MEDIA_TYPES, MAX_ATTACHMENT_BYTES, CaseStatus, MessageKind, Role
from app.review import subject_digest
from sandbox import uploads
from sandbox.clock import Clock, parse_rfc3339, rfc3339
from sandbox.demo import StaffMember
from sandbox.responses import (
    ApiError,
    FieldError,
    json_response,
    read_json_object,
)
from sandbox.store import Store

#: Failed sign-ins (or sign-off credential checks) per staff id and client address before
#: 429 (docs/protocol.md 1.1).
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: A clinician's shift; the app signs in again when a token has expired.
DEFAULT_SESSION_TTL_S = 8 * 3600
DEFAULT_REVIEW_TTL_S = 15 * 60

_SHA256 = re.compile(r"[0-9a-f]{64}")
_MAX_ID_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Settings:
    review_ttl_s: int = DEFAULT_REVIEW_TTL_S
    session_ttl_s: int = DEFAULT_SESSION_TTL_S


def staff_json(staff: StaffMember) -> dict[str, Any]:
    return {
        "staff_id": staff.staff_id,
        "name": staff.name,
        "unit": staff.unit,
        "roles": list(staff.roles),
    }


def new_id(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex}"


def is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


class Api:
    def __init__(self, store: Store, clock: Clock, settings: Settings) -> None:
        self.store = store
        self.clock = clock
        self.settings = settings

    def now(self) -> dt.datetime:
        return self.clock()

    # -- credentials and tokens ---------------------------------------------------------

    def check_credentials(
        self, staff_id: str, secret: str, client: str, field: str | None = None
    ) -> StaffMember:
        """The staff member these credentials prove, or 401/429.

        The 401 is the same for an unknown id and a wrong secret, and unknown ids are
        throttled too, so neither the answer nor the throttle tells which ids exist.
        Failures count per staff id *and* client address (``client``): an attacker
        locks the account out of their own machine only, never a colleague's.
        """
        now = self.now()
        recent = self.store.failures_since(staff_id, client, rfc3339(now - FAILURE_WINDOW))
        if len(recent) >= MAX_FAILURES:
            # Allowed again when enough of the failures have left the window.
            oldest_that_matters = parse_rfc3339(recent[len(recent) - MAX_FAILURES])
            assert oldest_that_matters is not None
            wait = (oldest_that_matters + FAILURE_WINDOW - now).total_seconds()
            raise ApiError.one(
                429,
                "too_many_attempts",
                "Too many failed attempts for this staff id from here; try again later.",
                field,
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        staff = self.store.staff(staff_id)
        # Compare against something even for an unknown id, so timing does not tell either.
        expected = staff.secret if staff is not None else "\x00" * 16
        if not hmac.compare_digest(secret.encode("utf-8"), expected.encode("utf-8")) or (
            staff is None
        ):
            self.store.add_failure(staff_id, client, rfc3339(now))
            raise ApiError.one(401, "invalid_credentials", "Wrong staff id or secret.", field)
        self.store.clear_failures(staff_id, client)
        return staff

    def authenticate(self, request: Request) -> StaffMember:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        challenge = {"WWW-Authenticate": 'Bearer realm="bifoga-sandbox"'}
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError.one(401, "unauthenticated", "Sign in first.", headers=challenge)
        found = self.store.session(_token_hash(token.strip()))
        if found is None:
            raise ApiError.one(401, "unauthenticated", "Sign in first.", headers=challenge)
        staff_id, expires_at = found
        if expires_at <= rfc3339(self.now()):
            raise ApiError.one(
                401, "token_expired", "The session has expired; sign in again.", headers=challenge
            )
        staff = self.store.staff(staff_id)
        if staff is None:  # pragma: no cover - staff are never deleted
            raise ApiError.one(401, "unauthenticated", "Sign in first.", headers=challenge)
        return staff

    def require_sender(self, staff: StaffMember) -> None:
        if Role.SENDER.value not in staff.roles:
            raise ApiError.one(403, "not_a_sender", "This account may not send messages.")

    # -- POST /v1/sessions ------------------------------------------------------------

    def create_session(self, request: Request) -> Response:
        body = read_json_object(request)
        staff_id, secret = _credentials(body, prefix="")
        staff = self.check_credentials(staff_id, secret, client_address(request))
        token = secrets.token_urlsafe(32)
        now = self.now()
        expires_at = rfc3339(now + dt.timedelta(seconds=self.settings.session_ttl_s))
        # Only the token's hash is stored: the database never holds a usable token.
        self.store.add_session(_token_hash(token), staff.staff_id, rfc3339(now), expires_at)
        return json_response(
            {"token": token, "expires_at": expires_at, "staff": staff_json(staff)}, 201
        )

    # -- GET /v1/cases ----------------------------------------------------------------

    def list_cases(self, request: Request) -> Response:
        staff = self.authenticate(request)
        status = request.args.get("status", CaseStatus.OPEN.value)
        if status not in {s.value for s in CaseStatus}:
            raise ApiError.one(
                422,
                "invalid_status",
                "status is open, awaiting_resident or answered.",
                "status",
            )
        cases = [
            {
                "case_id": row["case_id"],
                "resident": {"id": row["resident_id"], "name": row["resident_name"] or ""},
                "subject": row["subject"],
                "opened_at": row["opened_at"],
                "status": row["status"],
            }
            for row in self.store.cases(staff.unit, status)
        ]
        return json_response({"cases": cases})

    # -- HEAD/PUT /v1/attachments/{sha256} ----------------------------------------------

    def head_attachment(self, request: Request, sha256: str) -> Response:
        self.authenticate(request)
        held = self.store.blob_media_type(sha256) is not None
        return Response(status=200 if held else 404)

    def put_attachment(self, request: Request, sha256: str) -> Response:
        self.authenticate(request)
        declared = request.mimetype
        if declared not in ALLOWED_MEDIA_TYPES:
            raise ApiError.one(
                415,
                "unsupported_media_type",
                "Only application/pdf, image/png, image/jpeg and image/gif are accepted.",
            )
        length = request.content_length
        if length is None:
            raise ApiError.one(411, "length_required", "Send a Content-Length.")
        # Decided from the header, before a byte of the body is read.
        if length > MAX_ATTACHMENT_BYTES:
            raise ApiError.one(413, "payload_too_large", "An attachment is at most 20 MiB.")
        # Streamed to a file in the private data folder: memory stays bounded (uploads.py).
        with uploads.receive(request.stream, length, self.store.path.parent) as body:
            if body.sha256 != sha256:
                raise ApiError.one(
                    422, "hash_mismatch", "The body's SHA-256 is not the one in the URL."
                )
            # The client's own sniffer (app/filetypes.py): client and gateway accept exactly
            # the same bytes, a PDF header at byte 0 included (docs/gateway.md).
            sniffed = filetypes.sniff(body.head)
            if sniffed is None:
                raise ApiError.one(
                    415, "unsupported_media_type", "The content is not a PDF, PNG, JPEG or GIF."
                )
            if sniffed != declared:
                raise ApiError.one(
                    415, "media_type_mismatch", f"The content is {sniffed}, not {declared}."
                )
            created = self.store.put_blob(
                sha256, sniffed, body.file, body.size, rfc3339(self.now())
            )
        return Response(status=201 if created else 200)

    # -- POST /v1/reviews ---------------------------------------------------------------

    def create_review(self, request: Request) -> Response:
        sender = self.authenticate(request)
        self.require_sender(sender)
        body = read_json_object(request)
        errors: list[FieldError] = []
        reviewer = body.get("reviewer")
        if not isinstance(reviewer, dict):
            errors.append(FieldError("required", "reviewer is {staff_id, secret}.", "reviewer"))
            reviewer = {}
        digest = body.get("digest")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            errors.append(
                FieldError("invalid_digest", "digest is 64 lower-case hex digits.", "digest")
            )
        subject = body.get("subject")
        errors.extend(_subject_errors(subject))
        try:
            staff_id, secret = _credentials(reviewer, prefix="reviewer.")
        except ApiError as refusal:
            errors.extend(refusal.errors)
        if errors:
            raise ApiError(422, errors)
        assert isinstance(subject, dict) and isinstance(digest, str)
        if subject_digest(subject) != digest:
            raise ApiError.one(
                422, "digest_mismatch", "The digest is not the digest of this subject.", "digest"
            )
        signer = self.check_credentials(staff_id, secret, client_address(request), field="reviewer")
        if signer.staff_id == sender.staff_id:
            raise ApiError.one(
                403,
                "reviewer_is_sender",
                "A second colleague must sign off, not the sender.",
                "reviewer",
            )
        if Role.REVIEWER.value not in signer.roles:
            raise ApiError.one(
                403, "not_a_reviewer", "This colleague may not sign off.", "reviewer"
            )
        if signer.unit != sender.unit:
            raise ApiError.one(
                403,
                "reviewer_other_unit",
                "The colleague must work in the sender's unit.",
                "reviewer",
            )
        now = self.now()
        review_id = new_id("rev")
        expires_at = rfc3339(now + dt.timedelta(seconds=self.settings.review_ttl_s))
        self.store.add_review(
            review_id, sender.staff_id, signer.staff_id, digest, subject, rfc3339(now), expires_at
        )
        return json_response(
            {
                "review_id": review_id,
                "reviewer": {"staff_id": signer.staff_id, "name": signer.name},
                "digest": digest,
                "expires_at": expires_at,
            },
            201,
        )


def client_address(request: Request) -> str:
    """The peer address of the connection. A forwarding header is not believed: the
    client writes it, and could name a new address for every guess."""
    return request.remote_addr or "unknown"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _credentials(body: dict[str, Any], prefix: str) -> tuple[str, str]:
    staff_id = body.get("staff_id")
    secret = body.get("secret")
    errors = []
    if not isinstance(staff_id, str) or not 0 < len(staff_id) <= _MAX_ID_LENGTH:
        errors.append(
            FieldError("required", "staff_id is a non-empty string.", f"{prefix}staff_id")
        )
    if not isinstance(secret, str) or not secret:
        errors.append(FieldError("required", "secret is a non-empty string.", f"{prefix}secret"))
    if errors:
        raise ApiError(422, errors)
    assert isinstance(staff_id, str) and isinstance(secret, str)
    return staff_id, secret


def _subject_errors(subject: object) -> list[FieldError]:
    """Shape checks only: what the colleague signed is compared in full at send time."""
    if not isinstance(subject, dict):
        return [FieldError("required", "subject is an object.", "subject")]
    errors = []
    if subject.get("kind") not in {k.value for k in MessageKind}:
        errors.append(FieldError("invalid_kind", "Unknown message kind.", "subject.kind"))
    if not (subject.get("case_id") is None or isinstance(subject.get("case_id"), str)):
        errors.append(
            FieldError("invalid_case_id", "case_id is a string or null.", "subject.case_id")
        )
    recipients = subject.get("recipients")
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        errors.append(
            FieldError("invalid_recipients", "recipients is a list of ids.", "subject.recipients")
        )
    attachments = subject.get("attachments")
    if not isinstance(attachments, list) or not all(
        isinstance(a, dict)
        and is_sha256(a.get("sha256"))
        and isinstance(a.get("filename"), str)
        and isinstance(a.get("personal_data"), bool)
        for a in attachments
    ):
        errors.append(
            FieldError(
                "invalid_attachments",
                "attachments is a list of {sha256, filename, personal_data}.",
                "subject.attachments",
            )
        )
    if not is_sha256(subject.get("message_sha256")):
        errors.append(
            FieldError(
                "invalid_message_sha256",
                "message_sha256 is the SHA-256 of the subject, a line feed and the body.",
                "subject.message_sha256",
            )
        )
    return errors
