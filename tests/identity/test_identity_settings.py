"""The region names its identity provider in the settings (mostly its policy file): the
issuer, Bifoga's client id, the scopes and the required acr, each checked on load."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.config import settings as settings_module
from app.config import texts
from app.config.settings import Settings, SettingsError
from app.identity import ProviderSettings, provider_settings

GATEWAY = "https://gateway.region.example"


def _load(tmp_path: Path, user: dict[str, Any], policy: dict[str, Any] | None = None) -> Settings:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"gateway_url": GATEWAY, **user}), encoding="utf-8")
    policy_path = tmp_path / "policy.json"
    if policy is not None:
        policy_path.write_text(json.dumps(policy), encoding="utf-8")
    return settings_module.load(path, policy_path=policy_path)


def _codes(tmp_path: Path, user: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, user)
    return [(p.field, p.code) for p in raised.value.problems]


def test_the_region_defaults_name_bifoga_and_loa3(tmp_path: Path) -> None:
    loaded = _load(tmp_path, {}, {"idp_issuer": "https://idp.region.example"})
    assert provider_settings(loaded) == ProviderSettings(
        issuer="https://idp.region.example",
        client_id="bifoga",
        scopes=("openid", "profile", "offline_access"),
        acr="http://id.sambi.se/loa/loa3",
    )
    assert "idp_issuer" in loaded.set_by_region


def test_a_region_sets_its_own_client_scopes_and_acr(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        {},
        {
            "idp_issuer": "https://idp.region.example/oidc",
            "idp_client_id": "region-bifoga",
            "idp_scopes": ["openid", "profile"],
            "idp_acr": "",
        },
    )
    chosen = provider_settings(loaded)
    assert chosen.client_id == "region-bifoga"
    assert chosen.scopes == ("openid", "profile")
    assert chosen.acr is None


def test_the_sandbox_names_its_own_provider(tmp_path: Path) -> None:
    sandbox = settings_module.load(tmp_path / "none.json", sandbox=True)
    chosen = provider_settings(
        sandbox, {"issuer": "http://127.0.0.1:5000/sandbox/idp", "client_id": "bifoga"}
    )
    assert chosen.issuer == "http://127.0.0.1:5000/sandbox/idp"
    assert chosen.acr == "http://id.sambi.se/loa/loa3"


def test_no_issuer_for_a_real_gateway_is_a_problem_with_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        provider_settings(_load(tmp_path, {}))
    (problem,) = raised.value.problems
    assert (problem.field, problem.code) == ("idp_issuer", "settings.idp_missing")
    assert "inloggningstjänstens adress" in problem.text("sv")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"idp_issuer": "http://idp.region.example"}, ("idp_issuer", "settings.issuer_not_https")),
        ({"idp_issuer": "sandbox"}, ("idp_issuer", "settings.issuer_not_https")),
        ({"idp_scopes": ["profile"]}, ("idp_scopes", "settings.scopes_without_openid")),
        ({"idp_scopes": "openid profile"}, ("idp_scopes", "settings.wrong_type")),
        ({"idp_scopes": ["openid", "two words"]}, ("idp_scopes[1]", "settings.wrong_type")),
        ({"idp_acr": 3}, ("idp_acr", "settings.wrong_type")),
        ({"idp_client_id": None}, ("idp_client_id", "settings.wrong_type")),
    ],
)
def test_wrong_identity_settings_are_refused(
    tmp_path: Path, values: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert _codes(tmp_path, values) == [expected]
    assert texts.has_message(expected[1])


def test_loopback_http_is_a_test_provider(tmp_path: Path) -> None:
    loaded = _load(tmp_path, {"idp_issuer": "http://127.0.0.1:8080/idp"})
    assert provider_settings(loaded).issuer == "http://127.0.0.1:8080/idp"
