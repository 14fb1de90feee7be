"""The embedded sandbox starts in the background: its address is known at once, a request
made before it serves is answered once it does, and one that cannot start refuses
requests rather than leave them waiting."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from app.gateway.client import GatewayClient
from app.gateway.embedded import EmbeddedSandbox


def test_a_request_made_while_it_starts_is_answered(tmp_path: Path) -> None:
    with EmbeddedSandbox(tmp_path / "gw") as sandbox:
        # At once, before it can have started: the request waits in the socket's queue.
        answer = requests.get(sandbox.base_url + "/sandbox/ledger", timeout=30)
        assert answer.status_code == 200
        assert sandbox.wait_started()
        staff, _residents = GatewayClient(sandbox.base_url).sandbox_directory()
        assert {member.staff_id for member in staff} >= {"anna", "bertil"}


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

    from app.services import open_services
    from tests.support.session import test_settings

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    services = open_services(test_settings(tmp_path))  # no folder given: one of its own
    try:
        assert services.sandbox is not None and services.sandbox.wait_started()
        folder = services.sandbox.data_dir
        assert folder.parent == tmp_path / "tmp"
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert any(folder.iterdir()), "the sandbox keeps its data there"
    finally:
        services.close()
    assert not folder.exists(), "every file it was sent is gone with the window"


def test_a_sandbox_folder_given_is_kept(tmp_path: Path) -> None:
    from app.services import open_services
    from tests.support.session import test_settings

    services = open_services(test_settings(tmp_path), sandbox_dir=tmp_path / "gw")
    services.close()
    assert (tmp_path / "gw").is_dir()
