"""One typed registry of settings, checked on load, with defaults and a schema version.

Three layers, later ones winning: the region's defaults (:mod:`app.config.region`), the user's
``settings.json`` in their config folder (``BIFOGA_CONFIG_DIR`` overrides it), and the
region's policy file, which may set only the fields its registry entry allows. Every
value is checked against :data:`REGISTRY` (type, range, choices); anything wrong becomes
a :class:`SettingsProblem` naming the file and the field, and :func:`load` raises them all
at once as a :class:`SettingsError` rather than fall back to defaults: a managed install
with a broken file must not quietly talk to some other gateway. The sandbox gateway runs
only when asked (``--sandbox`` or ``gateway_url: "sandbox"``), never because no gateway
was configured. Widgets never read files themselves; they get a :class:`Settings`.
Secrets are never stored here.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import urlsplit

from app.config import region, texts

SCHEMA_VERSION = 1
APP_NAME = "bifoga"
#: The gateway_url that asks for the embedded sandbox gateway (a test system).
SANDBOX = "sandbox"


@dataclass
class Contact:
    role: str  # e.g. "manager", "data_protection", "service_desk_private"
    name: str
    phone: str = ""
    email: str = ""


def _region_contacts() -> list[Contact]:
    return [Contact(**contact) for contact in region.default_contacts("public")]


# -- the declaration ---------------------------------------------------------------------

Kind = Literal[
    "int",
    "number",
    "choice",
    "gateway",
    "https",
    "file",
    "folder",
    "phones",
    "contacts",
    "bool",
    "issuer",
    "text",
    "scopes",
]


class Spec(NamedTuple):
    """What one setting may hold, who may set it, and when it applies. (A NamedTuple: a
    frozen dataclass costs the window's start-up a few milliseconds more to define.)"""

    kind: Kind
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    #: The user's settings file may set it.
    user: bool = True
    #: The region's policy file may set it (and then the user cannot change it).
    policy: bool = False
    #: The settings dialog offers it.
    dialog: bool = False
    #: It takes effect when saved (the window reads it each time it needs it, or is told
    #: after a save); otherwise from Bifoga's next start. The dialog says which.
    live: bool = False
    #: For the dialog: a number's decimals and step, and its unit's text code.
    decimals: int = 0
    step: float = 1.0
    unit: str = ""


def setting(spec: Spec, default: Any = None, *, factory: Any = None) -> Any:
    """A field of :class:`Settings` with its declaration: the one place that says a
    setting's name (the field's), type (``spec.kind``, the annotation), default, bounds,
    who may set it and whether it applies live. :data:`REGISTRY`, the loader, the
    settings dialog and ``bifoga check-settings`` all read it from here."""
    if factory is not None:
        return field(default_factory=factory, metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


@dataclass
class Settings:
    """Every setting, each declared once by :func:`setting` (see :class:`Spec`)."""

    schema_version: int = setting(Spec("int", 1, SCHEMA_VERSION), SCHEMA_VERSION)
    #: The gateway's base URL (https, or http on loopback), or "sandbox". Required.
    gateway_url: str = setting(Spec("gateway", policy=True), "")
    #: A CA bundle to trust in addition to the OS store, and an optional client certificate.
    ca_bundle: str = setting(Spec("file", policy=True), "")
    client_cert: str = setting(Spec("file", policy=True), "")
    client_key: str = setting(Spec("file", policy=True), "")
    #: Public and private care providers have different contacts and Servicedesk numbers.
    care_provider: str = setting(
        Spec("choice", choices=region.CARE_PROVIDERS, policy=True), "public"
    )
    #: Where a case to delete a wrongly sent file is registered (docs/requirements.md R10).
    service_portal_url: str = setting(
        Spec("https", policy=True), factory=region.default_service_portal_url
    )
    language: str = setting(
        Spec("choice", choices=texts.LANGUAGES, dialog=True), texts.DEFAULT_LANGUAGE
    )
    #: The secure staging area (docs/requirements.md R8); empty: the user's data folder.
    staging_dir: str = setting(Spec("folder", dialog=True), "")
    #: How long working copies are kept (the staging area is opened with it at start).
    retention_hours: float = setting(
        Spec("number", 1, 72, policy=True, dialog=True, unit="settings.dialog.hours_suffix"),
        24.0,
    )
    #: The longest retention the region allows (its policy may lower it).
    max_retention_hours: float = setting(Spec("number", 1, 72, user=False, policy=True), 72.0)
    #: A page counts as seen after it was on screen this long at a readable zoom.
    seen_dwell_ms: int = setting(
        Spec(
            "int", 200, 10_000, dialog=True, live=True, step=100, unit="settings.dialog.ms_suffix"
        ),
        700,
    )
    #: A shared workstation: the window locks after this long without use (the window
    #: is told after a save: ui.window.lock.IdleWatch.set_timeout).
    lock_after_minutes: float = setting(
        Spec(
            "number",
            1,
            60,
            policy=True,
            dialog=True,
            live=True,
            unit="settings.dialog.minutes_suffix",
        ),
        5.0,
    )
    #: Below this zoom (1.0 = 72 dpi) a page is too small to read and does not count as seen.
    readable_scale: float = setting(
        Spec("number", 0.3, 3.0, dialog=True, live=True, decimals=2, step=0.05), 0.6
    )
    #: The clinic's own numbers: not counted as a resident's personal data (read at each
    #: inspection: app.drafts.attach.AttachPipeline).
    clinic_phone_numbers: list[str] = setting(Spec("phones", dialog=True, live=True), factory=list)
    contacts: list[Contact] = setting(Spec("contacts", policy=True), factory=_region_contacts)
    worker_timeout_s: float = setting(Spec("number", 5, 600), 60.0)
    worker_memory_mb: int = setting(Spec("int", 256, 16_384), 1536)
    #: After a delivered send, offer to delete the files the clinician picked, once they
    #: confirm each is in the patient record (docs/requirements.md R8).
    offer_to_delete_originals: bool = setting(Spec("bool", policy=True), True)
    #: The region's identity provider (docs/identity.md): its issuer (https, or http on
    #: loopback), Bifoga's client id there, the scopes asked for and the level of
    #: assurance (``acr``) a sign-off needs ("" asks none). With the sandbox, its own
    #: provider (its start page's ``idp`` block) is used instead of the issuer and client.
    idp_issuer: str = setting(Spec("issuer", policy=True), "")
    idp_client_id: str = setting(
        Spec("text", policy=True), factory=lambda: region.default_identity()["client_id"]
    )
    idp_scopes: list[str] = setting(
        Spec("scopes", policy=True), factory=lambda: list(region.default_identity()["scopes"])
    )
    idp_acr: str = setting(
        Spec("text", policy=True), factory=lambda: region.default_identity()["acr"]
    )
    #: Not a setting: the fields the region's policy file set, which the user cannot change.
    set_by_region: frozenset[str] = field(default_factory=frozenset, compare=False)

    @property
    def uses_sandbox(self) -> bool:
        return self.gateway_url.strip() == SANDBOX

    def staging_path(self) -> Path:
        if self.staging_dir:
            return Path(self.staging_dir)
        return data_dir() / "staging"


#: Every setting's declaration, by name, in the order declared (the dialog's order).
REGISTRY: dict[str, Spec] = {
    f.name: f.metadata["spec"] for f in dataclasses.fields(Settings) if "spec" in f.metadata
}


def dialog_settings() -> list[str]:
    """The settings the dialog offers, in their declared order."""
    return [name for name, spec in REGISTRY.items() if spec.dialog]


#: The fields a contact object may have; role and name are required.
CONTACT_FIELDS = ("role", "name", "phone", "email")
_LOOPBACK_NAMES = ("localhost",)
# Digits with the separators people write; 3 to 15 digits (E.164's longest).
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]*")
# RFC 6749 §3.3's scope-token: printable ASCII but space, quote and backslash.
_SCOPE = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


# -- problems --------------------------------------------------------------------------------

#: Every code a problem can have (each has a sentence in resources/texts/settings.json).
PROBLEM_CODES = (
    "settings.missing_file",
    "settings.unreadable",
    "settings.not_json",
    "settings.not_object",
    "settings.unknown_field",
    "settings.policy_only",
    "settings.wrong_type",
    "settings.out_of_range",
    "settings.unknown_choice",
    "settings.gateway_missing",
    "settings.gateway_not_https",
    "settings.url_not_https",
    "settings.file_not_found",
    "settings.not_a_folder",
    "settings.bad_phone",
    "settings.missing_value",
    "settings.sandbox_refused",
    "settings.issuer_not_https",
    "settings.scopes_without_openid",
    "settings.idp_missing",
)


@dataclass(frozen=True)
class SettingsProblem:
    """One thing wrong in a settings or policy file: the code says what, ``field`` where
    (``contacts[1].phone`` for a part of a list), ``params`` the data a sentence needs."""

    code: str
    file: str
    field: str = ""
    params: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def text(self, language: str = texts.DEFAULT_LANGUAGE) -> str:
        """The sentence for a person (the catalogue's, by the code)."""
        values = dict(self.params)
        if "expected" in values:
            values["expected"] = texts.message(f"settings.kind.{values['expected']}", language)
        values.update(file=self.file, field=self.field)
        return texts.message(self.code, language, values)


class SettingsError(Exception):
    """The settings cannot be used; nothing may start until these problems are fixed."""

    def __init__(self, problems: list[SettingsProblem]) -> None:
        super().__init__("; ".join(f"{p.file}: {p.field} {p.code}" for p in problems))
        self.problems = problems


# -- folders ---------------------------------------------------------------------------------


def config_dir() -> Path:
    override = os.environ.get("BIFOGA_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs  # only when no override: it costs the window's start-up time

    return Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    override = os.environ.get("BIFOGA_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def settings_file() -> Path:
    return config_dir() / "settings.json"


# -- loading ---------------------------------------------------------------------------------


def load(
    path: Path | None = None, *, sandbox: bool = False, policy_path: Path | None = None
) -> Settings:
    """The settings to run with: region defaults, the user's file, the region's policy.

    ``sandbox``: the user asked for the sandbox gateway (``bifoga --sandbox``). The user's
    file may be missing then, or when the policy names the gateway. Raises
    :class:`SettingsError` with every problem found.
    """
    path = path or settings_file()
    policy_path = policy_path or region.policy_file()
    problems: list[SettingsProblem] = []
    policy_values = _read_object(policy_path, problems, required=False)
    # A region's install may name the gateway in its policy alone; otherwise the user's
    # file is needed (a missing one is not "use the defaults", which name no gateway).
    needed = not sandbox and "gateway_url" not in policy_values
    user_values = _read_object(path, problems, required=needed)
    _check_values(user_values, str(path), problems, policy_file=False)
    _check_values(policy_values, str(policy_path), problems, policy_file=True)
    if problems:
        raise SettingsError(problems)

    values = {**user_values, **policy_values}
    if sandbox:
        if "gateway_url" in policy_values and policy_values["gateway_url"] != SANDBOX:
            problems.append(
                SettingsProblem("settings.sandbox_refused", str(policy_path), "gateway_url")
            )
        values["gateway_url"] = SANDBOX
    elif not str(values.get("gateway_url", "")).strip():
        problems.append(SettingsProblem("settings.gateway_missing", str(path), "gateway_url"))
    maximum = values.get("max_retention_hours", Settings.max_retention_hours)
    values.setdefault("retention_hours", min(Settings.retention_hours, maximum))
    if values["retention_hours"] > maximum:
        source = policy_path if "retention_hours" in policy_values else path
        problems.append(_out_of_range(str(source), "retention_hours", 1, maximum))
    if problems:
        raise SettingsError(problems)
    return _build(values, frozenset(policy_values))


def _build(values: Mapping[str, Any], set_by_region: frozenset[str]) -> Settings:
    built = dict(values)
    built.pop("schema_version", None)
    if "contacts" not in built:
        care_provider = built.get("care_provider", Settings.care_provider)
        built["contacts"] = region.default_contacts(care_provider)
    built["contacts"] = [Contact(**contact) for contact in built["contacts"]]
    for name, spec in REGISTRY.items():
        if spec.kind == "number" and name in built:
            built[name] = float(built[name])
    return Settings(**built, set_by_region=set_by_region)


def _read_object(path: Path, problems: list[SettingsProblem], *, required: bool) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            problems.append(SettingsProblem("settings.missing_file", str(path)))
        return {}
    except (OSError, UnicodeDecodeError):
        problems.append(SettingsProblem("settings.unreadable", str(path)))
        return {}
    try:
        raw = json.loads(text)
    except ValueError as error:
        line = str(getattr(error, "lineno", "?"))
        problems.append(SettingsProblem("settings.not_json", str(path), params={"line": line}))
        return {}
    if not isinstance(raw, dict):
        problems.append(SettingsProblem("settings.not_object", str(path)))
        return {}
    return raw


def _check_values(
    values: Mapping[str, Any], file: str, problems: list[SettingsProblem], *, policy_file: bool
) -> None:
    for name, value in values.items():
        spec = REGISTRY.get(name)
        if spec is None or (policy_file and not spec.policy):
            problems.append(SettingsProblem("settings.unknown_field", file, name))
        elif not policy_file and not spec.user:
            problems.append(SettingsProblem("settings.policy_only", file, name))
        else:
            problems.extend(check_value(name, value, file))


def check_value(name: str, value: Any, file: str) -> list[SettingsProblem]:
    """What is wrong with ``value`` for the setting ``name`` (nothing: an empty list)."""
    spec = REGISTRY[name]
    kind = spec.kind
    if kind in ("int", "number"):
        return _check_number(name, value, spec, file)
    if kind == "phones":
        return _check_phones(name, value, file)
    if kind == "contacts":
        return _check_contacts(value, file)
    if kind == "bool":  # true or false, never "true" or 1
        return [] if isinstance(value, bool) else [_wrong_type(file, name, "bool")]
    if kind == "scopes":
        return _check_scopes(name, value, file)
    if not isinstance(value, str):
        return [_wrong_type(file, name, "text")]
    if kind == "choice" and value not in spec.choices:
        return [
            SettingsProblem(
                "settings.unknown_choice", file, name, {"choices": ", ".join(spec.choices)}
            )
        ]
    if kind == "gateway" and value.strip() not in ("", SANDBOX) and not _is_gateway(value):
        return [SettingsProblem("settings.gateway_not_https", file, name)]
    if kind == "issuer" and value.strip() and not (_is_gateway(value) and value.strip() != SANDBOX):
        return [SettingsProblem("settings.issuer_not_https", file, name)]
    if kind == "https" and value and not _is_https(value):
        return [SettingsProblem("settings.url_not_https", file, name)]
    if kind == "file" and value and not Path(value).expanduser().is_file():
        return [SettingsProblem("settings.file_not_found", file, name, {"path": value})]
    folder = Path(value).expanduser()
    if kind == "folder" and value and folder.exists() and not folder.is_dir():
        return [SettingsProblem("settings.not_a_folder", file, name, {"path": value})]
    return []


def _check_number(name: str, value: Any, spec: Spec, file: str) -> list[SettingsProblem]:
    # bool is an int to Python, and "700" is a string: both are wrong here.
    integral = isinstance(value, int) and not isinstance(value, bool)
    if spec.kind == "int" and not integral:
        return [_wrong_type(file, name, "int")]
    if spec.kind == "number" and not (integral or isinstance(value, float)):
        return [_wrong_type(file, name, "number")]
    low = spec.minimum if spec.minimum is not None else -math.inf
    high = spec.maximum if spec.maximum is not None else math.inf
    if not (math.isfinite(value) and low <= value <= high):
        return [_out_of_range(file, name, low, high)]
    return []


def _check_phones(name: str, value: Any, file: str) -> list[SettingsProblem]:
    if not isinstance(value, list):
        return [_wrong_type(file, name, "list")]
    problems = []
    for index, number in enumerate(value):
        where = f"{name}[{index}]"
        if not isinstance(number, str):
            problems.append(_wrong_type(file, where, "text"))
        elif not is_phone_number(number):
            problems.append(SettingsProblem("settings.bad_phone", file, where, {"value": number}))
    return problems


def _check_scopes(name: str, value: Any, file: str) -> list[SettingsProblem]:
    """OAuth scope tokens (RFC 6749 §3.3: no spaces, no quotes), ``openid`` among them."""
    if not isinstance(value, list):
        return [_wrong_type(file, name, "list")]
    problems = [
        _wrong_type(file, f"{name}[{index}]", "text")
        for index, scope in enumerate(value)
        if not isinstance(scope, str) or not _SCOPE.fullmatch(scope)
    ]
    if not problems and "openid" not in value:
        problems.append(SettingsProblem("settings.scopes_without_openid", file, name))
    return problems


def _check_contacts(value: Any, file: str) -> list[SettingsProblem]:
    if not isinstance(value, list):
        return [_wrong_type(file, "contacts", "list")]
    problems: list[SettingsProblem] = []
    for index, contact in enumerate(value):
        where = f"contacts[{index}]"
        if not isinstance(contact, dict):
            problems.append(_wrong_type(file, where, "contact"))
            continue
        for key, item in contact.items():
            if key not in CONTACT_FIELDS:
                problems.append(SettingsProblem("settings.unknown_field", file, f"{where}.{key}"))
            elif not isinstance(item, str):
                problems.append(_wrong_type(file, f"{where}.{key}", "text"))
            elif key == "phone" and item and not is_phone_number(item):
                problems.append(
                    SettingsProblem("settings.bad_phone", file, f"{where}.phone", {"value": item})
                )
        for key in ("role", "name"):
            if not str(contact.get(key, "")).strip():
                problems.append(SettingsProblem("settings.missing_value", file, f"{where}.{key}"))
    return problems


def is_phone_number(text: str) -> bool:
    digits = sum(ch.isdigit() for ch in text)
    return bool(_PHONE.fullmatch(text.strip())) and 3 <= digits <= 15


def _is_gateway(url: str) -> bool:
    """https anywhere; plain http only to this machine (a local test gateway)."""
    parts = urlsplit(url.strip())
    if not parts.hostname:
        return False
    if parts.scheme == "https":
        return True
    return parts.scheme == "http" and _is_loopback(parts.hostname)


def _is_https(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme == "https" and bool(parts.hostname)


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _wrong_type(file: str, name: str, expected: str) -> SettingsProblem:
    return SettingsProblem("settings.wrong_type", file, name, {"expected": expected})


def _out_of_range(file: str, name: str, low: float, high: float) -> SettingsProblem:
    return SettingsProblem(
        "settings.out_of_range", file, name, {"minimum": f"{low:g}", "maximum": f"{high:g}"}
    )


# -- what the user changes -------------------------------------------------------------------


def check_changes(changes: Mapping[str, Any], settings: Settings) -> list[SettingsProblem]:
    """What is wrong with the user's changes from the settings dialog: each must be a
    field the dialog offers, not set by the region, and valid (retention within the
    region's maximum)."""
    file = str(settings_file())
    problems: list[SettingsProblem] = []
    for name, value in changes.items():
        spec = REGISTRY.get(name)
        if spec is None or not spec.dialog or name in settings.set_by_region:
            problems.append(SettingsProblem("settings.unknown_field", file, name))
            continue
        problems.extend(check_value(name, value, file))
    retention = changes.get("retention_hours")
    if isinstance(retention, int | float) and retention > settings.max_retention_hours:
        problems.append(_out_of_range(file, "retention_hours", 1, settings.max_retention_hours))
    return problems


def save_changes(
    changes: Mapping[str, Any], settings: Settings, path: Path | None = None
) -> list[SettingsProblem]:
    """Write the user's changes into their settings file (only those fields: what the
    region sets is never copied into it) and into ``settings``; the problems instead,
    when there are any, and then nothing is written."""
    path = path or settings_file()
    problems = check_changes(changes, settings)
    existing = _read_object(path, problems, required=False)
    if problems:
        return problems
    existing.update(changes)
    existing.setdefault("schema_version", SCHEMA_VERSION)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)
    for name, value in changes.items():
        setattr(settings, name, float(value) if REGISTRY[name].kind == "number" else value)
    return []
