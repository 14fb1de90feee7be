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
