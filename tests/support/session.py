"""A real Bifoga session for UI and end-to-end tests: the embedded sandbox gateway on
loopback, real worker processes, and a staging area in the test's own folder; and a
clinician signed in without a window (:func:`sign_in_as`), for tools that open the main
window directly (benchmarks, screenshots)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from app.config.settings import SANDBOX, Settings
from app.protocol.model import Staff
from app.runtime.services import Services
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
        from ui.common.workers import wait_for_all

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
