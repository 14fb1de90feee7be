"""The gateway client: docs/protocol.md over a ``requests.Session``. Plain Python, no Qt.

- Every call has a connect and a read timeout.
- Every /v1 call carries the clinician's bearer access token (protocol 1.2) from a token
  source, the signed-in session (``app.identity.SignedIn``): refreshed before it ends, and
  once more when the gateway answers 401 ``invalid_token`` (the call is then made again
  once: a 401 means the gateway did nothing with it). There is no sign-in at the gateway
  and no reviewer secret any more: people authenticate at the region's identity provider
  (docs/identity.md).
- Only calls that are safe to repeat are retried, with backoff, a bounded number of times
  and within a bounded total time: GET, HEAD, the content-addressed PUT of an attachment,
  and POST /v1/messages, which carries an Idempotency-Key so a repeat delivers nothing
  twice. A sign-off is never repeated automatically: its approval may be used once.
- TLS verification is always on: the OS trust store by default (hospital CAs are installed
  there), or a CA bundle given as ``verify``; optionally a client certificate.
- Tokens live in the token source only; no token and no full personnummer is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from app.gateway.answers import (
    bad_response,
    error_from,
    json_object,
    objects,
    parsed,
    replayed,
    segment,
    sent_message,
    worth_retrying,
)
from app.gateway.calls import (
    ProgressReader,
    RetryPolicy,
    StaticToken,
    TokenSource,
    bearer,
    refresh,
    token_refused,
)
from app.gateway.case_thread import CaseThread, thread_from_json
from app.gateway.errors import NETWORK, TIMEOUT, TLS, GatewayError
from app.gateway.payloads import (
    DemoStaff,
    OutgoingAttachment,
    OutgoingMessage,
    Review,
    SandboxIdp,
    SentMessage,
)
from app.gateway.records import (
    AttachmentRecord,
    Delivery,
    MessageRecord,
    Reviewer,
    parse_message_record,
)
from app.gateway.unsent import may_have_left
from app.lifecycle import ClosedOnExit
from app.network.transport import LazySession
from app.protocol.limits import MAX_ATTACHMENT_BYTES
from app.protocol.model import Case, CaseStatus, Resident, Staff
from app.protocol.review import ReviewSubject

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
    "SandboxIdp",
    "SentMessage",
    "StaticToken",
    "TokenSource",
]

log = logging.getLogger("bifoga.gateway")


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
        token_source: TokenSource | None = None,
        max_bytes: int = MAX_ATTACHMENT_BYTES,
    ) -> None:
        """``max_bytes``: the largest file uploaded (``app.protocol.limits``; the policy's, when
        lower): a larger one is refused here, before a byte is sent."""
        if verify is False:
            raise ValueError("TLS verification cannot be switched off")
        self._base = base_url.rstrip("/")
        self._timeout = (connect_timeout, read_timeout)
        self._verify = verify
        self._cert = client_cert
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self._monotonic = monotonic
        self._http = LazySession(session, verify)
        self._tokens: TokenSource | None = token_source
        self._staff: Staff | None = None
        self._max_bytes = max_bytes

    @property
    def base_url(self) -> str:
        return self._base

    @property
    def staff(self) -> Staff | None:
        """Who the token is, as the last :meth:`me` said."""
        return self._staff

    @property
    def signed_in(self) -> bool:
        return self._tokens is not None

    def use_token_source(self, source: TokenSource | None) -> None:
        """Make every call with ``source``'s tokens (None: with none, signed out)."""
        self._tokens = source
        if source is None:
            self._staff = None

    def release_token_source(self, source: TokenSource) -> None:
        """Stop using ``source`` if it is still the one in use (a sign-out finishing in
        the background must not drop the next clinician's session)."""
        if self._tokens is source:
            self.use_token_source(None)

    def sign_out(self) -> None:
        """Forget the token source (the session itself is ended by its owner)."""
        self.use_token_source(None)

    def close(self) -> None:
        self._http.close()
        self.use_token_source(None)

    # -- who, directory, cases --------------------------------------------------------------

    def me(self) -> Staff:
        """``GET /v1/me``: the staff member, unit and roles the token is for."""
        response = self._call("GET", "/v1/me", expected={200}, idempotent=True)
        staff = parsed(
            response,
            lambda data: Staff(
                staff_id=str(data["staff_id"]),
                name=str(data["name"]),
                unit=str(data["unit"]),
                roles=tuple(str(r) for r in data["roles"]),
            ),
        )
        self._staff = staff
        return staff

    def sandbox_directory(self) -> tuple[list[DemoStaff], list[Resident]]:
        """The sandbox's demo cards (with their PINs) and residents."""
        response = self._directory_response()

        def directory(data: dict[str, Any]) -> tuple[list[DemoStaff], list[Resident]]:
            staff = [
                DemoStaff(
                    staff_id=str(s["staff_id"]),
                    pin=str(s["pin"]),
                    name=str(s["name"]),
                    unit=str(s.get("unit", "")),
                    roles=tuple(str(r) for r in s["roles"]),
                )
                for s in data["staff"]
            ]
            residents = [Resident(str(r["id"]), str(r["name"])) for r in data["residents"]]
            return staff, residents

        return parsed(response, directory)

    def sandbox_idp(self) -> SandboxIdp:
        """The sandbox's identity provider, from its start page's ``idp`` block."""
        response = self._directory_response()
        return parsed(
            response,
            lambda data: SandboxIdp(str(data["idp"]["issuer"]), str(data["idp"]["client_id"])),
        )

    def _directory_response(self) -> requests.Response:
        return self._call(
            "GET",
            "/sandbox/",
            expected={200},
            idempotent=True,
            auth=False,
            headers={"Accept": "application/json"},
        )

    def open_cases(self) -> list[Case]:
        return self.cases(CaseStatus.OPEN)

    def cases(self, status: str = CaseStatus.OPEN, *, retry: bool = True) -> list[Case]:
        """The unit's cases in ``status`` (open, awaiting_resident or answered).
        ``retry=False``: one try (a refresh that fails waits for its own next turn)."""
        response = self._call(
            "GET",
            "/v1/cases",
            expected={200},
            idempotent=retry,
            params={"status": str(status)},
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

        return parsed(response, cases)

    def case_thread(self, case_id: str, *, retry: bool = True) -> CaseThread:
        """The case with its conversation (protocol 1.2), oldest message first.
        ``retry=False``: one try, as for :meth:`cases`."""
        response = self._call(
            "GET",
            f"/v1/cases/{quote(case_id, safe='')}",
            expected={200},
            idempotent=retry,
        )
        return parsed(response, thread_from_json)

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
        sender opens it in memory: ``app.storage.staging.read_staged``). A PUT is safe to repeat:
        the address is the content's hash.
        """
        if not isinstance(source, bytes):
            source = Path(source)
        size = len(source) if isinstance(source, bytes) else source.stat().st_size
        if size > self._max_bytes:  # as the gateway would answer, without the upload
            raise GatewayError(413, ("payload_too_large",), "file over the size limit")
        if self.has_attachment(sha256):
            if progress is not None:
                progress(size, size)
            return
        self._call(
            "PUT",
            f"/v1/attachments/{sha256}",
            expected={200, 201},
            idempotent=True,
            headers={"Content-Type": media_type},
            body_factory=lambda: ProgressReader(source, progress),
        )

    # -- sign-off and messages -------------------------------------------------------------

    def request_review(self, approval: str, subject: ReviewSubject) -> Review:
        """The sign-off of ``subject``: ``approval`` is the colleague's id_token from a
        fresh authentication at the identity provider whose nonce is ``subject.digest``
        (``app.identity.approval_attempt``); the gateway checks it (GATEWAY.md)."""
        response = self._call(
            "POST",
            "/v1/reviews",
            expected={201},
            idempotent=False,
            json_body={
                "approval": approval,
                "digest": subject.digest,
                "subject": subject.to_json(),
            },
        )
        return parsed(
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
        return sent_message(response, json_object(response), replayed=replayed(response))

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
        messages = json_object(response).get("messages")
        if not isinstance(messages, list) or len(messages) > 1:
            raise bad_response(response, "not zero or one message for the key")
        if not messages:
            return None
        found = messages[0]
        if not isinstance(found, dict):
            raise bad_response(response, "a message is not an object")
        return sent_message(response, found, replayed=True)

    def get_message(self, message_id: str) -> MessageRecord:
        """A message of the clinician's unit, as the gateway recorded it."""
        response = self._call(
            "GET", f"/v1/messages/{segment(message_id)}", expected={200}, idempotent=True
        )
        return parsed(response, parse_message_record)

    def sent_messages(self, since: str | None = None) -> list[MessageRecord]:
        """The signed-in clinician's sent messages (created at or after ``since``, an RFC
        3339 time), oldest first."""
        params = {"sent_by": "me"}
        if since is not None:
            params["since"] = since
        response = self._call("GET", "/v1/messages", expected={200}, idempotent=True, params=params)
        return parsed(
            response, lambda data: [parse_message_record(m) for m in objects(data["messages"])]
        )

    def request_retraction(
        self, message_id: str, reason: str, attachments: list[str]
    ) -> dict[str, Any]:
        # Not repeated automatically: each request is a separate case for the support desk.
        response = self._call(
            "POST",
            f"/v1/messages/{segment(message_id)}/retraction-requests",
            expected={202},
            idempotent=False,
            json_body={"reason": reason, "attachments": list(attachments)},
        )
        return json_object(response)

    def retractions(self, message_id: str) -> list[dict[str, Any]]:
        response = self._call(
            "GET",
            f"/v1/messages/{segment(message_id)}/retraction-requests",
            expected={200},
            idempotent=True,
        )
        return parsed(response, lambda data: objects(data["retractions"]))

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
        body_factory: Callable[[], ProgressReader] | None = None,
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> requests.Response:
        started = self._monotonic()
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            token = self._bearer() if auth else None
            error = self._attempt(
                method, path, expected, token, json_body, body_factory, headers, params
            )
            if not isinstance(error, GatewayError):
                return error  # the response
            if token is not None and not refreshed and token_refused(error):
                # The gateway did nothing with the call: a new token, and the same call
                # once more, idempotent or not.
                refreshed = True
                self._refresh(token)
                attempt -= 1
                continue
            if not idempotent or not worth_retrying(error):
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
        token: str | None,
        json_body: Any,
        body_factory: Callable[[], ProgressReader] | None,
        headers: Mapping[str, str] | None,
        params: Mapping[str, str] | None,
    ) -> requests.Response | GatewayError:
        """One try: the response if it is an expected one, else the error it amounts to."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        import requests  # for its errors; already loaded by then, a lookup (see new_session)

        session = self._http.get()
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
            return GatewayError(
                None, (TLS,), f"TLS failed: {failed}", reached_gateway=may_have_left(failed)
            )
        except requests.Timeout as failed:
            said = f"{method} {path}: no answer in time"
            return GatewayError(None, (TIMEOUT,), said, reached_gateway=may_have_left(failed))
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as failed:
            said = f"{method} {path}: {type(failed).__name__}"
            return GatewayError(None, (NETWORK,), said, reached_gateway=may_have_left(failed))
        finally:
            if body is not None:
                body.close()
        log.debug("%s %s -> %d", method, path, response.status_code)
        if response.status_code in expected:
            return response
        return error_from(response)

    def _bearer(self) -> str | None:
        """The token source's access token; None when signed out (the gateway then says
        401)."""
        return bearer(self._tokens) if self._tokens is not None else None

    def _refresh(self, rejected: str) -> None:
        if self._tokens is not None:
            refresh(self._tokens, rejected)
