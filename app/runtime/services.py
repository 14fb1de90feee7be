"""What a running Bifoga holds: the gateway client, the region's identity provider and
the signed-in clinician's session, the staging area, the workers and the outbox journal.

Both clients of the core (the window and the command line) open these the same way.
The embedded sandbox runs on loopback only when the settings ask for it
(``gateway_url: "sandbox"``), and the window says so in its title. It is started outside
the core (``sandbox.embedded.open_services``, since ``app`` imports no sandbox) and handed in;
its own identity provider (``/sandbox/idp``) is then the one Bifoga signs in at.

Signing in, a colleague's approval and the lock's unlock are logins at the provider
(``app.identity``), each started here so that the window only runs them: the window asks
for an attempt (``login_attempt``, ``approval_attempt``, ``unlock_attempt``), opens its
address with ``browser`` and waits for its tokens off the GUI thread, then hands a
sign-in's tokens to :meth:`Services.sign_in`, which starts the session (the refresh token
into the OS keyring) and gives the gateway client its token source.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from app.audit import AuditError, AuditTrail, KeyringKeyProvider
from app.audit import default_folder as default_audit_folder
from app.audit.checkpoints import CheckpointPublisher
from app.config.settings import Settings, data_dir
from app.gateway.client import GatewayClient
from app.identity import (
    Browser,
    LoginAttempt,
    Options,
    Provider,
    ProviderSettings,
    SignedIn,
    SystemBrowser,
    TokenSet,
    approval_attempt,
    provider_settings,
    unlock_attempt,
)
from app.identity.errors import SESSION_EXPIRED, IdentityError
from app.inspection.policy import default_policy
from app.isolation.worker import IsolatedWorker
from app.lifecycle import ClosedOnExit
from app.outbox import Outbox
from app.protocol.model import Staff
from app.storage import storage_key
from app.storage.staging import StagingArea
from app.storage.storage_key import StorageKey

log = logging.getLogger(__name__)

OUTBOX_FILE = "outbox.sqlite3"
#: The embedded sandbox's identity provider, under its gateway (the identity contract).
SANDBOX_IDP_PATH = "/sandbox/idp"
SANDBOX_CLIENT_ID = "bifoga"


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
    #: ``render_worker`` (each draws half; see ``app.preview.rendering.render_ahead``). None on a
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
    #: What the staging area, drafts and outbox are sealed with (``app.storage.storage_key``);
    #: None: the process's installed key.
    storage_key: StorageKey | None = field(default=None, repr=False)
    #: The region's identity provider (None: services for widgets that sign nobody in).
    provider: Provider | None = None
    #: Where a login's address is opened: the system browser; tests pass a robot.
    browser: Browser = field(default_factory=SystemBrowser)
    #: The signed-in clinician's session (None before sign-in and after sign-out).
    session: SignedIn | None = field(default=None, repr=False)

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

    # -- identity: the logins the window runs ---------------------------------------------

    def _provider(self) -> Provider:
        if self.provider is None:
            raise IdentityError("identity.provider_unreachable", "no identity provider")
        return self.provider

    def login_attempt(self) -> LoginAttempt:
        """The clinician's sign-in (blocking: the provider's metadata). Always a fresh
        authentication (``prompt=login``): at a shared workstation the browser may still
        hold the previous person's session at the provider."""
        provider = self._provider()
        options = Options(prompt="login", acr_values=provider.settings.acr, offline=self._keeps())
        return LoginAttempt(provider, options)

    def _keeps(self) -> bool:
        """Whether to ask for a refresh token: not when the keyring could not even give
        the storage key (the embedded sandbox on a machine without one goes on with a
        key for this run). A refresh token that cannot be kept is revoked, and the
        provider may revoke its access tokens with it; without one, the session lasts
        as long as its access token, and the clinician then signs in again."""
        key = self.storage_key
        return key is None or not key.for_this_run_only

    def approval_attempt(self, digest: str, sign_message: str) -> LoginAttempt:
        """A colleague's approval of the sign-off with ``digest`` (its nonce)."""
        return approval_attempt(self._provider(), digest, sign_message)

    def unlock_attempt(self, staff_id: str) -> LoginAttempt:
        """The locked window's fresh authentication of ``staff_id``, the signed-in one."""
        session = self.session
        if session is None or session.person.staff_id != staff_id:
            raise IdentityError(SESSION_EXPIRED, "no session of this person")
        return unlock_attempt(session)

    def sign_in(self, tokens: TokenSet) -> Staff:
        """Start the clinician's session from a sign-in's tokens: the refresh token to
        the keyring (the embedded sandbox goes on without one on a machine that has no
        keyring), the client's bearer tokens from it, and who it is from ``GET /v1/me``."""
        session = SignedIn.start(self._provider(), tokens, keyring_optional=self.uses_sandbox)
        self.client.use_token_source(session)
        try:
            staff = self.client.me()
        except BaseException:
            self.client.use_token_source(None)
            session.sign_out()  # revoked: nothing of it is left behind
            raise
        self.session = session
        return staff

    def unlock(self, tokens: TokenSet) -> None:
        """The same person again (``identity.wrong_person`` for anyone else)."""
        if self.session is None:
            raise IdentityError(SESSION_EXPIRED, "signed out")
        self.session.unlock(tokens)

    def end_session(self) -> Callable[[], None] | None:
        """Sign out: the session is this window's no more at once; the returned work
        (for a background thread) sends the sign-out's audit checkpoint, then stops the
        client using the session, revokes its refresh token and ends the provider's
        session in the browser. None: nobody was signed in."""
        session, self.session = self.session, None
        if session is None:
            self.client.use_token_source(None)
            return None
        browser = self.browser
        checkpoints = self._checkpoints

        def end() -> None:
            # The sign-out's audit checkpoint goes first, signed by this session's token
            # (dropping the token first made it fail with 401 on every sign-out).
            if checkpoints is not None:
                checkpoints.flush()
            self.client.release_token_source(session)
            url = session.sign_out()
            if url is not None:
                browser.open(url)

        return end

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
        if self.provider is not None:
            self.provider.close()
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

    The storage key must be installed first (``app.storage.storage_key.install``;
    ``ui.shell.start`` decides what to do when the keyring cannot give it): StorageKeyError
    ``storage.key_not_loaded`` otherwise, before anything starts."""
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
    identity = identity_settings(settings, sandbox)  # a provider not named: before anything
    limits = default_policy().limits  # app.protocol.limits, as the policy has them
    client = GatewayClient(base_url, verify=verify, client_cert=cert, max_bytes=limits.max_bytes)
    provider = Provider(identity, verify=verify)
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
    services.provider = provider
    return services


def identity_settings(settings: Settings, sandbox: EmbeddedGateway | None) -> ProviderSettings:
    """The region's provider as the settings name it; on the embedded sandbox, its own
    (at the path the identity contract fixes, so nothing waits for the sandbox to start).
    :class:`app.config.settings.SettingsError` when a real gateway has no provider named."""
    if sandbox is None:
        return provider_settings(settings)
    idp = {"issuer": sandbox.base_url + SANDBOX_IDP_PATH, "client_id": SANDBOX_CLIENT_ID}
    return provider_settings(settings, idp)
