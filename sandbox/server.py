"""The sandbox gateway as a WSGI application: routing, fault injection, error bodies.

Routing is werkzeug's Map/Rule; handlers live in api.py (sessions, cases, attachments,
sign-offs) and messages.py. Whatever a handler raises, the client gets the protocol's error
body: an ApiError as it says, anything else as 500 ``internal_error`` with the traceback in
the server's log only.
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import socket
import threading
from collections.abc import Callable, Iterable
from importlib import resources
from typing import Any

from werkzeug.exceptions import (
    ClientDisconnected,
    HTTPException,
    MethodNotAllowed,
    NotFound,
    RequestEntityTooLarge,
)
from werkzeug.routing import BaseConverter, Map, RequestRedirect, Rule
from werkzeug.utils import redirect, send_file
from werkzeug.wrappers import Request, Response

from app.protocol.identifiers import is_valid_resident_id, mask
from app.protocol.model import MAX_ATTACHMENT_BYTES, CaseStatus
from sandbox import pages
from sandbox.api import Api, Settings
from sandbox.audit_checkpoints import keep_checkpoint
from sandbox.clock import Clock
from sandbox.demo import CARD_PINS
from sandbox.faults import FaultInjector, FaultMode
from sandbox.idp import IdentityProvider, Signer
from sandbox.idp.provider import PATH as IDP_PATH
from sandbox.messages import IN_FLIGHT_HOOK, Messages
from sandbox.request_tally import RequestTally
from sandbox.resident_answers import answer_counter_question
from sandbox.responses import (
    MAX_JSON_BYTES,
    ApiError,
    FieldError,
    error_response,
    json_response,
    read_json_object,
)
from sandbox.store import Store
from sandbox.trust import RemoteProvider, StaticKeys, TokenChecker, TrustSettings

log = logging.getLogger("bifoga.sandbox")

_TWELVE_DIGITS = re.compile(r"\d{12}")
_HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The environ key of the connection's input (http_server.py), told when the answer is made.
CONNECTION_INPUT = "bifoga.connection_input"

StartResponse = Callable[..., Any]
Handler = Callable[..., Response]


class Sha256Converter(BaseConverter):
    """Only lower-case hex SHA-256 names an attachment; anything else is simply not found."""

    regex = "[0-9a-f]{64}"


def _url_map(idp_routes: Iterable[tuple[str, str]]) -> Map:
    return Map(
        [
            *(
                Rule(path, endpoint=f"idp {method} {path}", methods=[method])
                for path, method in idp_routes
            ),
            Rule("/", endpoint="root", methods=["GET"]),
            Rule("/v1/openapi.json", endpoint="openapi", methods=["GET"]),
            Rule("/v1/sessions", endpoint="create_session", methods=["POST"]),
            Rule("/v1/me", endpoint="me", methods=["GET"]),
            Rule("/v1/cases", endpoint="list_cases", methods=["GET"]),
            Rule("/v1/cases/<case_id>", endpoint="get_case", methods=["GET"]),
            Rule("/v1/attachments/<sha256:sha256>", endpoint="head_attachment", methods=["HEAD"]),
            Rule("/v1/attachments/<sha256:sha256>", endpoint="put_attachment", methods=["PUT"]),
            Rule("/v1/reviews", endpoint="create_review", methods=["POST"]),
            Rule("/v1/messages", endpoint="create_message", methods=["POST"]),
            Rule("/v1/messages", endpoint="list_messages", methods=["GET"]),
            Rule("/v1/messages/<message_id>", endpoint="get_message", methods=["GET"]),
            Rule(
                "/v1/messages/<message_id>/retraction-requests",
                endpoint="request_retraction",
                methods=["POST"],
            ),
            Rule(
                "/v1/messages/<message_id>/retraction-requests",
                endpoint="list_retractions",
                methods=["GET"],
            ),
            Rule("/v1/audit-checkpoints", endpoint="keep_audit_checkpoint", methods=["POST"]),
            Rule("/sandbox/", endpoint="start_page", methods=["GET"]),
            Rule("/sandbox/inbox/<resident_id>", endpoint="inbox", methods=["GET"]),
            Rule(
                "/sandbox/cases/<case_id>/resident-answers",
                endpoint="resident_answer",
                methods=["POST"],
            ),
            Rule(
                "/sandbox/deliveries/<delivery_id>/attachments/<sha256:sha256>",
                endpoint="delivered_file",
                methods=["GET"],
            ),
            Rule("/sandbox/ledger", endpoint="ledger", methods=["GET"]),
            Rule("/sandbox/faults", endpoint="get_faults", methods=["GET"]),
            Rule("/sandbox/faults", endpoint="set_faults", methods=["POST"]),
            Rule("/sandbox/requests", endpoint="requests", methods=["GET"]),
        ],
        converters={"sha256": Sha256Converter},
    )


class _SlowOnce:
    """The "slow" fault's delay, taken once per request (a message's after its key is
    claimed, any other after it was processed), cut short when the server stops or a test
    releases it (``FaultInjector.hold``)."""

    def __init__(self, faults: FaultInjector, delay_s: float) -> None:
        self._faults = faults
        self._delay_s = delay_s
        self._done = False

    def __call__(self) -> None:
        if not self._done:
            self._done = True
            self._faults.hold(self._delay_s)


class SandboxApp:
    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        faults: FaultInjector,
        trust: TrustSettings | None = None,
        remote: RemoteProvider | None = None,
        signer: Signer | None = None,
    ) -> None:
        self.store = store
        self.trust = trust or TrustSettings()
        self._remote = remote
        self.faults = faults
        self.api = Api(store, clock, settings)
        self.messages = Messages(self.api)
        self.idp = IdentityProvider(
            clock,
            store.staff,
            store.all_staff,
            signer=signer,
            access_token_ttl_s=settings.access_token_ttl_s,
        )
        idp_routes = self.idp.routes()
        self.url_map = _url_map(idp_routes)
        self._openapi = resources.files("app.gateway").joinpath("openapi.json").read_bytes()
        self._handlers: dict[str, Handler] = {
            "root": lambda request: redirect("/sandbox/"),
            "openapi": lambda request: Response(self._openapi, mimetype="application/json"),
            "create_session": self.api.create_session,
            "me": self.api.me,
            "list_cases": self.api.list_cases,
            "get_case": self.api.get_case,
            "head_attachment": self.api.head_attachment,
            "put_attachment": self.api.put_attachment,
            "create_review": self.api.create_review,
            "create_message": self.messages.create,
            "list_messages": self.messages.list_sent,
            "get_message": self.messages.get,
            "request_retraction": self.messages.request_retraction,
            "list_retractions": self.messages.list_retractions,
            "keep_audit_checkpoint": lambda request: keep_checkpoint(self.api, request),
            "start_page": self.start_page,
            "inbox": self.inbox,
            "resident_answer": self.resident_answer,
            "delivered_file": self.delivered_file,
            "ledger": self.ledger,
            "get_faults": self.get_faults,
            "set_faults": self.set_faults,
            "requests": lambda request: json_response({"requests": self.requests.counts()}),
        }
        for (path, method), handler in idp_routes.items():
            self._handlers[f"idp {method} {path}"] = handler
        self._active = 0
        self._idle = threading.Condition()
        #: Every request served, by method and route (``GET /sandbox/requests``).
        self.requests = RequestTally()

    def set_base_url(self, base_url: str) -> None:
        """Where the sandbox listens: its provider's issuer, and whom the gateway trusts
        (the built-in provider, or the one given with ``--issuer``)."""
        self.idp.set_base_url(base_url)
        if self._remote is None:
            self.api.tokens = TokenChecker(
                self.trust,
                self.idp.issuer,
                StaticKeys(self.idp.signer.key_set),
                self.store.staff,
                self.api.clock,
                revoked=self.idp.is_revoked,
            )
        else:
            self.api.tokens = TokenChecker(
                self.trust,
                self._remote.issuer,
                self._remote,
                self.store.staff,
                self.api.clock,
                userinfo=self._remote.userinfo,
            )

    def close(self) -> None:
        if self._remote is not None:
            self._remote.close()

    @property
    def trusted_issuer(self) -> str:
        return self._remote.issuer if self._remote is not None else self.idp.issuer

    # -- WSGI entry, faults and the requests in flight ----------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        with self._idle:
            self._active += 1
        try:
            return self._respond(environ, start_response)
        finally:
            connection_input = environ.get(CONNECTION_INPUT)
            if connection_input is not None:
                # Whatever the client still sends is read no further than a little.
                connection_input.stop_reading()
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait for requests in progress to finish, so the store can close under nobody."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def _respond(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        self.requests.count(request.method, self._route(request))
        mode: FaultMode | None = None
        if request.path.startswith("/v1/"):
            mode, delay_s = self.faults.take(reading=request.method in _SAFE_METHODS)
            if mode is not None:
                log.info("fault %s on %s %s", mode.value, request.method, request.path)
            if mode is FaultMode.SLOW:
                environ[IN_FLIGHT_HOOK] = _SlowOnce(self.faults, delay_s)
        if mode is None:
            return self.dispatch(request)(environ, start_response)
        try:
            return self._respond_with_fault(mode, request, environ, start_response)
        finally:
            self.faults.note_done()

    def _respond_with_fault(
        self,
        mode: FaultMode,
        request: Request,
        environ: dict[str, Any],
        start_response: StartResponse,
    ) -> Iterable[bytes]:
        if mode is FaultMode.DROP_BEFORE:
            return _drop_connection(environ, start_response)
        if mode is FaultMode.THROTTLE:
            response = error_response(
                ApiError.one(
                    429,
                    "throttled",
                    "Too many requests; try again later.",
                    headers={"Retry-After": str(self.faults.state().retry_after_s)},
                )
            )
            return response(environ, start_response)
        response = self.dispatch(request)
        if mode is FaultMode.RESET_AFTER:
            return _drop_connection(environ, start_response)
        if mode is FaultMode.ERROR_AFTER:
            response = _internal_error()
        if mode is FaultMode.SLOW:
            environ[IN_FLIGHT_HOOK]()
        return response(environ, start_response)

    def _route(self, request: Request) -> str:
        """The rule a request matches (``/v1/cases/<case_id>``), for the tally: no
        identifier in it. ``?`` when none matches."""
        try:
            rule, _values = self.url_map.bind_to_environ(request.environ).match(return_rule=True)
        except HTTPException:
            return "?"
        return str(rule.rule)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
            # Enforced while the body is read, chunked or not (docs/protocol.md 1.1): a body
            # over the limit is refused after at most the limit has been read (one byte
            # more, so that a body over it is seen to be).
            request.max_content_length = 1 + (
                MAX_ATTACHMENT_BYTES if endpoint == "put_attachment" else MAX_JSON_BYTES
            )
            response = self._handlers[endpoint](request, **values)
        except ApiError as refusal:
            response = error_response(refusal)
        except RequestEntityTooLarge:
            response = error_response(
                ApiError.one(413, "payload_too_large", "The request body is too large.")
            )
        except ClientDisconnected:
            # The body stopped short: the client left, stalled past the timeout, or sent
            # a broken chunk. The answer goes out if it still can, and the server closes.
            response = error_response(
                ApiError.one(400, "incomplete_body", "The body ended before it was complete.")
            )
        except (TimeoutError, ConnectionError):
            raise  # the client stalled or left: the server drops the connection
        except RequestRedirect as moved:
            return moved.get_response(request.environ)
        except NotFound:
            response = error_response(ApiError.one(404, "not_found", "No such resource."))
        except MethodNotAllowed as wrong:
            response = error_response(
                ApiError.one(
                    405,
                    "method_not_allowed",
                    "Method not allowed here.",
                    headers={"Allow": ", ".join(sorted(wrong.valid_methods or []))},
                )
            )
        except HTTPException as other:
            code = other.code or 400
            response = error_response(
                ApiError.one(
                    code, other.name.lower().replace(" ", "_"), other.description or other.name
                )
            )
        except Exception:
            log.exception("internal error on %s %s", request.method, masked_path(request.path))
            response = _internal_error()
        response.headers["X-Content-Type-Options"] = "nosniff"
        if response.mimetype == "text/html":  # the provider's pages too: never in a frame
            response.headers.setdefault("Content-Security-Policy", _HTML_CSP)
        if request.path.startswith("/v1/"):
            response.headers["Cache-Control"] = "no-store"
        return response

    # -- sandbox-only pages -------------------------------------------------------------------

    def start_page(self, request: Request) -> Response:
        staff = self.store.all_staff()
        residents = self.store.residents()
        best = request.accept_mimetypes.best_match(["text/html", "application/json"])
        if best == "application/json":
            return json_response(
                {
                    "staff": [
                        {
                            "staff_id": s.staff_id,
                            "pin": CARD_PINS.get(s.staff_id, ""),
                            "name": s.name,
                            "unit": s.unit,
                            "roles": list(s.roles),
                        }
                        for s in staff
                    ],
                    "residents": [{"id": rid, "name": name} for rid, name in residents],
                    "idp": {"issuer": self.trusted_issuer, "client_id": self.trust.client_id},
                }
            )
        return _html(
            pages.start_page(staff, CARD_PINS, residents, self.trusted_issuer, self.trust.client_id)
        )

    def inbox(self, request: Request, resident_id: str) -> Response:
        if not is_valid_resident_id(resident_id):
            raise ApiError.one(404, "not_found", "No such resident.")
        rows = self.store.deliveries_to(resident_id)
        items = [(row, self.store.message_attachments(row["message_id"])) for row in rows]
        awaiting = self.store.cases_of_resident(resident_id, CaseStatus.AWAITING_RESIDENT.value)
        return _html(
            pages.inbox_page(
                resident_id,
                self.store.resident_name(resident_id),
                items,
                awaiting,
                self.store.resident_answers(resident_id),
            )
        )

    def resident_answer(self, request: Request, case_id: str) -> Response:
        return answer_counter_question(self.store, self.api.clock, request, case_id)

    def delivered_file(self, request: Request, delivery_id: str, sha256: str) -> Response:
        delivery = self.store.delivery(delivery_id)
        attachment = None
        if delivery is not None:
            attachment = next(
                (
                    a
                    for a in self.store.message_attachments(delivery["message_id"])
                    if a["sha256"] == sha256
                ),
                None,
            )
        blob = self.store.blob(sha256) if attachment is not None else None
        if attachment is None or blob is None:
            raise ApiError.one(404, "not_found", "No such file in this delivery.")
        if attachment["retracted_at"] is not None:
            raise ApiError.one(410, "retracted", "The file has been retracted.")
        media_type, data = blob
        download = request.args.get("download", "") in ("1", "true", "yes")
        return send_file(
            io.BytesIO(data),
            request.environ,
            mimetype=media_type,
            as_attachment=download,
            download_name=attachment["filename"],
            etag=sha256,
            max_age=0,
        )

    def ledger(self, request: Request) -> Response:
        return json_response(
            {
                "deliveries": [
                    {
                        "delivery_id": r["delivery_id"],
                        "message_id": r["message_id"],
                        "idempotency_key": r["idempotency_key"],
                        "resident_id": r["resident_id"],
                        "staff_id": r["sender_id"],
                        "delivered_at": r["delivered_at"],
                    }
                    for r in self.store.ledger()
                ]
            }
        )

    def get_faults(self, request: Request) -> Response:
        state = self.faults.state()
        return json_response(
            {
                "mode": state.mode.value if state.mode else None,
                "count": state.remaining,
                "delay_s": state.delay_s,
                "reads": state.reads,
                "retry_after_s": state.retry_after_s,
            }
        )

    def set_faults(self, request: Request) -> Response:
        body = read_json_object(request)
        errors = []
        name = body.get("mode")
        mode: FaultMode | None = None
        if name not in (None, "none"):
            try:
                mode = FaultMode(name)
            except ValueError:
                errors.append(FieldError("invalid_mode", "Unknown fault mode.", "mode"))
        count = body.get("count", 1)
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            errors.append(FieldError("invalid_count", "count is a whole number >= 0.", "count"))
        delay = body.get("delay_s")
        if delay is not None and (
            not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0
        ):
            errors.append(FieldError("invalid_delay", "delay_s is seconds >= 0.", "delay_s"))
        reads = body.get("reads", False)
        if not isinstance(reads, bool):
            errors.append(FieldError("invalid_reads", "reads is true or false.", "reads"))
        retry_after = body.get("retry_after_s")
        if retry_after is not None and (
            not isinstance(retry_after, int) or isinstance(retry_after, bool) or retry_after < 0
        ):
            errors.append(
                FieldError(
                    "invalid_retry_after", "retry_after_s is whole seconds >= 0.", "retry_after_s"
                )
            )
        if errors:
            raise ApiError(422, errors)
        self.faults.set(
            mode,
            count if mode is not None else 0,
            float(delay) if delay is not None else None,
            reads=reads,
            retry_after_s=retry_after,
        )
        return self.get_faults(request)


def masked_path(path: str) -> str:
    """The path fit for a log: an inbox URL names a resident, so identifiers are masked;
    the identity provider's queries carry tokens (``id_token_hint``) and a sign-off's
    digest, so they are left out."""
    if path.startswith(IDP_PATH + "/"):
        path = path.partition("?")[0]
    return _TWELVE_DIGITS.sub(lambda m: mask(m.group()), path)


def _html(text: str) -> Response:
    response = Response(text, mimetype="text/html")
    response.headers["Content-Security-Policy"] = _HTML_CSP
    return response


def _internal_error() -> Response:
    return json_response(
        {"errors": [{"code": "internal_error", "message": "The gateway failed; try again."}]},
        500,
    )


def _drop_connection(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """Close the connection with no answer, as a lost network would.

    Shutting the socket down makes the server's attempt to write fail as a dropped
    connection, which werkzeug handles quietly.
    """
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):  # the client may have gone already
            sock.shutdown(socket.SHUT_RDWR)
    start_response("500 Internal Server Error", [("Content-Length", "0")])
    return [b""]
