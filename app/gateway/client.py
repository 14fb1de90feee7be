"""The gateway client: docs/protocol.md over a ``requests.Session``. Plain Python, no Qt.

- Every call has a connect and a read timeout.
- Only calls that are safe to repeat are retried, with backoff, a bounded number of times
  and within a bounded total time: GET, HEAD, the content-addressed PUT of an attachment,
  and POST /v1/messages, which carries an Idempotency-Key so a repeat delivers nothing
  twice. Sign-in and sign-off are never repeated automatically: a second attempt with a
  wrong secret would count towards the lock-out, and the person should decide.
- TLS verification is always on: the OS trust store by default (hospital CAs are installed
  there), or a CA bundle given as ``verify``; optionally a client certificate.
- The token lives in this object only; secrets and full personnummer are never logged.
"""

from __future__ import annotations

import email.utils
import io
import logging
import random
import ssl
import threading
import time
import urllib.parse
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from app.gateway.errors import BAD_RESPONSE, NETWORK, TIMEOUT, TLS, GatewayError
from app.gateway.records import (
    AttachmentRecord,
    Delivery,
    MessageRecord,
    Reviewer,
    parse_message_record,
)
from app.lifecycle import ClosedOnExit
from app.model import Case, CaseStatus, Resident, Staff
from app.review import ReviewedAttachment, ReviewSubject, message_sha256

if TYPE_CHECKING:
    import requests

__all__ = [
    "AttachmentRecord",
    "Delivery",
    "DemoStaff",
    "GatewayClient",
    "GatewayError",
    "MessageRecord",
    "OutgoingAttachment",
    "OutgoingMessage",
    "RetryPolicy",
    "Review",
    "Reviewer",
    "SentMessage",
]

log = logging.getLogger("bifoga.gateway")

#: Answers worth another try of an idempotent call: the gateway failed or is busy, or the
#: first request with this idempotency key is still being processed (409).
_RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
_Parsed = TypeVar("_Parsed")

#: Codes after which the token is no good any more.
_TOKEN_GONE = frozenset({"unauthenticated", "token_expired"})


# -- what the calls take and give ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoStaff:
    """A sandbox demo account, as its start page lists it."""

    staff_id: str
    secret: str = field(repr=False)
    name: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Review:
    review_id: str
    reviewer_id: str
    reviewer_name: str
    digest: str
    expires_at: str


@dataclass(frozen=True, slots=True)
class OutgoingAttachment:
    sha256: str
    filename: str
    media_type: str
    personal_data: bool
    alt_text: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    kind: str
    case_id: str | None
    recipients: Sequence[str]
    subject: str
    body: str
    attachments: Sequence[OutgoingAttachment] = ()
    review_id: str | None = None

    def review_subject(self) -> ReviewSubject:
        """What a colleague signs off on for this message (docs/protocol.md)."""
        return ReviewSubject(
            kind=str(self.kind),
            case_id=self.case_id,
            recipients=tuple(self.recipients),
            attachments=tuple(
                ReviewedAttachment(a.sha256, a.filename, a.personal_data) for a in self.attachments
            ),
            message_sha256=message_sha256(self.subject, self.body),
        )

    def to_json(self) -> dict[str, Any]:
        attachments = []
        for a in self.attachments:
            item: dict[str, Any] = {
                "sha256": a.sha256,
                "filename": a.filename,
                "media_type": a.media_type,
                "personal_data": a.personal_data,
            }
            if a.alt_text is not None:
                item["alt_text"] = a.alt_text
            attachments.append(item)
        return {
            "kind": str(self.kind),
            "case_id": self.case_id,
            "recipients": list(self.recipients),
            "subject": self.subject,
            "body": self.body,
            "attachments": attachments,
            "review_id": self.review_id,
        }


@dataclass(frozen=True, slots=True)
class SentMessage:
    message_id: str
    created_at: str
    deliveries: list[Delivery]
    replayed: bool  # the gateway had already created it: this is its first answer again


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard an idempotent call tries. Backoff doubles from ``backoff_base_s`` up to
    ``backoff_max_s`` with jitter; a Retry-After from the server wins."""

    max_attempts: int = 5
    max_total_s: float = 60.0
    backoff_base_s: float = 0.25
    backoff_max_s: float = 8.0

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        # Half fixed, half random: clients that failed together do not retry together.
        return ceiling / 2 + random.uniform(0, ceiling / 2)


def _new_session(verify: bool | str) -> requests.Session:
    """A session; HTTPS verified against the operating system's trust store (via
    truststore) unless a CA bundle is named. ``requests`` (with urllib3, a tenth of a
    second to import) is loaded here, at the first call, not when the window starts."""
    import requests
    from requests.adapters import HTTPAdapter

    class OsTrustAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            import truststore

            kwargs["ssl_context"] = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    if verify is True:
        session.mount("https://", OsTrustAdapter())
    return session


class _ProgressReader:
    """A file body that reports progress as requests reads it, with a known length
    (so the PUT carries Content-Length and the gateway can refuse a large file early)."""

    def __init__(self, source: Path | bytes, progress: Callable[[int, int], None] | None) -> None:
        if isinstance(source, bytes):  # a working copy's plain bytes, opened in memory
            self._file: BinaryIO = io.BytesIO(source)
            self._total = len(source)
        else:
            self._file = source.open("rb")
            self._total = source.stat().st_size
        self._sent = 0
        self._progress = progress

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)  # urllib3 reads in blocks; read() means the rest
        self._sent += len(chunk)
        if self._progress is not None and chunk:
            self._progress(self._sent, self._total)
        return chunk

    def close(self) -> None:
        self._file.close()


# -- the client -------------------------------------------------------------------------------


class GatewayClient(ClosedOnExit):
    def __init__(
        self,
        base_url: str,
        *,
        connect_timeout: float = 3.05,
        read_timeout: float = 30.0,
        verify: bool | str = True,
        client_cert: tuple[str, str] | None = None,
        session: requests.Session | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if verify is False:
            raise ValueError("TLS verification cannot be switched off")
        self._base = base_url.rstrip("/")
        self._timeout = (connect_timeout, read_timeout)
        self._verify = verify
        self._cert = client_cert
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._monotonic = monotonic
        self._owns_session = session is None
        self._given_session = session
        self._made_session: requests.Session | None = None
        self._session_lock = threading.Lock()
        self._token: str | None = None
        self._staff: Staff | None = None
        self._token_expires_at: str | None = None

    @property
    def base_url(self) -> str:
        return self._base

    def _session(self) -> requests.Session:
        if self._given_session is not None:
            return self._given_session
        with self._session_lock:  # the first calls may come from several threads at once
            if self._made_session is None:
                self._made_session = _new_session(self._verify)
            return self._made_session

    @property
    def token(self) -> str | None:
        return self._token

    @property
    def staff(self) -> Staff | None:
        return self._staff

    @property
    def token_expires_at(self) -> str | None:
        return self._token_expires_at

    def close(self) -> None:
        if self._owns_session and self._made_session is not None:
            self._made_session.close()
        self._token = None

    # -- sessions, directory, cases -------------------------------------------------------

    def sign_in(self, staff_id: str, secret: str) -> Staff:
        response = self._call(
            "POST",
            "/v1/sessions",
            expected={201},
            idempotent=False,
            auth=False,
            json_body={"staff_id": staff_id, "secret": secret},
        )

        def session(data: dict[str, Any]) -> tuple[str, Staff, str]:
            raw = data["staff"]
            staff = Staff(
                staff_id=str(raw["staff_id"]),
                name=str(raw["name"]),
                unit=str(raw["unit"]),
                roles=tuple(str(r) for r in raw["roles"]),
            )
            return str(data["token"]), staff, str(data["expires_at"])

        token, staff, expires_at = _parsed(response, session)
        self._token, self._staff, self._token_expires_at = token, staff, expires_at
        return staff

    def sign_out(self) -> None:
        """Forget the token (the protocol has no session deletion)."""
        self._token = None
        self._staff = None
        self._token_expires_at = None

    def sandbox_directory(self) -> tuple[list[DemoStaff], list[Resident]]:
        response = self._call(
            "GET",
            "/sandbox/",
            expected={200},
            idempotent=True,
            auth=False,
            headers={"Accept": "application/json"},
        )

        def directory(data: dict[str, Any]) -> tuple[list[DemoStaff], list[Resident]]:
            staff = [
                DemoStaff(
                    str(s["staff_id"]),
                    str(s["secret"]),
                    str(s["name"]),
                    tuple(str(r) for r in s["roles"]),
                )
                for s in data["staff"]
            ]
            residents = [Resident(str(r["id"]), str(r["name"])) for r in data["residents"]]
            return staff, residents

        return _parsed(response, directory)

    def open_cases(self) -> list[Case]:
        return self.cases(CaseStatus.OPEN)

    def cases(self, status: str = CaseStatus.OPEN) -> list[Case]:
        """The unit's cases in ``status`` (open, awaiting_resident or answered)."""
        response = self._call(
            "GET", "/v1/cases", expected={200}, idempotent=True, params={"status": str(status)}
        )

        def cases(data: dict[str, Any]) -> list[Case]:
            return [
                Case(
                    case_id=str(c["case_id"]),
                    resident=Resident(str(c["resident"]["id"]), str(c["resident"]["name"])),
                    subject=str(c["subject"]),
                    opened_at=str(c["opened_at"]),
                    status=str(c["status"]),
                )
                for c in data["cases"]
            ]

        return _parsed(response, cases)

    # -- attachments ------------------------------------------------------------------------

    def has_attachment(self, sha256: str) -> bool:
        response = self._call(
            "HEAD", f"/v1/attachments/{sha256}", expected={200, 404}, idempotent=True
        )
        return response.status_code == 200

    def upload_attachment(
        self,
        source: Path | bytes,
        sha256: str,
        media_type: str,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        """Make sure the gateway holds the file: HEAD first, PUT (streamed) only if missing.

        ``source`` is a file's path, or its bytes (a working copy is sealed on disk, so its
        sender opens it in memory: ``app.staging.read_staged``). A PUT is safe to repeat:
        the address is the content's hash.
        """
        if not isinstance(source, bytes):
            source = Path(source)
        if self.has_attachment(sha256):
            if progress is not None:
                size = len(source) if isinstance(source, bytes) else source.stat().st_size
                progress(size, size)
            return
        self._call(
            "PUT",
            f"/v1/attachments/{sha256}",
            expected={200, 201},
            idempotent=True,
            headers={"Content-Type": media_type},
            body_factory=lambda: _ProgressReader(source, progress),
        )

    # -- sign-off and messages -------------------------------------------------------------

    def request_review(
        self, reviewer_id: str, reviewer_secret: str, subject: ReviewSubject
    ) -> Review:
        response = self._call(
            "POST",
            "/v1/reviews",
            expected={201},
            idempotent=False,
            json_body={
                "reviewer": {"staff_id": reviewer_id, "secret": reviewer_secret},
                "digest": subject.digest,
                "subject": subject.to_json(),
            },
        )
        return _parsed(
            response,
            lambda data: Review(
                review_id=str(data["review_id"]),
                reviewer_id=str(data["reviewer"]["staff_id"]),
                reviewer_name=str(data["reviewer"]["name"]),
                digest=str(data["digest"]),
                expires_at=str(data["expires_at"]),
            ),
        )

    def send_message(
        self, message: OutgoingMessage, idempotency_key: str, *, retry: bool = True
    ) -> SentMessage:
        """Create the message. Retried with the same key on a lost answer, so a resident
        gets it once however many tries it takes; ``replayed`` says the gateway had it.

        ``retry=False`` makes one try only, for a caller that resolves a lost answer
        itself by asking the gateway for the key first (the outbox, ``app.outbox``).
        """
        response = self._call(
            "POST",
            "/v1/messages",
            expected={201},
            idempotent=retry,
            json_body=message.to_json(),
            # A structured-field string, as the Idempotency-Key draft defines the header.
            headers={"Idempotency-Key": f'"{idempotency_key}"'},
        )
        return _sent_message(response, _json(response), replayed=_replayed(response))

    def message_for_key(self, idempotency_key: str) -> SentMessage | None:
        """The clinician's own message sent with this key, or None if the gateway made none
        (docs/protocol.md 1.1): what became of a send whose answer was lost, asked without sending
        anything. A gateway that answers with more than one message does not know the
        question (an older protocol would list every sent message): that is a bad response,
        never a guess."""
        response = self._call(
            "GET",
            "/v1/messages",
            expected={200},
            idempotent=True,
            params={"idempotency_key": idempotency_key},
        )
        messages = _json(response).get("messages")
        if not isinstance(messages, list) or len(messages) > 1:
            raise _bad_response(response, "not zero or one message for the key")
        if not messages:
            return None
        found = messages[0]
        if not isinstance(found, dict):
            raise _bad_response(response, "a message is not an object")
        return _sent_message(response, found, replayed=True)

    def get_message(self, message_id: str) -> MessageRecord:
        """A message of the clinician's unit, as the gateway recorded it."""
        response = self._call(
            "GET", f"/v1/messages/{_segment(message_id)}", expected={200}, idempotent=True
        )
        return _parsed(response, parse_message_record)

    def sent_messages(self, since: str | None = None) -> list[MessageRecord]:
        """The signed-in clinician's sent messages (created at or after ``since``, an RFC
        3339 time), oldest first."""
        params = {"sent_by": "me"}
        if since is not None:
            params["since"] = since
        response = self._call("GET", "/v1/messages", expected={200}, idempotent=True, params=params)
        return _parsed(
            response, lambda data: [parse_message_record(m) for m in _objects(data["messages"])]
        )

    def request_retraction(
        self, message_id: str, reason: str, attachments: list[str]
    ) -> dict[str, Any]:
        # Not repeated automatically: each request is a separate case for the support desk.
        response = self._call(
            "POST",
            f"/v1/messages/{_segment(message_id)}/retraction-requests",
            expected={202},
            idempotent=False,
            json_body={"reason": reason, "attachments": list(attachments)},
        )
        return _json(response)

    def retractions(self, message_id: str) -> list[dict[str, Any]]:
        response = self._call(
            "GET",
            f"/v1/messages/{_segment(message_id)}/retraction-requests",
            expected={200},
            idempotent=True,
        )
        return _parsed(response, lambda data: _objects(data["retractions"]))

    def post_audit_checkpoint(self, trail: str, seq: int, hash_hex: str, time: str) -> None:
        """Keep the audit trail's latest record number and hash at the gateway
        (docs/audit.md): truncating the trail later is then caught against it. Not tried
        again here: the next checkpoint covers this one."""
        body = {"trail": trail, "seq": seq, "hash": hash_hex, "time": time}
        self._call(
            "POST", "/v1/audit-checkpoints", expected={201}, idempotent=False, json_body=body
        )

    # -- the one place that talks HTTP -----------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        expected: Collection[int],
        idempotent: bool,
        auth: bool = True,
        json_body: Any = None,
        body_factory: Callable[[], _ProgressReader] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        started = self._monotonic()
        attempt = 0
        while True:
            attempt += 1
            error = self._attempt(
                method, path, expected, auth, json_body, body_factory, headers, params
            )
            if not isinstance(error, GatewayError):
                return error  # the response
            if not idempotent or not _worth_retrying(error):
                raise error
            if attempt >= self._retry.max_attempts:
                raise error
            delay = (
                error.retry_after
                if error.retry_after is not None
                else (self._retry.backoff(attempt))
            )
            if self._monotonic() - started + delay > self._retry.max_total_s:
                raise error
            log.info(
                "%s %s failed (%s); try %d in %.2f s", method, path, error.code, attempt + 1, delay
            )
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        expected: Collection[int],
        auth: bool,
        json_body: Any,
        body_factory: Callable[[], _ProgressReader] | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
    ) -> requests.Response | GatewayError:
        """One try: the response if it is an expected one, else the error it amounts to."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if auth and self._token is not None:
            all_headers["Authorization"] = f"Bearer {self._token}"
        import requests  # for its errors; already loaded by then, a lookup (see _new_session)

        session = self._session()
        body = body_factory() if body_factory is not None else None
        try:
            response = session.request(
                method,
                self._base + path,
                params=params,
                json=json_body,
                data=body,
                headers=all_headers,
                timeout=self._timeout,
                verify=self._verify,
                cert=self._cert,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as failed:
            return GatewayError(None, (TLS,), f"TLS failed: {failed}")
        except requests.Timeout:
            return GatewayError(None, (TIMEOUT,), f"{method} {path}: no answer in time")
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as failed:
            return GatewayError(None, (NETWORK,), f"{method} {path}: {type(failed).__name__}")
        finally:
            if body is not None:
                body.close()
        log.debug("%s %s -> %d", method, path, response.status_code)
        if response.status_code in expected:
            return response
        error = _error_from(response)
        if error.status == 401 and _TOKEN_GONE.intersection(error.codes):
            self.sign_out()
        return error


# -- helpers ----------------------------------------------------------------------------------


def _replayed(response: requests.Response) -> bool:
    return response.headers.get("Idempotent-Replayed", "").lower() == "true"


def _sent_message(
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
        raise _bad_response(response, missing) from None


def _worth_retrying(error: GatewayError) -> bool:
    if error.status is None:
        # A TLS failure (an unknown certificate) will fail the same way again.
        return TLS not in error.codes
    return error.status in _RETRY_STATUSES


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        raise _bad_response(response, "not JSON") from None
    if not isinstance(data, dict):
        raise _bad_response(response, "not a JSON object")
    return data


def _parsed(response: requests.Response, parse: Callable[[dict[str, Any]], _Parsed]) -> _Parsed:
    """The one place an answer's body is read: a JSON object given to ``parse``. Anything
    missing or of the wrong shape is a ``bad_response`` error, never a half-read answer."""
    data = _json(response)
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError) as wrong:
        raise _bad_response(response, wrong) from None


def _objects(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise ValueError("expected a list of objects")
    return value


def _bad_response(response: requests.Response, detail: object) -> GatewayError:
    return GatewayError(
        response.status_code, (BAD_RESPONSE,), f"unexpected answer from the gateway ({detail})"
    )


def _error_from(response: requests.Response) -> GatewayError:
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
        retry_after=_retry_after(response.headers.get("Retry-After")),
        fields=tuple(fields),
    )


def _retry_after(value: str | None) -> float | None:
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
