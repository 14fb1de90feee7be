"""The embedded sandbox starts in the background: its address is known at once, a request
made before it serves is answered once it does, and one that cannot start refuses
requests rather than leave them waiting. It is started in one place
(``sandbox.embedded.open_services``), exactly when the settings ask for it."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from app.runtime.services import EmbeddedGateway
from sandbox.embedded import EmbeddedSandbox


def test_a_request_made_while_it_starts_is_answered(tmp_path: Path) -> None:
    with EmbeddedSandbox(tmp_path / "gw") as sandbox:
        # At once, before it can have started: the request waits in the socket's queue.
        answer = requests.get(sandbox.base_url + "/sandbox/ledger", timeout=30)
        assert answer.status_code == 200
        assert sandbox.wait_started()
        directory = requests.get(
            sandbox.base_url + "/sandbox/", headers={"Accept": "application/json"}, timeout=30
        ).json()
        assert {member["staff_id"] for member in directory["staff"]} >= {"anna", "bertil"}


def test_a_sandbox_that_cannot_start_refuses_requests(tmp_path: Path) -> None:
    blocked = tmp_path / "gw"
    blocked.write_text("a file where its folder should be")  # so its database cannot open
    sandbox = EmbeddedSandbox(blocked)
    try:
        assert not sandbox.wait_started()
        with pytest.raises(requests.ConnectionError):
            requests.get(sandbox.base_url + "/sandbox/ledger", timeout=5)
    finally:
        sandbox.stop()  # nothing to stop: returns at once


def test_a_sandbox_folder_made_for_the_window_is_private_and_goes_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import stat
    import tempfile

    from sandbox.embedded import open_services
    from tests.support.session import test_settings

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    services = open_services(test_settings(tmp_path))  # no folder given: one of its own
    try:
        assert isinstance(services.sandbox, EmbeddedSandbox) and services.sandbox.wait_started()
        folder = services.sandbox.data_dir
        assert folder.parent == tmp_path / "tmp"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert any(folder.iterdir()), "the sandbox keeps its data there"
    finally:
        services.close()
    assert not folder.exists(), "every file it was sent is gone with the window"


def test_a_sandbox_folder_given_is_kept(tmp_path: Path) -> None:
    from sandbox.embedded import open_services
    from tests.support.session import test_settings

    services = open_services(test_settings(tmp_path), sandbox_dir=tmp_path / "gw")
    services.close()
    assert (tmp_path / "gw").is_dir()


def test_the_core_takes_a_sandbox_exactly_when_the_settings_ask_for_one(
    tmp_path: Path,
) -> None:
    from app.runtime.services import open_services
    from tests.support.session import test_settings

    class Started:
        base_url = "http://127.0.0.1:9"
        stopped = False

        def stop(self) -> None:
            self.stopped = True

    asked = test_settings(tmp_path)
    with pytest.raises(ValueError):
        open_services(asked)  # asked for, but nobody started one
    named = test_settings(tmp_path, gateway_url="https://gateway.invalid")
    started = Started()
    with pytest.raises(ValueError):
        open_services(named, sandbox=started)  # a gateway named: never the sandbox
    gateway: EmbeddedGateway = started
    with open_services(asked, sandbox=gateway) as services:
        assert services.client.base_url == started.base_url
    assert started.stopped, "the services stop the sandbox they were given"


def test_a_start_that_fails_stops_the_sandbox_it_started(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import app.runtime.services
    from sandbox.embedded import open_services
    from tests.support.session import test_settings

    started: list[str] = []

    def failing(settings: object, *, sandbox: EmbeddedSandbox, outbox_path: object) -> None:
        assert sandbox.wait_started()  # serving, so a sandbox left behind would show
        started.append(sandbox.base_url)
        raise OSError("the staging area cannot be made")

    def serving() -> set[threading.Thread]:  # a sandbox's server thread is named by its port
        return {
            thread
            for thread in threading.enumerate()
            if thread.name.removeprefix("bifoga-sandbox-").isdigit()
        }

    before = serving()
    monkeypatch.setattr(app.runtime.services, "open_services", failing)
    with pytest.raises(OSError):
        open_services(test_settings(tmp_path), sandbox_dir=tmp_path / "gw")
    assert serving() - before == set(), "no sandbox left serving behind a failed start"
    with pytest.raises(requests.ConnectionError):
        requests.get(started[0] + "/sandbox/ledger", timeout=5)
