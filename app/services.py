"""What a running Bifoga holds: the gateway client, the staging area, the workers and the
outbox journal.

Both clients of the core (the window and the command line) open these the same way.
The embedded sandbox runs on loopback only when the settings ask for it
(``gateway_url: "sandbox"``), and the window says so in its title. It is started outside
the core (``sandbox.embedded.open_services``, since ``app`` imports no sandbox) and handed in.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app import storage_key
from app.audit import AuditError, AuditTrail, KeyringKeyProvider
from app.audit import default_folder as default_audit_folder
from app.audit.checkpoints import CheckpointPublisher
from app.gateway.client import GatewayClient
from app.inspection.policy import default_policy
from app.lifecycle import ClosedOnExit
from app.outbox import Outbox
from app.settings import Settings, data_dir
from app.staging import StagingArea
from app.storage_key import StorageKey
from app.worker import IsolatedWorker

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite3"


class EmbeddedGateway(Protocol):
    """A gateway served by this process (the sandbox, started in ``sandbox.embedded``)."""

    base_url: str

    def stop(self) -> None: ...


@dataclass
class Services(ClosedOnExit):
    settings: Settings
    client: GatewayClient
    staging: StagingArea
    #: Drawing pages for the preview. A process of its own, so that a long inspection
    #: never holds up the page the clinician is looking at.
    render_worker: IsolatedWorker
    inspect_worker: IsolatedWorker
    sandbox: EmbeddedGateway | None = None  # the embedded sandbox gateway, when it runs
    #: A second render process, for drawing the first page of a new file together with
    #: ``render_worker`` (each draws half; see ``app.rendering.render_ahead``). None on a
    #: one-core machine, where it would only compete.
    render_helper: IsolatedWorker | None = None
    #: The outbox journal's file; None: ``outbox.sqlite3`` in the user's data folder.
    outbox_path: Path | None = None
    _closed: bool = field(default=False, repr=False)
    _outbox: Outbox | None = field(default=None, repr=False)
    _outbox_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Working copies and drafts the staging area purged at start (for the audit trail).
    purged_at_start: int = 0
    #: The audit trail's folder; None: ``audit/`` in the user's data folder.
    audit_folder: Path | None = None
    _audit: AuditTrail | None = field(default=None, repr=False)
    #: Why the audit trail could not be opened (an ``audit.*`` code), if it could not.
    audit_problem: AuditError | None = field(default=None, repr=False)
    #: Sends the trail's checkpoints to the gateway (app.audit.checkpoints).
    _checkpoints: CheckpointPublisher | None = field(default=None, repr=False)
    #: What the staging area, drafts and outbox are sealed with (``app.storage_key``);
    #: None: the process's installed key.
    storage_key: StorageKey | None = field(default=None, repr=False)

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
    def outbox(self) -> Outbox:
        """The send jobs (``app.outbox``), opened at first use: a window that never sends
        does not touch the journal."""
        with self._outbox_lock:
            if self._outbox is None:
                self._outbox = Outbox(
                    self.outbox_path or data_dir() / OUTBOX_FILE, key=self.storage_key
                )
            return self._outbox

    def audit_trail(self) -> AuditTrail | None:
        """The audit trail, opened at first use (its key comes from the OS keyring).

        ``None`` when it cannot be opened; ``audit_problem`` says why, and the window tells
        the clinician. On the embedded sandbox, a test system, a keyring that cannot give a
        key is replaced by a key for this run only: the chain is still checked by SHA-256,
        only its keyed references to residents cannot be matched across runs.
        """
        if self._audit is not None or self.audit_problem is not None:
            return self._audit
        folder = self.audit_folder or default_audit_folder()
        try:
            self._audit = AuditTrail.open(folder, KeyringKeyProvider())
        except AuditError as error:
            if not (self.uses_sandbox and error.code == "audit.key_unavailable"):
                self.audit_problem = error
                return None
            log.warning("no keyring for the audit key; the sandbox uses a key for this run")
            run_key = secrets.token_bytes(32)
            try:
                self._audit = AuditTrail.open(folder, lambda: run_key)
            except AuditError as again:
                self.audit_problem = again
                return None
        self._checkpoints = CheckpointPublisher(
            self._audit.trail_id, self.client.post_audit_checkpoint
        )
        self._audit.on_record = self._checkpoints.noticed
        if self.purged_at_start:
            self._audit.purge(self.purged_at_start)
        return self._audit

    @property
    def render_workers(self) -> list[IsolatedWorker]:
        """The processes that draw one page together, the main render worker first."""
        helper = self.render_helper
        return [self.render_worker] if helper is None else [self.render_worker, helper]

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._checkpoints is not None:
            self._checkpoints.close()  # lets a checkpoint under way finish, with the client
        self.client.close()
        self.render_worker.close()
        self.inspect_worker.close()
        if self.render_helper is not None:
            self.render_helper.close()
        if self.sandbox is not None:
            self.sandbox.stop()
        with self._outbox_lock:
            if self._outbox is not None:
                self._outbox.close()
        if self._audit is not None:
            self._audit.close()


def render_processes(
    settings: Settings, key: StorageKey | None = None
) -> tuple[IsolatedWorker, IsolatedWorker | None]:
    """The render worker, and a second one to draw a new file's first page with it, on a
    machine with more than one core (on one core it would only compete). ``key`` opens
    the working copies (the process's storage key when none is given)."""
    memory = settings.worker_memory_mb
    render_worker = IsolatedWorker(timeout_s=20, memory_limit_mb=memory, key=key)
    if (os.cpu_count() or 1) < 2:
        return render_worker, None
    return render_worker, IsolatedWorker(timeout_s=20, memory_limit_mb=memory, key=key)


def open_services(
    settings: Settings,
    *,
    sandbox: EmbeddedGateway | None = None,
    outbox_path: Path | None = None,
) -> Services:
    """The services on the configured gateway, or on ``sandbox`` when the settings ask for
    the sandbox (``sandbox.embedded.open_services`` starts it and calls this).

    The storage key must be installed first (``app.storage_key.install``; ``ui.app`` decides
    what to do when the keyring cannot give it): StorageKeyError ``storage.key_not_loaded``
    otherwise, before anything starts."""
    key = storage_key.current()
    base_url = settings.gateway_url.strip().rstrip("/")
    if settings.uses_sandbox != (sandbox is not None):
        # The decision is the settings' alone: no sandbox unless asked for, and when asked
        # for, never a client pointed anywhere else.
        raise ValueError("the embedded sandbox runs exactly when the settings ask for it")
    if sandbox is not None:
        base_url = sandbox.base_url
    elif not base_url:  # never a silent sandbox, and never a client without a gateway
        raise ValueError("no gateway_url configured")
    verify: bool | str = settings.ca_bundle or True
    cert = (settings.client_cert, settings.client_key) if settings.client_cert else None
    limits = default_policy().limits  # app.limits, as the policy has them
    client = GatewayClient(base_url, verify=verify, client_cert=cert, max_bytes=limits.max_bytes)
    staging = StagingArea(
        settings.staging_path(),
        max_bytes=limits.max_bytes,
        retention_s=settings.retention_hours * 3600,
        key=key,
    )
    purged = staging.purge()
    if purged:
        log.info("purged %d leftover working copies from the staging area", purged)
    render_worker, render_helper = render_processes(settings, key)
    inspect_worker = IsolatedWorker(
        timeout_s=settings.worker_timeout_s, memory_limit_mb=settings.worker_memory_mb, key=key
    )
    services = Services(
        settings,
        client,
        staging,
        render_worker,
        inspect_worker,
        sandbox,
        render_helper,
        outbox_path,
    )
    services.purged_at_start = purged
    services.storage_key = key
    return services


__all__ = ["Services", "data_dir", "open_services", "render_processes"]
