"""``POST /v1/audit-checkpoints`` (issue 21): the client sends its audit trail's latest
record number and keyed hash, and the sandbox keeps them, off the clinician's machine."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.audit import AuditTrail, Checkpoint, verify_file
from app.audit.checkpoints import CheckpointPublisher
from app.gateway.client import GatewayClient
from app.gateway.errors import GatewayError
from sandbox.runner import SandboxHandle
from sandbox.store import DB_NAME
from tests.gateway.helpers import Raw
from tests.support.signed_client import sign_in

KEY = bytes(range(32))
TRAIL = "a" * 32


def kept(sandbox: SandboxHandle) -> list[tuple[str, int, str, str]]:
    with sqlite3.connect(sandbox.data_dir / DB_NAME) as db:
        rows = db.execute("SELECT trail, seq, hash, staff_id FROM audit_checkpoints ORDER BY seq")
        return list(rows)


def test_the_client_sends_a_checkpoint_and_the_sandbox_keeps_it(
    sandbox: SandboxHandle, client: GatewayClient
) -> None:
    sign_in(client, "anna")
    client.post_audit_checkpoint(TRAIL, 7, "b" * 64, "2026-12-07T10:00:00.000Z")
    client.post_audit_checkpoint(TRAIL, 7, "b" * 64, "2026-12-07T10:00:00.000Z")  # again
    assert kept(sandbox) == [(TRAIL, 7, "b" * 64, "anna")]


def test_a_checkpoint_needs_a_signed_in_client(client: GatewayClient) -> None:
    with pytest.raises(GatewayError) as refused:
        client.post_audit_checkpoint(TRAIL, 1, "b" * 64, "2026-12-07T10:00:00.000Z")
    assert refused.value.status == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"trail": "A" * 32}, "trail"),
        ({"seq": 0}, "seq"),
        ({"seq": True}, "seq"),
        ({"seq": 2**53}, "seq"),
        ({"hash": "b" * 63}, "hash"),
        ({"time": "yesterday"}, "time"),
    ],
)
def test_a_malformed_checkpoint_is_refused_by_field(
    raw: Raw, token: str, body: dict[str, object], field: str
) -> None:
    sound = {"trail": TRAIL, "seq": 3, "hash": "b" * 64, "time": "2026-12-07T10:00:00Z"}
    response = raw.call("POST", "/v1/audit-checkpoints", token, json=sound | body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_a_trail_cut_short_is_caught_against_what_the_gateway_kept(
    sandbox: SandboxHandle, client: GatewayClient, tmp_path: Path
) -> None:
    sign_in(client, "anna")
    folder = tmp_path / "audit"
    with AuditTrail.open(folder, lambda: KEY) as trail:
        publisher = CheckpointPublisher(trail.trail_id, client.post_audit_checkpoint)
        trail.on_record = publisher.noticed
        session = trail.sign_in("anna")
        session.send("msg-1", "reply", "c-1", ["196801029288"], ["c" * 64])
        session.page_seen("c" * 64, 1)
        session.sign_out()
        publisher.close()
        trail_id = trail.trail_id
    (last,) = [row for row in kept(sandbox) if row[1] == 4]
    assert last[0] == trail_id
    path = folder / "trail.jsonl"
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-2]))
    broken = verify_file(path, KEY, Checkpoint(last[1], last[2])).broken
    assert broken is not None and broken.kind == "checkpoint_missing"


def test_flush_waits_for_the_checkpoint_under_way() -> None:
    """A sign-out flushes its checkpoint before the session's token goes (``end_session``):
    ``flush`` returns only once the post has been made."""
    import threading

    from app.audit.records import EventKind, Record

    release = threading.Event()
    posted: list[int] = []

    def post(trail: str, seq: int, hash_: str, time: str) -> None:
        assert release.wait(10)
        posted.append(seq)

    publisher = CheckpointPublisher(TRAIL, post)
    try:
        publisher.noticed(Record(3, "t", EventKind.SIGN_OUT, "x", {}, "p", "h"))
        flushing = threading.Thread(target=publisher.flush)
        flushing.start()
        flushing.join(0.3)
        assert flushing.is_alive() and posted == []  # held by the post under way
        release.set()
        flushing.join(10)
        assert not flushing.is_alive() and posted == [3]
    finally:
        release.set()
        publisher.close()


def test_a_finished_sign_out_releases_only_its_own_session(client: GatewayClient) -> None:
    from app.gateway.client import StaticToken

    leaving, next_one = StaticToken("a"), StaticToken("b")
    client.use_token_source(next_one)  # the next clinician signed in meanwhile
    client.release_token_source(leaving)
    assert client.signed_in
    client.release_token_source(next_one)
    assert not client.signed_in
