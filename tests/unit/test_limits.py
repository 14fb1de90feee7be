"""One home per rule: the limits (app.protocol.limits, lowered by a policy, never raised) and the
statuses worth another try (app.gateway.answers.RETRY_STATUSES, for the client and the
outbox alike)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.gateway.answers import RETRY_STATUSES, worth_retrying
from app.gateway.errors import GatewayError
from app.inspection.policy import PolicyError, default_policy, load_policy
from app.outbox import delivery
from app.protocol import limits
from app.send import send_gate
from tests.unit.test_send_gate import attachment, ready_reply

ROOT = Path(__file__).resolve().parents[2]


def test_the_twenty_mib_limit_has_one_home() -> None:
    assert default_policy().limits.max_bytes == limits.MAX_ATTACHMENT_BYTES == 20 * 1024 * 1024
    shipped = json.loads((ROOT / "resources" / "policy.json").read_text(encoding="utf-8"))
    assert "max_bytes" not in shipped["limits"], "the shipped policy does not restate it"
    for module in ("app/protocol/model.py", "app/inspection/policy.py", "app/runtime/services.py"):
        source = (ROOT / module).read_text(encoding="utf-8")
        assert "20 * 1024 * 1024" not in source, module


def _policy(tmp_path: Path, **values: float) -> Path:
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"limits": values}), encoding="utf-8")
    return path


def test_a_policy_may_lower_the_gateway_limits_but_not_raise_them(tmp_path: Path) -> None:
    lowered = load_policy(_policy(tmp_path, max_bytes=1024, max_files=3)).limits
    assert (lowered.max_bytes, lowered.max_files) == (1024, 3)
    for name, value in (("max_bytes", limits.MAX_ATTACHMENT_BYTES + 1), ("max_files", 11)):
        with pytest.raises(PolicyError, match="only be lowered"):
            load_policy(_policy(tmp_path, **{name: value}))


def test_the_send_gate_applies_the_policys_max_files(tmp_path: Path) -> None:
    files = [attachment(f"{n}.pdf") for n in "abc"]
    assert "send.too_many_attachments" not in [
        r.code for r in send_gate.reasons(ready_reply(*files))
    ]
    lowered = load_policy(_policy(tmp_path, max_files=2)).limits
    found = send_gate.reasons(ready_reply(*files), limits=lowered)
    too_many = [r for r in found if r.code == "send.too_many_attachments"]
    assert [r.param_dict for r in too_many] == [{"limit": 2}]


@pytest.mark.parametrize("status", [408, 409, 425, 429, 500, 502, 503, 504])
def test_the_client_and_the_outbox_retry_the_same_statuses(status: int) -> None:
    error = GatewayError(status, ("x",), "x")
    assert status in RETRY_STATUSES
    assert worth_retrying(error)
    assert delivery._verdict(error) is delivery._Verdict.TRANSIENT


@pytest.mark.parametrize("status", [400, 403, 404, 413, 422])
def test_a_refusal_is_retried_by_neither(status: int) -> None:
    error = GatewayError(status, ("x",), "x")
    assert not worth_retrying(error)
    assert delivery._verdict(error) is delivery._Verdict.REFUSED


def test_the_gateway_client_refuses_a_file_over_the_limit_before_sending_it() -> None:
    """The same limit, at the last step: nothing is sent (no gateway listens here; a
    try would fail as ``network``, not as too large)."""
    from app.gateway.client import GatewayClient

    client = GatewayClient("https://127.0.0.1:9", max_bytes=10)
    with client, pytest.raises(GatewayError) as refused:
        client.upload_attachment(b"%PDF-" + b"0" * 6, "0" * 64, "application/pdf")
    assert (refused.value.status, refused.value.codes) == (413, ("payload_too_large",))
    assert GatewayClient("https://127.0.0.1:9")._max_bytes == limits.MAX_ATTACHMENT_BYTES
