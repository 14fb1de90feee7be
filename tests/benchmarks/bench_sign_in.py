"""``sign_in``: from the authorization code reaching the loopback listener to the main
window showing the cases, against the same token request and ``GET /v1/cases`` made with
plain ``requests``; each the median of a few runs, alternated, on the embedded sandbox.

Bifoga's side is the window's real path: the sign-in window's login (its attempt and
loopback listener, waited for on a pool thread), the code exchanged and the id_token
verified, the session started (the refresh token into the keyring, an in-memory one
here), ``GET /v1/me``, then the main window made and shown until its case list is filled
(``GET /v1/cases``). The clock starts when the browser (a robot that has already passed
the provider's login page, untimed) sends the redirect with the code to the listener.
The baseline is the least any client does with a code: one token request with its PKCE
verifier and one ``GET /v1/cases`` with the access token.

A second line, ``sign_in_session``, stops the same runs' clock when the session has
started (the id_token verified, ``GET /v1/me`` answered), before the main window is
built: the identity code's share, against the same baseline (two requests each).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

import requests

from tests.benchmarks.common import BenchContext, line

RUNS = 9


class _TimedRobot:
    """The browser: the provider's page passed untimed, then the clock started as the
    redirect with the code goes to Bifoga's listener."""

    def __init__(self) -> None:
        self.code_sent_at: float | None = None

    def open(self, url: str) -> bool:
        from tests.support.idp_robot import robot_login

        location = robot_login(url, "anna", "1111")
        self.code_sent_at = time.perf_counter()
        requests.get(location, timeout=30, allow_redirects=False)
        return True


def _wait(app: object, done: Callable[[], bool], seconds: float = 60) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        QApplication.processEvents()
        time.sleep(0.0005)


def _bifoga_once(app: object, services: object) -> tuple[float, float]:
    """(to the cases shown, to the session started and the gateway's ``/v1/me`` read)."""
    from app.runtime.services import Services
    from ui.shell.sign_in import SignInDialog
    from ui.window.main_window import MainWindow

    assert isinstance(services, Services)
    robot = _TimedRobot()
    services.browser = robot
    dialog = SignInDialog(services)
    dialog.show()
    dialog.sign_in_button.click()
    _wait(app, lambda: dialog.staff is not None)
    signed_in = time.perf_counter()
    assert dialog.staff is not None
    window = MainWindow(services, dialog.staff)  # what ui.shell.shift does on the accept
    window.show()
    _wait(app, lambda: window.case_list.count() > 0)
    ended = time.perf_counter()
    assert robot.code_sent_at is not None
    window.drafts.discard_all_drafts()
    window.close()
    window.deleteLater()
    dialog.deleteLater()
    services.end_session()  # signed out without the browser: the next run signs in again
    return ended - robot.code_sent_at, signed_in - robot.code_sent_at


def _plain_once(base_url: str) -> float:
    from tests.support.idp_robot import exchange, redirect_params, robot_login, start_flow

    flow = start_flow(f"{base_url}/sandbox/idp")
    code = redirect_params(robot_login(flow.url, "anna", "1111"))["code"]
    with requests.Session() as http:
        started = time.perf_counter()
        tokens = exchange(flow, code, http=http).json()
        cases = http.get(
            f"{base_url}/v1/cases",
            params={"status": "open"},
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
            timeout=30,
        )
        ended = time.perf_counter()
    assert cases.status_code == 200 and cases.json()["cases"], cases.text
    return ended - started


def run(ctx: BenchContext) -> list[str]:
    from PySide6.QtWidgets import QApplication

    from sandbox.embedded import open_services
    from tests.support.keyrings import MemoryKeyring, keyring_backend
    from tests.support.session import test_settings
    from ui.common.workers import wait_for_all

    app = QApplication.instance() or QApplication([])
    folder: Path = ctx.workdir / "sign-in"
    with keyring_backend(MemoryKeyring()):
        services = open_services(test_settings(folder), sandbox_dir=folder / "gw")
        try:
            services.warm_up()
            base_url = services.client.base_url
            _plain_once(base_url)  # each side once untimed: connections, caches, imports
            _bifoga_once(app, services)
            bifoga: list[tuple[float, float]] = []
            plain: list[float] = []
            for _ in range(ctx.repeat(RUNS, 2)):
                bifoga.append(_bifoga_once(app, services))
                plain.append(_plain_once(base_url))
        finally:
            wait_for_all()
            services.close()
    baseline = statistics.median(plain)
    value = statistics.median(whole for whole, _session in bifoga)
    session = statistics.median(session for _whole, session in bifoga)
    return [
        line("sign_in", value, "s", baseline, value / baseline, "ratio<=1.5"),
        # The same runs to the session started: what the identity code adds to the two
        # requests (the rest is the main window built and shown; docs/identity.md).
        line("sign_in_session", session, "s", baseline, session / baseline),
    ]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bifoga-bench-") as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
