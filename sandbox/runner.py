"""Start and stop the sandbox gateway in a background thread of this process.

The app starts one when no gateway is configured; tests start one per fixture. The server
is werkzeug's threaded WSGI server; with a certificate and key it serves HTTPS, and without
them it refuses to listen anywhere but loopback (docs/protocol.md).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import shutil
import socket
import ssl
import tempfile
import threading
from pathlib import Path

from app.lifecycle import ClosedOnExit
from sandbox.api import DEFAULT_ACCESS_TOKEN_TTL_S, Settings
from sandbox.clock import Clock, system_clock
from sandbox.faults import DEFAULT_SLOW_DELAY_S, FaultInjector, parse_fault_spec
from sandbox.http_server import GuardedWSGIServer
from sandbox.idp import Signer
from sandbox.limits import Limits
from sandbox.server import SandboxApp
from sandbox.store import DB_NAME, Store
from sandbox.trust import RemoteProvider, TrustSettings

log = logging.getLogger("bifoga.sandbox")

#: The identity provider's signing key in a data dir of the caller's (sandbox/idp/signing.py).
SIGNING_KEY_NAME = "idp-signing-key.json"
#: How long stop() lets requests in progress finish before the database closes.
_DRAIN_S = 5.0


class InsecureHostError(ValueError):
    """Plain HTTP was asked for on an address other machines can reach."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class SandboxHandle(ClosedOnExit):
    """A running sandbox. ``base_url`` has no trailing slash; ``stop()`` is idempotent."""

    def __init__(
        self,
        server: GuardedWSGIServer,
        app: SandboxApp,
        store: Store,
        data_dir: Path,
        owns_data_dir: bool,
        scheme: str,
    ) -> None:
        self._server = server
        self._app = app
        self._store = store
        self._owns_data_dir = owns_data_dir
        self.data_dir = data_dir
        host, port = server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else str(host)
        host_text = f"[{host}]" if ":" in host else host
        self.base_url = f"{scheme}://{host_text}:{port}"
        self.port = int(port)
        app.set_base_url(self.base_url)  # before the first request is served
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"bifoga-sandbox-{port}",
            daemon=True,
        )
        self._stopped = False
        self._thread.start()

    @property
    def faults(self) -> FaultInjector:
        return self._app.faults

    @property
    def issuer(self) -> str:
        """The built-in identity provider's issuer (``{base_url}/sandbox/idp``)."""
        return self._app.idp.issuer

    @property
    def trusted_issuer(self) -> str:
        """The issuer whose tokens the gateway takes (the built-in one by default)."""
        return self._app.trusted_issuer

    @property
    def app(self) -> SandboxApp:
        return self._app

    @property
    def server(self) -> GuardedWSGIServer:
        """The HTTP server (its open connections, for tests of the limits)."""
        return self._server

    def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._app.faults.stop_holding()  # wakes any request held by the "slow" fault
        self._server.shutdown()
        self._thread.join()
        self._server.server_close()
        if not self._app.wait_idle(_DRAIN_S):
            log.warning("sandbox stopped with requests still in progress")
        self._store.close()
        self._app.close()
        if self._owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def private_folder(directory: Path) -> None:
    """Make ``directory`` (mode 0700 from the start) or make it 0700: the sandbox's data
    (resident ids, every file sent, uploads in progress) is for this user alone, also
    after a kill that leaves it behind."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)


def _tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    return context


def start_sandbox(
    data_dir: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 0,
    tls_cert: Path | None = None,
    tls_key: Path | None = None,
    fault: str | None = None,
    review_ttl_s: int = 900,
    *,
    trust: TrustSettings | None = None,
    access_token_ttl_s: int = DEFAULT_ACCESS_TOKEN_TTL_S,
    slow_delay_s: float = DEFAULT_SLOW_DELAY_S,
    clock: Clock | None = None,
    listening: socket.socket | None = None,
    limits: Limits | None = None,
    request_timeout_s: float | None = None,
    max_connections: int | None = None,
) -> SandboxHandle:
    """Start a sandbox gateway; ``port=0`` picks a free port. ``listening``: a socket
    already bound and listening to serve on (``host`` and ``port`` are then its own),
    which the caller may close afterwards.

    ``trust`` names another identity provider to trust instead of the built-in one (its
    discovery and JWKS are fetched here; a failure raises ``requests.RequestException``
    or ValueError). ``fault`` is ``MODE[:N]`` as on the command line. ``clock`` (keyword
    only) lets tests move time forward. ``limits`` (sandbox/limits.py) bound what clients may take;
    ``request_timeout_s`` (a client whose next bytes do not come within it is dropped) and
    ``max_connections`` (served at once) change those two of them. Raises
    InsecureHostError for plain HTTP off loopback and ValueError for a bad fault or a
    certificate without its key.
    """
    if (tls_cert is None) != (tls_key is None):
        raise ValueError("--tls-cert and --tls-key go together")
    if tls_cert is None and not is_loopback(host):
        raise InsecureHostError(
            f"refusing to serve plain HTTP on {host}: the sandbox serves HTTP on loopback only; "
            "give --tls-cert and --tls-key to serve HTTPS elsewhere"
        )
    faults = FaultInjector(slow_delay_s)
    if fault:
        mode, count = parse_fault_spec(fault)
        faults.set(mode, count)
    ssl_context = _tls_context(tls_cert, tls_key) if tls_cert and tls_key else None

    trust = trust or TrustSettings()
    # Another provider's discovery and keys are fetched now: a wrong --issuer fails the
    # start, not every request after it.
    remote = RemoteProvider(trust.issuer) if trust.issuer is not None else None
    owns_data_dir = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="bifoga-sandbox-")) if data_dir is None else data_dir
    private_folder(directory)
    store = Store(directory / DB_NAME)
    try:
        app = SandboxApp(
            store,
            clock or system_clock,
            Settings(review_ttl_s=review_ttl_s, access_token_ttl_s=access_token_ttl_s),
            faults,
            trust,
            remote,
            Signer() if owns_data_dir else Signer.kept_in(directory / SIGNING_KEY_NAME),
        )
        if listening is not None:
            host, port = listening.getsockname()[:2]
        server = GuardedWSGIServer(
            host,
            port,
            app,
            ssl_context=ssl_context,
            fd=listening.fileno() if listening is not None else None,
            limits=_limits(limits, request_timeout_s, max_connections),
        )
    except BaseException:
        store.close()
        if remote is not None:
            remote.close()
        if owns_data_dir:
            shutil.rmtree(directory, ignore_errors=True)
        raise
    scheme = "https" if ssl_context is not None else "http"
    return SandboxHandle(server, app, store, directory, owns_data_dir, scheme)


def _limits(
    limits: Limits | None, request_timeout_s: float | None, max_connections: int | None
) -> Limits:
    chosen = limits or Limits()
    if request_timeout_s is not None:
        chosen = dataclasses.replace(chosen, request_timeout_s=request_timeout_s)
    if max_connections is not None:
        chosen = dataclasses.replace(chosen, max_connections=max_connections)
    return chosen
