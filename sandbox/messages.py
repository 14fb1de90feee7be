"""POST/GET /v1/messages and retraction requests.

Order of checks for a new message: token (401), Idempotency-Key (400), body (400/422, one
error per field), then the sign-off (403). Claiming the key, checking and consuming the
sign-off, creating the message and its deliveries, and recording the answer for replays all
happen so that a retry with the same key can never deliver twice.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Request, Response

from app.protocol import filenames, filetypes
from app.protocol.filenames import filename_problem
from app.protocol.identifiers import is_valid_resident_id
from app.protocol.model import (
    ALLOWED_MEDIA_TYPES,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_BULK_RECIPIENTS,
    CaseStatus,
    MessageKind,
)
from app.protocol.review import message_sha256, subject_digest
from sandbox.api import Api, is_sha256, new_id
from sandbox.clock import parse_rfc3339, rfc3339
from sandbox.demo import StaffMember
from sandbox.responses import ApiError, FieldError, json_response, read_json_object

#: Called once the idempotency key is claimed; the "slow" fault sleeps there, so that a
#: retry meanwhile sees the first request still in flight (409).
IN_FLIGHT_HOOK = "bifoga.in_flight_hook"

MAX_SUBJECT = 200
MAX_BODY = 20_000
_FILENAME_MESSAGES = {
    filenames.INVALID: f"filename is a name of 1 to {filenames.MAX_FILENAME} characters.",
    filenames.UNSAFE_CHARACTER: "filename holds (also after NFKC) a path separator, a slash "
    "look-alike, or a control, bidi, default-ignorable or blank-looking character.",
    filenames.RESERVED_NAME: "filename is a reserved device name (CON, NUL, COM1...).",
    filenames.EXTENSION_MISMATCH: "filename must end in an extension of its media_type.",
}
MAX_REASON = 2_000
MAX_KEY = 255


@dataclass(frozen=True, slots=True)
class ValidMessage:
    kind: str
    case_id: str | None
    recipients: list[str]
    subject: str
    body: str
    attachments: list[dict[str, Any]]
    review_id: str | None

    def review_subject(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "case_id": self.case_id,
            "recipients": self.recipients,
            "attachments": [
                {
                    "sha256": a["sha256"],
                    "filename": a["filename"],
                    "personal_data": a["personal_data"],
                }
                for a in self.attachments
            ],
            # The text as received: an edit after the sign-off no longer matches.
            "message_sha256": message_sha256(self.subject, self.body),
        }


class Messages:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.store = api.store

    # -- POST /v1/messages --------------------------------------------------------------

    def create(self, request: Request) -> Response:
        staff = self.api.authenticate(request)
        self.api.require_sender(staff)
        key = _idempotency_key(request)
        body = read_json_object(request)
        fingerprint = hashlib.sha256(
            json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
        ).hexdigest()
        with self.store.transaction():
            first = self.store.idempotency(staff.staff_id, key)
            if first is None:
                self.store.claim_idempotency(
                    staff.staff_id, key, fingerprint, rfc3339(self.api.now())
                )
        if first is not None:
            if first.fingerprint != fingerprint:
                raise ApiError.one(
                    422,
                    "idempotency_key_reused",
                    "This Idempotency-Key was used with another body.",
                )
            if first.state != "done" or first.status is None or first.response is None:
                raise ApiError.one(
                    409,
                    "idempotency_key_in_flight",
                    "The first request with this key is still being processed.",
                )
            replay = Response(first.response, status=first.status, mimetype="application/json")
            replay.headers["Idempotent-Replayed"] = "true"
            return replay
        try:
            hook: Callable[[], None] = request.environ.get(IN_FLIGHT_HOOK, _nothing)
            hook()
            return self._deliver(staff, key, body)
        except BaseException:
            # Nothing was delivered, so the key is free for a corrected request.
            self.store.release_idempotency(staff.staff_id, key)
            raise

    def _deliver(self, staff: StaffMember, key: str, body: dict[str, Any]) -> Response:
        message = self._validate(staff, body)
        now = rfc3339(self.api.now())
        message_id = new_id("msg")
        with self.store.transaction():
            self._check_case_still_open(message)
            review = self._consume_review(staff, message, message_id, now)
            self.store.add_message(
                {
                    "message_id": message_id,
                    "sender_id": staff.staff_id,
                    "unit": staff.unit,
                    "kind": message.kind,
                    "case_id": message.case_id,
                    "subject": message.subject,
                    "body": message.body,
                    "recipients": json.dumps(message.recipients),
                    "created_at": now,
                    "idempotency_key": key,
                    "review_id": review.review_id if review else None,
                    "reviewer_id": review.reviewer_id if review else None,
                    "review_digest": review.digest if review else None,
                    "reviewed_at": review.created_at if review else None,
                },
                message.attachments,
            )
            deliveries = []
            after = MessageKind(message.kind).case_status_after
            if message.case_id is not None and after is not None:
                self.store.set_case_status(message.case_id, after.value)
            for resident_id in message.recipients:
                delivery_id = new_id("dlv")
                self.store.add_delivery(delivery_id, message_id, resident_id, now)
                deliveries.append(
                    {"resident_id": resident_id, "delivery_id": delivery_id, "status": "delivered"}
                )
            answer = {"message_id": message_id, "created_at": now, "deliveries": deliveries}
            text = json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
            self.store.finish_idempotency(staff.staff_id, key, 201, text)
        response = Response(text, status=201, mimetype="application/json")
        response.headers["Location"] = f"/v1/messages/{message_id}"
        return response

    def _check_case_still_open(self, message: ValidMessage) -> None:
        """Checked again inside the transaction: of two replies at once, one answers."""
        if message.case_id is None:
            return
        case = self.store.case(message.case_id)
        if case is None or case["status"] != CaseStatus.OPEN:
            raise ApiError.one(
                422, "case_not_open", "case_id must be an open case of your unit.", "case_id"
            )

    def _consume_review(
        self, staff: StaffMember, message: ValidMessage, message_id: str, now: str
    ) -> Any:
        """Check the sign-off and mark it used, inside the message's transaction."""
        needs_review = any(a["personal_data"] for a in message.attachments)
        if message.review_id is None:
            if needs_review:
                raise ApiError.one(
                    403,
                    "review_required",
                    "A file with personal data needs a colleague's sign-off.",
                    "review_id",
                )
            return None
        review = self.store.review(message.review_id)
        digest = subject_digest(message.review_subject())
        if review is None or review.sender_id != staff.staff_id or review.digest != digest:
            raise ApiError.one(
                403, "review_mismatch", "The sign-off does not cover this message.", "review_id"
            )
        if review.used_by_message is not None:
            raise ApiError.one(
                403, "review_used", "The sign-off was already used by another message.", "review_id"
            )
        if review.expires_at <= now:
            raise ApiError.one(403, "review_expired", "The sign-off has expired.", "review_id")
        if not self.store.use_review(review.review_id, message_id):  # pragma: no cover
            raise ApiError.one(
                403, "review_used", "The sign-off was already used by another message.", "review_id"
            )
        return review

    def _validate(self, staff: StaffMember, body: dict[str, Any]) -> ValidMessage:
        errors: list[FieldError] = []

        def refuse(code: str, message: str, field: str) -> None:
            errors.append(FieldError(code, message, field))

        kind = body.get("kind")
        kinds = {k.value for k in MessageKind}
        if kind not in kinds:
            refuse("invalid_kind", f"kind is one of {', '.join(sorted(kinds))}.", "kind")
        answers_case = kind in kinds and MessageKind(kind).answers_a_case

        case_id = body.get("case_id")
        case: sqlite3.Row | None = None
        if kind == MessageKind.NEW_CASE.value:
            if case_id is not None:
                refuse("case_id_not_allowed", "A new case has no case_id.", "case_id")
        elif answers_case:
            case = self.store.case(case_id) if isinstance(case_id, str) else None
            # 422 on the field, not 409: a client retries a 409 here (key in flight), and
            # waiting does not open a case.
            if case is None or case["unit"] != staff.unit or case["status"] != CaseStatus.OPEN:
                case = None
                refuse("case_not_open", "case_id must be an open case of your unit.", "case_id")

        recipients = body.get("recipients")
        problem = _recipients_problem(recipients, answers_case, case, kind)
        if problem:
            refuse(problem[0], problem[1], "recipients")

        subject = body.get("subject")
        if not isinstance(subject, str) or not subject.strip():
            refuse("subject_required", "subject is a non-empty string.", "subject")
        elif len(subject) > MAX_SUBJECT:
            refuse("subject_too_long", f"subject is at most {MAX_SUBJECT} characters.", "subject")

        text = body.get("body")
        if not isinstance(text, str):
            refuse("invalid_body", "body is a string.", "body")
        elif len(text) > MAX_BODY:
            refuse("body_too_long", f"body is at most {MAX_BODY} characters.", "body")

        attachments = body.get("attachments", [])
        if not isinstance(attachments, list):
            refuse("invalid_attachments", "attachments is a list.", "attachments")
            attachments = []
        elif len(attachments) > MAX_ATTACHMENTS_PER_MESSAGE:
            refuse(
                "too_many_attachments",
                f"At most {MAX_ATTACHMENTS_PER_MESSAGE} attachments.",
                "attachments",
            )
        seen: set[str] = set()
        for index, item in enumerate(attachments):
            for code, message, field in self._attachment_problems(item, seen):
                refuse(
                    code,
                    message,
                    f"attachments[{index}].{field}" if field else f"attachments[{index}]",
                )

        review_id = body.get("review_id")
        if not (review_id is None or (isinstance(review_id, str) and review_id)):
            refuse("invalid_review_id", "review_id is a string or null.", "review_id")

        if errors:
            raise ApiError(422, errors)
        assert isinstance(kind, str) and isinstance(recipients, list)
        assert isinstance(subject, str) and isinstance(text, str)
        return ValidMessage(
            kind=kind,
            case_id=case_id if answers_case else None,
            recipients=list(recipients),
            subject=subject,
            body=text,
            attachments=[
                {
                    "sha256": a["sha256"],
                    "filename": a["filename"],
                    "media_type": a["media_type"],
                    "personal_data": a["personal_data"],
                    "alt_text": a.get("alt_text"),
                }
                for a in attachments
            ],
            review_id=review_id,
        )

    def _attachment_problems(self, item: object, seen: set[str]) -> list[tuple[str, str, str]]:
        """One (code, message, field) per field of one attachment that is wrong."""
        if not isinstance(item, dict):
            return [("invalid_attachment", "Each attachment is an object.", "")]
        problems = []
        sha256 = item.get("sha256")
        held: str | None = None
        if not is_sha256(sha256):
            problems.append(("invalid_sha256", "sha256 is 64 lower-case hex digits.", "sha256"))
        elif sha256 in seen:
            problems.append(("duplicate_attachment", "The same file is attached twice.", "sha256"))
        else:
            assert isinstance(sha256, str)
            seen.add(sha256)
            held = self.store.blob_media_type(sha256)
            if held is None:
                problems.append(("attachment_not_uploaded", "Upload the file first.", "sha256"))
        media_type = item.get("media_type")
        filename_code = filename_problem(item.get("filename"), media_type)
        if filename_code is not None:
            problems.append((filename_code, _FILENAME_MESSAGES[filename_code], "filename"))
        if media_type not in ALLOWED_MEDIA_TYPES:
            problems.append(
                ("invalid_media_type", "media_type is not an allowed type.", "media_type")
            )
        elif held is not None and media_type != held:
            problems.append(("media_type_mismatch", f"The uploaded file is {held}.", "media_type"))
        if not isinstance(item.get("personal_data"), bool):
            problems.append(
                ("invalid_personal_data", "personal_data is true or false.", "personal_data")
            )
        alt_text = item.get("alt_text")
        if alt_text is not None and not isinstance(alt_text, str):
            problems.append(("invalid_alt_text", "alt_text is a string.", "alt_text"))
        elif filetypes.is_image(media_type) and not filenames.has_visible_text(alt_text or ""):
            problems.append(("alt_text_required", "An image needs a text alternative.", "alt_text"))
        return problems

    # -- GET /v1/messages/{id} and /v1/messages ----------------------------------------------

    def get(self, request: Request, message_id: str) -> Response:
        staff = self.api.authenticate(request)
        return json_response(self._message_json(self._visible(staff, message_id)))

    def list_sent(self, request: Request) -> Response:
        staff = self.api.authenticate(request)
        if "idempotency_key" in request.args:
            return self._by_idempotency_key(staff, request.args["idempotency_key"])
        errors = []
        if request.args.get("sent_by", "me") != "me":
            errors.append(FieldError("invalid_sent_by", "Only sent_by=me is supported.", "sent_by"))
        since_text = request.args.get("since")
        since = "0000"
        if since_text is not None:
            moment = parse_rfc3339(since_text)
            if moment is None:
                errors.append(
                    FieldError("invalid_since", "since is an RFC 3339 date-time.", "since")
                )
            else:
                since = rfc3339(moment)
        if errors:
            raise ApiError(422, errors)
        rows = self.store.messages_by(staff.staff_id, since)
        return json_response({"messages": [self._message_json(r) for r in rows]})

    def _by_idempotency_key(self, staff: StaffMember, key: str) -> Response:
        """What became of a send whose answer was lost (docs/protocol.md 1.1): zero or one
        message, and only the clinician's own, so a key never reveals a colleague's."""
        if not key or len(key) > MAX_KEY or not key.isprintable():
            raise ApiError.one(
                422,
                "invalid_idempotency_key",
                f"idempotency_key is 1 to {MAX_KEY} printable characters.",
                "idempotency_key",
            )
        row = self.store.message_by_key(staff.staff_id, key)
        return json_response({"messages": [] if row is None else [self._message_json(row)]})

    def _visible(self, staff: StaffMember, message_id: str) -> sqlite3.Row:
        # A message is visible to its unit: a colleague may follow up a wrongly sent file.
        row = self.store.message(message_id)
        if row is None or row["unit"] != staff.unit:
            raise ApiError.one(404, "not_found", "No such message.")
        return row

    def _message_json(self, row: sqlite3.Row) -> dict[str, Any]:
        attachments = self.store.message_attachments(row["message_id"])
        retracted = [a["sha256"] for a in attachments if a["retracted_at"] is not None]
        sender = self.store.staff(row["sender_id"])
        review = None
        if row["review_id"] is not None:
            reviewer = self.store.staff(row["reviewer_id"])
            review = {
                "review_id": row["review_id"],
                "reviewer": {
                    "staff_id": row["reviewer_id"],
                    "name": reviewer.name if reviewer else "",
                },
                "digest": row["review_digest"],
                "signed_at": row["reviewed_at"],
            }
        return {
            "message_id": row["message_id"],
            "kind": row["kind"],
            "case_id": row["case_id"],
            "subject": row["subject"],
            "body": row["body"],
            "created_at": row["created_at"],
            "sender": {
                "staff_id": row["sender_id"],
                "name": sender.name if sender else "",
                "unit": row["unit"],
            },
            "recipients": json.loads(row["recipients"]),
            "attachments": [
                {
                    "sha256": a["sha256"],
                    "filename": a["filename"],
                    "media_type": a["media_type"],
                    "size": a["size"],
                    "personal_data": bool(a["personal_data"]),
                    "alt_text": a["alt_text"],
                    "retracted_at": a["retracted_at"],
                }
                for a in attachments
            ],
            "review": review,
            "deliveries": [
                {
                    "resident_id": d["resident_id"],
                    "delivery_id": d["delivery_id"],
                    "status": "retracted" if retracted else "delivered",
                    "retracted_attachments": retracted,
                }
                for d in self.store.deliveries(row["message_id"])
            ],
        }

    # -- retraction requests ----------------------------------------------------------------

    def request_retraction(self, request: Request, message_id: str) -> Response:
        staff = self.api.authenticate(request)
        row = self._visible(staff, message_id)
        body = read_json_object(request)
        errors = []
        reason = body.get("reason")
        if not isinstance(reason, str) or not reason.strip() or len(reason) > MAX_REASON:
            errors.append(
                FieldError("reason_required", f"reason is 1 to {MAX_REASON} characters.", "reason")
            )
        wanted = body.get("attachments")
        sent = {a["sha256"] for a in self.store.message_attachments(message_id)}
        if not isinstance(wanted, list) or not wanted:
            errors.append(
                FieldError(
                    "attachments_required", "Name at least one attachment by sha256.", "attachments"
                )
            )
        elif not all(isinstance(s, str) and s in sent for s in wanted):
            errors.append(
                FieldError(
                    "attachment_not_in_message",
                    "Every sha256 must be an attachment of this message.",
                    "attachments",
                )
            )
        if errors:
            raise ApiError(422, errors)
        assert isinstance(reason, str) and isinstance(wanted, list)
        shas = sorted(set(wanted))
        retraction_id = new_id("ret")
        now = rfc3339(self.api.now())
        self.store.add_retraction(
            retraction_id, row["message_id"], staff.staff_id, reason, shas, now
        )
        # The answer is what was accepted (202, requested); the sandbox then carries the
        # request out at once, which the list of requests shows as done.
        self.store.complete_retraction(retraction_id, row["message_id"], shas, now)
        return json_response(
            {"retraction_id": retraction_id, "status": "requested"},
            202,
            {"Location": f"/v1/messages/{message_id}/retraction-requests"},
        )

    def list_retractions(self, request: Request, message_id: str) -> Response:
        staff = self.api.authenticate(request)
        self._visible(staff, message_id)
        return json_response(
            {
                "retractions": [
                    {
                        "retraction_id": r["retraction_id"],
                        "status": r["status"],
                        "reason": r["reason"],
                        "attachments": json.loads(r["attachments"]),
                        "requested_at": r["requested_at"],
                        "done_at": r["done_at"],
                    }
                    for r in self.store.retractions(message_id)
                ]
            }
        )


def _nothing() -> None:
    return None


def _idempotency_key(request: Request) -> str:
    raw = request.headers.get("Idempotency-Key")
    if raw is None or not raw.strip():
        raise ApiError.one(400, "idempotency_key_missing", "Send an Idempotency-Key header.")
    # The draft makes the key a structured-field string ("..."); a bare token is accepted too.
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise ApiError.one(
            400,
            "idempotency_key_invalid",
            f"The Idempotency-Key is 1 to {MAX_KEY} printable characters.",
        )
    return key


def _recipients_problem(
    recipients: object, answers_case: bool, case: sqlite3.Row | None, kind: object
) -> tuple[str, str] | None:
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        return "invalid_recipients", "recipients is a list of resident ids."
    for index, resident_id in enumerate(recipients):
        if not is_valid_resident_id(resident_id):
            # The message names the position, never the number (it may be a real one).
            return (
                "invalid_resident_id",
                f"recipients[{index}] is not a valid personnummer or samordningsnummer.",
            )
    if answers_case:
        if case is not None and recipients != [case["resident_id"]]:
            return ("recipient_not_case_resident", "A reply goes to exactly the case's resident.")
        return None
    if kind != MessageKind.NEW_CASE.value:
        return None
    if not recipients:
        return "recipients_required", "A new case needs at least one recipient."
    if len(recipients) > MAX_BULK_RECIPIENTS:
        return (
            "too_many_recipients",
            f"A new case goes to at most {MAX_BULK_RECIPIENTS} residents.",
        )
    if len(set(recipients)) != len(recipients):
        return "duplicate_recipients", "Each resident may be named once."
    return None
