"""The settings are checked on load: every problem names its file and field with a code
that has a sentence, nothing falls back to defaults, and the sandbox runs only when asked."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest

from app.config import settings as settings_module
from app.config import texts
from app.config.settings import REGISTRY, SANDBOX, Contact, Settings, SettingsError, SettingsProblem

GATEWAY = "https://gateway.region.example"


def _write(path: Path, values: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")
    return path


def _load(tmp_path: Path, values: Any = None, policy: Any = None, **kwargs: Any) -> Settings:
    user = tmp_path / "settings.json"
    if values is not None:
        _write(user, values)
    policy_path = tmp_path / "policy.json"
    if policy is not None:
        _write(policy_path, policy)
    return settings_module.load(user, policy_path=policy_path, **kwargs)


def _problems(
    tmp_path: Path, values: Any = None, policy: Any = None, **kwargs: Any
) -> list[tuple[str, str, str]]:
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, values, policy, **kwargs)
    return [(Path(p.file).name, p.field, p.code) for p in raised.value.problems]


def test_a_complete_file_loads_with_its_types(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        {
            "gateway_url": GATEWAY,
            "retention_hours": 12,
            "seen_dwell_ms": 900,
            "language": "en",
            "clinic_phone_numbers": ["040-123 45 67"],
            "contacts": [{"role": "manager", "name": "Chefen", "phone": "040-33 33 33"}],
        },
    )
    assert loaded.gateway_url == GATEWAY and not loaded.uses_sandbox
    assert loaded.retention_hours == 12.0 and isinstance(loaded.retention_hours, float)
    assert loaded.seen_dwell_ms == 900 and loaded.language == "en"
    assert loaded.contacts == [Contact("manager", "Chefen", "040-33 33 33")]
    assert loaded.set_by_region == frozenset()


def test_a_missing_file_is_an_error_unless_the_sandbox_is_asked_for(tmp_path: Path) -> None:
    assert _problems(tmp_path) == [("settings.json", "", "settings.missing_file")]
    loaded = _load(tmp_path, sandbox=True)
    assert loaded.uses_sandbox and loaded.gateway_url == SANDBOX


def test_an_empty_gateway_is_a_configuration_error_not_a_sandbox(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"gateway_url": ""}) == [
        ("settings.json", "gateway_url", "settings.gateway_missing")
    ]
    assert _problems(tmp_path, {"language": "sv"}) == [
        ("settings.json", "gateway_url", "settings.gateway_missing")
    ]
    assert _load(tmp_path, {"gateway_url": "sandbox"}).uses_sandbox


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("seen_dwell_ms", "700", "settings.wrong_type"),
        ("seen_dwell_ms", True, "settings.wrong_type"),
        ("seen_dwell_ms", 7.5, "settings.wrong_type"),
        ("retention_hours", "24", "settings.wrong_type"),
        ("retention_hours", 0, "settings.out_of_range"),
        ("retention_hours", 100, "settings.out_of_range"),
        ("readable_scale", 50, "settings.out_of_range"),
        ("language", "de", "settings.unknown_choice"),
        ("language", 1, "settings.wrong_type"),
        ("care_provider", "both", "settings.unknown_choice"),
        ("clinic_phone_numbers", "040-12 34 56", "settings.wrong_type"),
        ("contacts", {"role": "manager"}, "settings.wrong_type"),
        ("ca_bundle", "/no/such/bundle.pem", "settings.file_not_found"),
        ("service_portal_url", "http://portal.example", "settings.url_not_https"),
        ("max_retention_hours", 12, "settings.policy_only"),
        ("gateway_ulr", GATEWAY, "settings.unknown_field"),
    ],
)
def test_a_wrong_value_names_its_field(tmp_path: Path, field: str, value: Any, code: str) -> None:
    assert _problems(tmp_path, {"gateway_url": GATEWAY, field: value}) == [
        ("settings.json", field, code)
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://gateway.region.example",
        "ftp://gateway.region.example",
        "gateway.example",
        "https://",
    ],
)
def test_a_gateway_must_be_https_except_on_loopback(tmp_path: Path, url: str) -> None:
    assert _problems(tmp_path, {"gateway_url": url}) == [
        ("settings.json", "gateway_url", "settings.gateway_not_https")
    ]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9"])
def test_plain_http_is_allowed_to_this_machine_only(tmp_path: Path, url: str) -> None:
    assert _load(tmp_path, {"gateway_url": url}).gateway_url == url


def test_parts_of_lists_are_named_by_their_place(tmp_path: Path) -> None:
    values = {
        "gateway_url": GATEWAY,
        "clinic_phone_numbers": ["040-12 34 56", "ring mig", 40],
        "contacts": ["chefen", {"role": "manager", "phone": "x", "fax": "1"}],
    }
    assert sorted(_problems(tmp_path, values)) == sorted(
        [
            ("settings.json", "clinic_phone_numbers[1]", "settings.bad_phone"),
            ("settings.json", "clinic_phone_numbers[2]", "settings.wrong_type"),
            ("settings.json", "contacts[0]", "settings.wrong_type"),
            ("settings.json", "contacts[1].phone", "settings.bad_phone"),
            ("settings.json", "contacts[1].fax", "settings.unknown_field"),
            ("settings.json", "contacts[1].name", "settings.missing_value"),
        ]
    )


def test_a_file_that_is_not_settings_is_an_error_not_defaults(tmp_path: Path) -> None:
    user = tmp_path / "settings.json"
    user.write_text('{"gateway_url": "https://gw.example",\n  "language": }', encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        settings_module.load(user, policy_path=tmp_path / "none.json")
    [problem] = raised.value.problems
    assert (problem.code, problem.params["line"]) == ("settings.not_json", "2")
    assert _problems(tmp_path, [GATEWAY]) == [("settings.json", "", "settings.not_object")]
    user.unlink()
    user.mkdir()  # a folder where the file should be: it cannot be read
    assert _problems(tmp_path) == [("settings.json", "", "settings.unreadable")]


def test_the_sentence_names_the_file_and_the_field_in_swedish(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as raised:
        _load(tmp_path, {"gateway_url": GATEWAY, "seen_dwell_ms": "700"})
    [problem] = raised.value.problems
    text = problem.text("sv")
    assert str(tmp_path / "settings.json") in text and "seen_dwell_ms" in text
    assert "heltal" in text and "{" not in text
    assert "whole number" in problem.text("en")


def test_every_problem_code_and_kind_has_a_sentence_in_both_languages() -> None:
    source = Path(settings_module.__file__).read_text(encoding="utf-8")
    used = set(re.findall(r'"(settings\.[a-z_]+)"', source)) - {"settings.json"}  # the file
    assert "settings.wrong_type" in used and used <= set(settings_module.PROBLEM_CODES)
    kinds = {f"settings.kind.{k}" for k in ("int", "number", "text", "list", "contact")}
    catalogue = texts.catalogue()
    for code in (*settings_module.PROBLEM_CODES, *kinds):
        assert set(catalogue.get(code, {})) == {"sv", "en"}, code


def test_the_registry_covers_every_setting_and_only_settings() -> None:
    names = {f.name for f in dataclasses.fields(Settings)} - {"set_by_region"}
    assert set(REGISTRY) == names
    defaults = Settings()
    for name in REGISTRY:
        if name == "schema_version":
            continue
        problems = settings_module.check_value(name, _plain(getattr(defaults, name)), "defaults")
        assert problems == [], name


def _plain(value: Any) -> Any:
    if isinstance(value, list):
        return [dataclasses.asdict(v) if isinstance(v, Contact) else v for v in value]
    return value


# -- the region ------------------------------------------------------------------------------


def test_the_region_defaults_differ_for_private_and_public_care(tmp_path: Path) -> None:
    public = _load(tmp_path, {"gateway_url": GATEWAY})
    private = _load(tmp_path, {"gateway_url": GATEWAY, "care_provider": "private"})
    desk = {c.role: c.phone for c in public.contacts}
    assert desk["service_desk_public"] == "30 000" and "service_desk_private" not in desk
    desk = {c.role: c.phone for c in private.contacts}
    assert desk["service_desk_private"] == "077-67 30 000" and "service_desk_public" not in desk


def test_the_policy_overrides_the_user_and_is_marked_as_the_regions(tmp_path: Path) -> None:
    region_gateway = "https://gateway.skane.example"
    contacts = [{"role": "service_desk_public", "name": "Servicedesk", "phone": "30 000"}]
    loaded = _load(
        tmp_path,
        {"gateway_url": GATEWAY, "retention_hours": 48, "language": "en"},
        {
            "gateway_url": region_gateway,
            "retention_hours": 8,
            "contacts": contacts,
            "service_portal_url": "https://portal.region.example",
        },
    )
    assert loaded.gateway_url == region_gateway and loaded.retention_hours == 8
    assert loaded.contacts == [Contact("service_desk_public", "Servicedesk", "30 000")]
    assert loaded.language == "en"  # not the region's to set
    assert loaded.set_by_region == {
        "gateway_url",
        "retention_hours",
        "contacts",
        "service_portal_url",
    }


def test_a_policy_gateway_is_enough_without_a_user_gateway(tmp_path: Path) -> None:
    loaded = _load(tmp_path, {"language": "sv"}, {"gateway_url": GATEWAY})
    assert loaded.gateway_url == GATEWAY


def test_the_policy_may_set_only_the_regions_fields(tmp_path: Path) -> None:
    assert _problems(tmp_path, {"gateway_url": GATEWAY}, {"language": "en"}) == [
        ("policy.json", "language", "settings.unknown_field")
    ]


def test_a_broken_policy_stops_the_start_even_with_good_user_settings(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text("not json", encoding="utf-8")
    assert _problems(tmp_path, {"gateway_url": GATEWAY}) == [
        ("policy.json", "", "settings.not_json")
    ]
    assert _problems(tmp_path, {"gateway_url": GATEWAY}, {"retention_hours": "8"}) == [
        ("policy.json", "retention_hours", "settings.wrong_type")
    ]


def test_the_policy_bounds_the_users_retention(tmp_path: Path) -> None:
    assert _problems(
        tmp_path, {"gateway_url": GATEWAY, "retention_hours": 48}, {"max_retention_hours": 24}
    ) == [("settings.json", "retention_hours", "settings.out_of_range")]
    # Not set by the user: the default, lowered to the region's maximum.
    loaded = _load(tmp_path, {"gateway_url": GATEWAY}, {"max_retention_hours": 12})
    assert loaded.retention_hours == 12


def test_a_policy_gateway_refuses_the_sandbox(tmp_path: Path) -> None:
    assert _problems(tmp_path, None, {"gateway_url": GATEWAY}, sandbox=True) == [
        ("policy.json", "gateway_url", "settings.sandbox_refused")
    ]


def test_the_policy_file_is_found_by_its_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = _write(tmp_path / "admin" / "policy.json", {"gateway_url": GATEWAY})
    monkeypatch.setenv("BIFOGA_POLICY_FILE", str(policy))
    assert settings_module.load().gateway_url == GATEWAY  # no user file at all


# -- what the settings dialog changes --------------------------------------------------------


def test_changes_are_saved_alone_and_read_back(tmp_path: Path) -> None:
    user = _write(tmp_path / "settings.json", {"gateway_url": GATEWAY, "language": "sv"})
    loaded = _load(tmp_path, policy={"contacts": []})
    problems = settings_module.save_changes(
        {"language": "en", "retention_hours": 6, "clinic_phone_numbers": ["040-1 2 3"]},
        loaded,
        user,
    )
    assert problems == []
    assert json.loads(user.read_text(encoding="utf-8")) == {
        "gateway_url": GATEWAY,
        "language": "en",
        "retention_hours": 6,
        "clinic_phone_numbers": ["040-1 2 3"],
        "schema_version": 1,
    }  # the region's contacts are not copied into the user's file
    assert loaded.language == "en" and loaded.retention_hours == 6.0
    assert _load(tmp_path, policy={"contacts": []}).clinic_phone_numbers == ["040-1 2 3"]


def test_a_bad_change_writes_nothing(tmp_path: Path) -> None:
    user = _write(tmp_path / "settings.json", {"gateway_url": GATEWAY})
    loaded = _load(tmp_path, policy={"max_retention_hours": 12, "contacts": []})
    before = user.read_text(encoding="utf-8")
    changes: list[tuple[dict[str, Any], str, str]] = [
        ({"clinic_phone_numbers": ["ring mig"]}, "clinic_phone_numbers[0]", "settings.bad_phone"),
        ({"retention_hours": 20}, "retention_hours", "settings.out_of_range"),
        ({"contacts": []}, "contacts", "settings.unknown_field"),  # the region's
        ({"gateway_url": SANDBOX}, "gateway_url", "settings.unknown_field"),  # not the dialog's
    ]
    for change, field, code in changes:
        problems = settings_module.save_changes(change, loaded, user)
        assert [(p.field, p.code) for p in problems] == [(field, code)]
        assert all(isinstance(p, SettingsProblem) for p in problems)
    assert user.read_text(encoding="utf-8") == before
