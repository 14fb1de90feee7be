"""A gateway that stops while processing a message never leaves its key stuck
(docs/protocol.md 1.1): the sandbox's store frees keys left "processing" when it opens, and
keeps every finished key's answer for replays."""

from __future__ import annotations

import uuid
from pathlib import Path

from sandbox.runner import start_sandbox
from sandbox.store import DB_NAME, Store
from tests.gateway.helpers import KARIN, Raw, codes, reply


def test_a_key_left_processing_is_free_after_a_restart_and_a_done_one_is_kept(
    tmp_path: Path,
) -> None:
    store = Store(tmp_path / DB_NAME)
    store.claim_idempotency("anna", "left-in-flight", "f1", "2026-01-01T00:00:00Z")
    store.claim_idempotency("anna", "finished", "f2", "2026-01-01T00:00:00Z")
    store.finish_idempotency("anna", "finished", 201, '{"message_id": "msg_1"}')
    store.close()  # as a killed gateway leaves it: nothing ran after the claim

    reopened = Store(tmp_path / DB_NAME)
    try:
        assert reopened.idempotency("anna", "left-in-flight") is None
        kept = reopened.idempotency("anna", "finished")
        assert kept is not None and (kept.state, kept.status) == ("done", 201)
    finally:
        reopened.close()


def test_the_same_key_and_body_make_the_message_after_the_restart(tmp_path: Path) -> None:
    data = tmp_path / "gateway"
    key = str(uuid.uuid4())
    data.mkdir()
    store = Store(data / DB_NAME)
    # The claim a request makes before it is processed, and nothing after it.
    store.claim_idempotency("anna", key, "fingerprint", "2026-01-01T00:00:00Z")
    store.close()
    with start_sandbox(data_dir=data) as handle:
        raw = Raw(handle.base_url)
        token = raw.token("anna")
        first = raw.send(token, reply(), key)
        assert first.status_code == 201, codes(first)
        again = raw.send(token, reply(), key)
        assert again.headers["Idempotent-Replayed"] == "true"
        assert [d["resident_id"] for d in raw.ledger()] == [KARIN]
        raw.close()
