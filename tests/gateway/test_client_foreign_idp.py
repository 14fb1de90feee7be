"""Against an identity provider nobody here wrote: oidc-provider-mock (PyPI) as the issuer,
the sandbox gateway told to trust it (``TrustSettings``, as ``bifoga sandbox --issuer URL
--audience AUD --client-id ID``). Bifoga's client signs in there through its real
loopback listener, and the gateway accepts its calls."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway.client import GatewayClient
from app.gateway.errors import GatewayError
from app.identity import Provider, ProviderSettings, SignedIn, sign_in_attempt
from sandbox.runner import SandboxHandle, start_sandbox
from sandbox.trust import TrustSettings
from tests.support.keyrings import MemoryKeyring
from tests.support.mock_idp import MOCK_WARNINGS, MockBrowser, MockIdp, running_mock_idp

pytestmark = MOCK_WARNINGS


@pytest.fixture
def mock_idp(monkeypatch: pytest.MonkeyPatch) -> Iterator[MockIdp]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain HTTP on loopback
    with running_mock_idp() as idp:
        yield idp


@pytest.fixture
def trusting_sandbox(mock_idp: MockIdp, tmp_path: Path) -> Iterator[SandboxHandle]:
    trust = TrustSettings(issuer=mock_idp.issuer, client_id="bifoga")
    handle = start_sandbox(data_dir=tmp_path / "sandbox", trust=trust)
    try:
        yield handle
    finally:
        handle.stop()


def test_bifoga_signs_in_at_a_foreign_provider_and_the_gateway_takes_its_token(
    mock_idp: MockIdp, trusting_sandbox: SandboxHandle
) -> None:
    assert trusting_sandbox.trusted_issuer == mock_idp.issuer
    with Provider(ProviderSettings(mock_idp.issuer, "bifoga")) as provider:
        attempt = sign_in_attempt(provider)
        MockBrowser("anna").open(attempt.url)
        session = SignedIn.start(provider, attempt.wait(), keyring=MemoryKeyring())
        with GatewayClient(trusting_sandbox.base_url, token_source=session) as client:
            staff = client.me()
            assert staff.staff_id == "anna" and staff.name == "Anna Andersson"
            assert client.open_cases()
            session.sign_out()
            with pytest.raises(GatewayError) as signed_out:
                client.open_cases()
        assert signed_out.value.status == 401
