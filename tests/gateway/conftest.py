"""Fixtures: a real sandbox on loopback per test (stopped afterwards), its clock, raw HTTP,
and a client whose retries record their waits instead of sleeping."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway.client import GatewayClient, RetryPolicy
from sandbox.runner import SandboxHandle, start_sandbox
from tests.gateway.helpers import FakeClock, Raw, RecordingSleep


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock, tmp_path: Path) -> Iterator[SandboxHandle]:
    # Access tokens for an hour: tests move the clock past a sign-off's 15 minutes and
    # keep their token (its own expiry is tested with a token minted for it).
    handle = start_sandbox(
        data_dir=tmp_path / "sandbox", clock=clock, slow_delay_s=1.0, access_token_ttl_s=3600
    )
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def raw(sandbox: SandboxHandle) -> Iterator[Raw]:
    helper = Raw(sandbox.base_url)
    yield helper
    helper.close()


@pytest.fixture
def token(raw: Raw) -> str:
    return raw.token("anna")


@pytest.fixture
def fake_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
def client(sandbox: SandboxHandle, fake_sleep: RecordingSleep) -> Iterator[GatewayClient]:
    with GatewayClient(
        sandbox.base_url,
        read_timeout=5.0,
        sleep=fake_sleep,
        retry=RetryPolicy(max_attempts=5, max_total_s=30.0),
    ) as gateway:
        yield gateway
