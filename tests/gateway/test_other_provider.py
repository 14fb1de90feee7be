"""Against an identity provider nobody here wrote: oidc-provider-mock (PyPI) as the issuer,
the sandbox gateway told to trust it (``--issuer``). Its access tokens are opaque, so the
gateway asks its userinfo endpoint; it knows nothing of units or Bifoga's roles, so the
sandbox's directory fills them in by the subject (docs/gateway.md, "Another provider")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from oidc_provider_mock import run_server_in_thread

from app.protocol.review import subject_digest
from sandbox.cli import main
from sandbox.runner import SandboxHandle, start_sandbox
from sandbox.trust import TrustSettings
from tests.gateway.helpers import (
    LUND,
    Raw,
    attachment_json,
    codes,
    pdf_blob,
    reply,
    subject_of,
)
from tests.support.idp_robot import redirect_params, sandbox_tokens, start_flow
from tests.support.processes import sandbox_process

_REPO = Path(__file__).resolve().parents[2]
LOA3 = "http://id.sambi.se/loa/loa3"


@pytest.fixture
def mock_issuer() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def _trusting(issuer: str, data_dir: Path, acr: str | None = None) -> SandboxHandle:
    trust = TrustSettings(
        issuer=issuer, audience="bifoga-gateway", client_id="bifoga", required_acr=acr
    )
    return start_sandbox(data_dir=data_dir, trust=trust)


@pytest.fixture
def sandbox_trusting_mock(mock_issuer: str, tmp_path: Path) -> Iterator[SandboxHandle]:
    with _trusting(mock_issuer, tmp_path / "gw") as handle:
        yield handle


def mock_tokens(issuer: str, sub: str, nonce: str | None = None) -> dict[str, Any]:
    """The code flow at the mock: its page takes any subject (no PIN). It has no public
    clients at its token endpoint, so the test authenticates with a secret it accepts."""
    meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
    flow = start_flow(issuer, scope="openid profile", nonce=nonce)
    query = flow.url.split("?", 1)[1]
    answer = requests.post(
        f"{meta['authorization_endpoint']}?{query}",
        data={"sub": sub},
        allow_redirects=False,
        timeout=10,
    )
    params = redirect_params(answer.headers["Location"])
    assert params["state"] == flow.state
    tokens = requests.post(
        meta["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": params["code"],
            "redirect_uri": flow.redirect_uri,
            "client_id": "bifoga",
            "client_secret": "mock-accepts-any",
            "code_verifier": flow.verifier,
        },
        timeout=10,
    )
    assert tokens.status_code == 200, tokens.text
    body: dict[str, Any] = tokens.json()
    return body


def test_its_tokens_are_accepted_and_the_directory_fills_in(
    mock_issuer: str, sandbox_trusting_mock: SandboxHandle
) -> None:
    token = mock_tokens(mock_issuer, "anna")["access_token"]
    assert token.count(".") != 2  # opaque: the gateway must ask the provider
    with Raw(sandbox_trusting_mock.base_url) as raw:
        me = raw.call("GET", "/v1/me", token)
        assert me.status_code == 200, me.text
        assert me.json() == {
            "staff_id": "anna",
            "name": "Anna Andersson",
            "unit": LUND,
            "roles": ["sender", "reviewer"],
        }
        cases = raw.call("GET", "/v1/cases", token).json()["cases"]
        assert cases and all(c["case_id"].startswith("2024-1") for c in cases)
        directory = raw.call("GET", "/sandbox/", headers={"Accept": "application/json"}).json()
        assert directory["idp"] == {"issuer": mock_issuer, "client_id": "bifoga"}
        # The built-in provider still runs, but is not trusted now.
        own = sandbox_tokens(sandbox_trusting_mock.base_url, "anna")["access_token"]
        refused = raw.call("GET", "/v1/me", own)
        assert refused.status_code == 401 and codes(refused) == ["invalid_token"]
        assert raw.call("GET", "/v1/me", "made-up").status_code == 401


def test_a_person_the_directory_does_not_know_needs_the_claims(
    mock_issuer: str, sandbox_trusting_mock: SandboxHandle
) -> None:
    with Raw(sandbox_trusting_mock.base_url) as raw:
        unknown = raw.call("GET", "/v1/me", mock_tokens(mock_issuer, "zoe")["access_token"])
        assert unknown.status_code == 401 and codes(unknown) == ["invalid_token"]
        claims = {"name": "Zoe Zetterberg", "healthCareUnitHsaId": LUND, "bifoga_roles": ["sender"]}
        assert requests.put(f"{mock_issuer}/users/zoe", json=claims, timeout=10).ok
        known = raw.call("GET", "/v1/me", mock_tokens(mock_issuer, "zoe")["access_token"])
        assert known.status_code == 200, known.text
        assert known.json() == {
            "staff_id": "zoe",
            "name": "Zoe Zetterberg",
            "unit": LUND,
            "roles": ["sender"],
        }


def test_its_id_token_approves_a_sign_off(
    mock_issuer: str, sandbox_trusting_mock: SandboxHandle, tmp_path: Path
) -> None:
    subject = subject_of(reply([attachment_json(pdf_blob(), personal_data=True)]))
    digest = subject_digest(subject)
    anna = mock_tokens(mock_issuer, "anna")["access_token"]
    approval = mock_tokens(mock_issuer, "bertil", nonce=digest)["id_token"]
    with Raw(sandbox_trusting_mock.base_url) as raw:
        review = raw.review(anna, subject, approval=approval)
        assert review.status_code == 201, review.text
        assert review.json()["reviewer"] == {"staff_id": "bertil", "name": "Bertil Berg"}
        again = raw.review(anna, subject, approval=approval)
        assert again.status_code == 409 and codes(again) == ["approval_reused"]
    # A gateway that requires SITHS level 3 refuses it: the mock says no acr at all.
    with (
        _trusting(mock_issuer, tmp_path / "strict", acr=LOA3) as strict,
        Raw(strict.base_url) as raw,
    ):
        fresh = mock_tokens(mock_issuer, "bertil", nonce=digest)["id_token"]
        weak = raw.review(anna, subject, approval=fresh)
        assert weak.status_code == 403 and codes(weak) == ["approval_weak"]


def test_an_issuer_that_cannot_be_reached_stops_the_start() -> None:
    with pytest.raises(requests.ConnectionError):
        start_sandbox(trust=TrustSettings(issuer="http://127.0.0.1:9"))
    assert main(["--issuer", "http://127.0.0.1:9"]) == 1


def test_bifoga_sandbox_issuer_trusts_the_provider(mock_issuer: str, tmp_path: Path) -> None:
    args = ["--issuer", mock_issuer, "--audience", "bifoga-gateway", "--client-id", "bifoga"]
    with sandbox_process(tmp_path / "gw", tmp_path / "gw.log", extra=args) as (child, base_url):
        token = mock_tokens(mock_issuer, "cecilia")["access_token"]
        me = requests.get(
            f"{base_url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.status_code == 200 and me.json()["staff_id"] == "cecilia"
        child.process.terminate()
        assert child.process.wait(timeout=10) == 0
