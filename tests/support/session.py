"""A real Bifoga session for UI and end-to-end tests: the embedded sandbox gateway on
loopback, real worker processes, and a staging area in the test's own folder; and a
clinician signed in without a window (:func:`sign_in_as`), for tools that open the main
window directly (benchmarks, screenshots); and bearer tokens for a gateway client used
without Services (:class:`RobotTokens`) and a colleague's approval (:func:`approval_of`),
both from the sandbox's identity provider by robot."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.model import Staff
from app.services import Services
from app.settings import SANDBOX, Settings
from sandbox.embedded import open_services


def test_settings(tmp_path: Path, **overrides: object) -> Settings:
    settings = Settings(
        gateway_url=SANDBOX,  # asked for explicitly: an empty gateway_url starts nothing
        staging_dir=str(tmp_path / "staging"),
        # Seen-tracking still runs for real, just with a short dwell so tests are quick.
        seen_dwell_ms=60,
        worker_timeout_s=30,
    )
    for name, value in overrides.items():
        setattr(settings, name, value)
    return settings


@contextmanager
def running_services(tmp_path: Path, **overrides: object) -> Iterator[Services]:
    services = open_services(test_settings(tmp_path, **overrides), sandbox_dir=tmp_path / "gw")
    services.warm_up()
    try:
        yield services
    finally:
        from ui.workers import wait_for_all

        wait_for_all()
        services.close()


def sign_in_as(services: Services, staff_id: str, pin: str) -> Staff:
    """``staff_id`` signed in as the window does it, without the window: the services'
    own login attempt and loopback listener, the robot browser at the sandbox's provider
    (tests/support/idp_robot.py), then the session started."""
    import threading

    from tests.support.idp_robot import robot_browser

    attempt = services.login_attempt()
    browser = robot_browser(staff_id, pin)
    opened = threading.Thread(target=browser.open, args=(attempt.url,), name="robot-browser")
    opened.start()
    try:
        tokens = attempt.wait()
    finally:
        opened.join(30)
    return services.sign_in(tokens)


@dataclass
class RobotTokens:
    """A gateway client's token source (``app.gateway.client.TokenSource``) without a
    window or a keyring: ``staff_id`` logs in at the sandbox's provider by robot (the
    card's PIN is the sandbox's public demo data); a refresh logs in again, so a gateway
    restarted with a new signing key is signed in to afresh."""

    base_url: str
    staff_id: str
    _token: str | None = field(default=None, repr=False)

    def access_token(self) -> str:
        if self._token is None:
            return self.refresh()
        return self._token

    def refresh(self, rejected: str | None = None) -> str:
        from tests.support.idp_robot import sandbox_tokens

        answer = sandbox_tokens(self.base_url, self.staff_id, scope="openid profile")
        self._token = str(answer["access_token"])
        return self._token


def approval_of(base_url: str, reviewer: str, digest: str) -> str:
    """``reviewer``'s approval of the sign-off with ``digest``: the id_token of a fresh
    login bound to it (``nonce``), as the sign-off dialog gets it from the provider."""
    from tests.support.idp_robot import sandbox_tokens

    answer = sandbox_tokens(
        base_url, reviewer, scope="openid profile", nonce=digest, prompt="login", max_age="0"
    )
    return str(answer["id_token"])
