"""The /v1 endpoints other than messages: who the token is, cases, attachments and
sign-offs.

Handlers take a werkzeug Request, return a Response, and refuse with ApiError. Every call
is authenticated by the identity provider's access token (sandbox/trust.py); the gateway
holds no credential of its own (protocol 1.2, docs/gateway.md).
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from app.protocol import filetypes
from app.protocol.model import (
    ALLOWED_MEDIA_TYPES,
    MAX_ATTACHMENT_BYTES,
    CaseStatus,
    MessageKind,
    Role,
)
from app.protocol.review import subject_digest
from sandbox import uploads
from sandbox.case_thread import case_with_thread
from sandbox.clock import Clock, rfc3339
from sandbox.demo import StaffMember
from sandbox.responses import (
    ApiError,
    FieldError,
    json_response,
    read_json_object,
)
from sandbox.store import Store
from sandbox.trust import TokenChecker

DEFAULT_REVIEW_TTL_S = 15 * 60
DEFAULT_ACCESS_TOKEN_TTL_S = 10 * 60

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class Settings:
    review_ttl_s: int = DEFAULT_REVIEW_TTL_S
    #: The built-in identity provider's access tokens (sandbox/idp).
    access_token_ttl_s: int = DEFAULT_ACCESS_TOKEN_TTL_S


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
        self.tokens: TokenChecker | None = None  # set by the app once the issuer is known
        self._known: set[StaffMember] = set()
        self._known_lock = threading.Lock()

    def now(self) -> dt.datetime:
        return self.clock()

    # -- tokens -------------------------------------------------------------------------

    def authenticate(self, request: Request) -> StaffMember:
        """The staff member of the request's access token, or 401 ``invalid_token``."""
        assert self.tokens is not None, "the sandbox serves once its issuer is set"
        staff = self.tokens.access(request.headers.get("Authorization", ""))
        self._remember(staff)
        return staff

    def _remember(self, staff: StaffMember) -> None:
        """Keep the staff directory up to date with what the provider says, so a message
        names its sender and reviewer even when they came from another provider."""
        with self._known_lock:
            if staff in self._known:
                return
            self._known.add(staff)
        self.store.note_staff(staff)

    def require_sender(self, staff: StaffMember) -> None:
        if Role.SENDER.value not in staff.roles:
            raise ApiError.one(403, "not_a_sender", "This account may not send messages.")

    # -- GET /v1/me, POST /v1/sessions --------------------------------------------------

    def me(self, request: Request) -> Response:
        return json_response(staff_json(self.authenticate(request)))

    def create_session(self, request: Request) -> Response:
        """Gone in 1.2: staff sign in at the identity provider, never at the gateway."""
        raise ApiError.one(
            410,
            "use_identity_provider",
            "Sign in at the region's identity provider; the gateway takes its access token.",
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

    def get_case(self, request: Request, case_id: str) -> Response:
        staff = self.authenticate(request)
        return json_response(case_with_thread(self.store, staff, case_id))

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
            # The client's own sniffer (app/protocol/filetypes.py): client and gateway accept
            # exactly the same bytes, a PDF header at byte 0 included (docs/gateway.md).
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
        approval = body.get("approval")
        if not isinstance(approval, str) or not approval:
            errors.append(
                FieldError(
                    "required",
                    "approval is the colleague's id_token from a fresh authentication.",
                    "approval",
                )
            )
        digest = body.get("digest")
        if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
            errors.append(
                FieldError("invalid_digest", "digest is 64 lower-case hex digits.", "digest")
            )
        subject = body.get("subject")
        errors.extend(_subject_errors(subject))
        if errors:
            raise ApiError(422, errors)
        assert isinstance(subject, dict) and isinstance(digest, str)
        assert isinstance(approval, str) and self.tokens is not None
        if subject_digest(subject) != digest:
            raise ApiError.one(
                422, "digest_mismatch", "The digest is not the digest of this subject.", "digest"
            )
        checked = self.tokens.approval(approval, digest)
        signer = checked.staff
        self._remember(signer)
        if signer.staff_id == sender.staff_id:
            raise ApiError.one(
                403,
                "reviewer_is_sender",
                "A second colleague must sign off, not the sender.",
                "approval",
            )
        if Role.REVIEWER.value not in signer.roles:
            raise ApiError.one(
                403, "not_a_reviewer", "This colleague may not sign off.", "approval"
            )
        if signer.unit != sender.unit:
            raise ApiError.one(
                403,
                "reviewer_other_unit",
                "The colleague must work in the sender's unit.",
                "approval",
            )
        now = self.now()
        review_id = new_id("rev")
        expires_at = rfc3339(now + dt.timedelta(seconds=self.settings.review_ttl_s))
        with self.store.transaction():
            if not self.store.use_approval(checked.fingerprint, review_id, rfc3339(now)):
                raise ApiError.one(
                    409,
                    "approval_reused",
                    "This approval has been used; the colleague approves each sign-off anew.",
                    "approval",
                )
            self.store.add_review(
                review_id,
                sender.staff_id,
                signer.staff_id,
                digest,
                subject,
                rfc3339(now),
                expires_at,
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
