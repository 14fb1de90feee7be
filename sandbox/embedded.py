"""The embedded sandbox gateway: the one place that starts it, without holding up the
first window.

When asked for (``bifoga --sandbox`` or ``gateway_url: "sandbox"``; never because no
gateway is configured), Bifoga serves the sandbox itself (docs/protocol.md) on loopback.
The core only decides (``Settings.uses_sandbox``) and takes what was started
(``app.runtime.services.open_services(sandbox=...)``): it imports no sandbox. So whoever opens
Bifoga's services (the window's start-up in ui/shell/start.py, the tests, the benchmarks) calls
:func:`open_services` here, which starts the sandbox first when the settings ask for it.
Starting it (importing Werkzeug, opening SQLite, writing the demo data) takes about as
long as everything else before the sign-in window, so it happens on a thread of its own:
the listening socket is opened here at once, so the address is known and the client can
be made; a request that comes before the server is up waits in the socket's queue and is
answered when it is. If the sandbox cannot start, the socket is closed and such a request
fails with a connection error, which the window reports like any unreachable gateway.

``sandbox.runner`` is imported on that thread, not here: it pulls in Werkzeug, which the
sign-in window does not wait for (tests/unit/test_layering.py checks it is not loaded).
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from app.config.settings import Settings
from app.lifecycle import ClosedOnExit
from app.runtime import services as app_services

if TYPE_CHECKING:
    from sandbox.runner import SandboxHandle

log = logging.getLogger(__name__)

#: How long stopping waits for a sandbox still starting.
_START_WAIT_S = 30.0


class EmbeddedSandbox(ClosedOnExit):
    """The sandbox for this process, on ``base_url``, starting in the background."""

    def __init__(self, data_dir: Path, *, remove_on_stop: bool = False) -> None:
        #: The sandbox holds every file "sent" and every recipient: a folder made for this
        #: window alone (``remove_on_stop``) goes with it, and nobody else may read it.
        self.data_dir = data_dir
        self._remove_on_stop = remove_on_stop
        with contextlib.suppress(OSError):  # one that cannot be made fails the start below
            data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            data_dir.chmod(0o700)
        self._listening = socket.create_server(("127.0.0.1", 0))
        host, port = self._listening.getsockname()[:2]
        self.base_url = f"http://{host}:{port}"
        self._handle: SandboxHandle | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(
            target=self._start, args=(data_dir,), name="bifoga-sandbox-start", daemon=True
        )
        self._thread.start()

    def _start(self, data_dir: Path) -> None:
        try:
            from sandbox.runner import start_sandbox

            self._handle = start_sandbox(data_dir=data_dir, listening=self._listening)
        except Exception:
            log.exception("the embedded sandbox gateway did not start")
        finally:
            # The server serves a duplicate of it; on failure, waiting requests are refused.
            self._listening.close()
            self._started.set()

    def wait_started(self, timeout_s: float = _START_WAIT_S) -> bool:
        """Whether it is up (waiting for it while it starts)."""
        return self._started.wait(timeout_s) and self._handle is not None

    def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        self._started.wait(_START_WAIT_S)
        if self._handle is not None:
            self._handle.stop()
            self._handle = None
        if self._remove_on_stop:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def open_services(
    settings: Settings, *, sandbox_dir: Path | None = None, outbox_path: Path | None = None
) -> app_services.Services:
    """Bifoga's services (``app.runtime.services.open_services``), on an embedded sandbox started
    here first when the settings ask for it, and on the configured gateway otherwise.

    A ``sandbox_dir`` given (tests, a gateway restarted on the same data) is kept; one made
    for this window is private to it and removed when it closes (every "sent" file is in it).
    """
    sandbox = None
    if settings.uses_sandbox:
        folder = sandbox_dir or Path(tempfile.mkdtemp(prefix="bifoga-sandbox-"))
        sandbox = EmbeddedSandbox(folder, remove_on_stop=sandbox_dir is None)  # in the background
        log.info("embedded sandbox gateway at %s", sandbox.base_url)
    try:
        # Looked up at call time: the start-up tests record the services opened.
        return app_services.open_services(settings, sandbox=sandbox, outbox_path=outbox_path)
    except BaseException:
        if sandbox is not None:  # not left serving behind a start that failed
            sandbox.stop()
        raise
