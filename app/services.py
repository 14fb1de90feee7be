"""What a running Bifoga holds: the gateway client, the staging area and the workers.

Both clients of the core (the window and the command line) open these the same way.
The embedded sandbox is started on loopback only when the settings ask for it
(``gateway_url: "sandbox"``), and the window says so in its title.
"""

from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.gateway.client import GatewayClient
from app.gateway.embedded import EmbeddedSandbox
from app.lifecycle import ClosedOnExit
from app.model import MAX_ATTACHMENT_BYTES
from app.settings import Settings, data_dir
from app.staging import StagingArea
from app.worker import IsolatedWorker

log = logging.getLogger(__name__)


@dataclass
class Services(ClosedOnExit):
    settings: Settings
    client: GatewayClient
    staging: StagingArea
    #: Drawing pages for the preview. A process of its own, so that a long inspection
    #: never holds up the page the clinician is looking at.
    render_worker: IsolatedWorker
    inspect_worker: IsolatedWorker
    sandbox: Any = None  # the embedded sandbox gateway's handle, when it runs
    #: A second render process, for drawing the first page of a new file together with
    #: ``render_worker`` (each draws half; see ``app.rendering.render_ahead``). None on a
    #: one-core machine, where it would only compete.
    render_helper: IsolatedWorker | None = None
    _closed: bool = field(default=False, repr=False)

    @property
    def uses_sandbox(self) -> bool:
        return self.sandbox is not None or self.settings.uses_sandbox

    def warm_up(self) -> None:
        """Start the worker processes ahead of their first job, so the first preview does
        not wait for a Python start-up. The window calls this once it is on screen: the
        children's start-up would otherwise compete with the window's for the CPU."""
        self.render_worker.start()
        self.inspect_worker.start()
        if self.render_helper is not None:
            self.render_helper.start()

    @property
    def render_workers(self) -> list[IsolatedWorker]:
        """The processes that draw one page together, the main render worker first."""
        helper = self.render_helper
        return [self.render_worker] if helper is None else [self.render_worker, helper]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.client.close()
        self.render_worker.close()
        self.inspect_worker.close()
        if self.render_helper is not None:
            self.render_helper.close()
        if self.sandbox is not None:
            self.sandbox.stop()


def render_processes(settings: Settings) -> tuple[IsolatedWorker, IsolatedWorker | None]:
    """The render worker, and a second one to draw a new file's first page with it, on a
    machine with more than one core (on one core it would only compete)."""
    render_worker = IsolatedWorker(timeout_s=20, memory_limit_mb=settings.worker_memory_mb)
    if (os.cpu_count() or 1) < 2:
        return render_worker, None
    return render_worker, IsolatedWorker(timeout_s=20, memory_limit_mb=settings.worker_memory_mb)


def open_services(settings: Settings, *, sandbox_dir: Path | None = None) -> Services:
    sandbox = None
    base_url = settings.gateway_url.strip().rstrip("/")
    if settings.uses_sandbox:
        folder = sandbox_dir or Path(tempfile.mkdtemp(prefix="bifoga-sandbox-"))
        sandbox = EmbeddedSandbox(folder)  # starts in the background
        base_url = sandbox.base_url
        log.info("embedded sandbox gateway at %s", base_url)
    elif not base_url:  # never a silent sandbox, and never a client without a gateway
        raise ValueError("no gateway_url configured")
    verify: bool | str = settings.ca_bundle or True
    cert = (settings.client_cert, settings.client_key) if settings.client_cert else None
    client = GatewayClient(base_url, verify=verify, client_cert=cert)
    staging = StagingArea(
        settings.staging_path(),
        max_bytes=MAX_ATTACHMENT_BYTES,
        retention_s=settings.retention_hours * 3600,
    )
    purged = staging.purge()
    if purged:
        log.info("purged %d leftover working copies from the staging area", purged)
    render_worker, render_helper = render_processes(settings)
    inspect_worker = IsolatedWorker(
        timeout_s=settings.worker_timeout_s, memory_limit_mb=settings.worker_memory_mb
    )
    return Services(
        settings, client, staging, render_worker, inspect_worker, sandbox, render_helper
    )


__all__ = ["Services", "data_dir", "open_services", "render_processes"]
