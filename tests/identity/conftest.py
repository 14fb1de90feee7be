"""Fixtures: oidc-provider-mock on loopback (a provider nobody here wrote), a fake provider
whose answers each test decides, and an in-memory keyring."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.identity import Provider, ProviderSettings
from tests.support.fake_idp import FakeIdp, running_fake_idp
from tests.support.keyrings import MemoryKeyring
from tests.support.mock_idp import MockIdp, running_mock_idp


@pytest.fixture
def mock_idp(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockIdp]:
    # authlib refuses plain HTTP unless told; the mock is on loopback.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with running_mock_idp() as idp:
        yield idp


@pytest.fixture
def mock_provider(mock_idp: MockIdp) -> Iterator[Provider]:
    # The mock issues no acr unless a user's claims say so; these do (loa3).
    with Provider(ProviderSettings(mock_idp.issuer, "bifoga")) as provider:
        yield provider


@pytest.fixture
def fake_idp() -> Iterator[FakeIdp]:
    with running_fake_idp() as idp:
        yield idp


@pytest.fixture
def fake_provider(fake_idp: FakeIdp) -> Iterator[Provider]:
    with Provider(ProviderSettings(fake_idp.issuer, "bifoga")) as provider:
        yield provider


@pytest.fixture
def memory_keyring() -> MemoryKeyring:
    return MemoryKeyring()
