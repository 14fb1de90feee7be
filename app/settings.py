"""One typed registry of settings, with defaults and a schema version.

Stored as JSON in the user's config folder (``BIFOGA_CONFIG_DIR`` overrides it, for
tests and for a region's managed install). Widgets never read files or QSettings
themselves; they get a :class:`Settings`. Secrets are never stored here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import platformdirs

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
APP_NAME = "bifoga"


@dataclass
class Contact:
    role: str  # e.g. "manager", "data_protection", "service_desk_private"
    name: str
    phone: str = ""
    email: str = ""


def _default_contacts() -> list[Contact]:
    # From the region's instruction (REQUIREMENTS R9-R11); a region edits these.
    return [
        Contact("service_desk_private", "Servicedesk (privata vårdgivare)", "077-67 30 000"),
        Contact("service_desk_public", "Servicedesk (offentliga vårdgivare)", "30 000"),
        Contact("manager", "Närmaste chef"),
        Contact("data_protection", "Förvaltningens dataskyddssamordnare"),
        Contact("information_security", "Informationssäkerhetssamordnare"),
    ]


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    #: The gateway's base URL; empty means: start the embedded sandbox (a test system).
    gateway_url: str = ""
    #: A CA bundle to trust in addition to the OS store, and an optional client certificate.
    ca_bundle: str = ""
    client_cert: str = ""
    client_key: str = ""
    language: str = "sv"
    #: The secure staging area (REQUIREMENTS R8); empty: the user's data folder.
    staging_dir: str = ""
    retention_hours: float = 24.0
    #: A page counts as seen after it was on screen this long at a readable zoom.
    seen_dwell_ms: int = 700
    #: Below this zoom (1.0 = 72 dpi) a page is too small to read and does not count as seen.
    readable_scale: float = 0.6
    clinic_phone_numbers: list[str] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=_default_contacts)
    worker_timeout_s: float = 60.0
    worker_memory_mb: int = 1536

    @property
    def uses_sandbox(self) -> bool:
        return not self.gateway_url.strip()

    def staging_path(self) -> Path:
        if self.staging_dir:
            return Path(self.staging_dir)
        return data_dir() / "staging"


def config_dir() -> Path:
    override = os.environ.get("BIFOGA_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME))


def data_dir() -> Path:
    override = os.environ.get("BIFOGA_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME))


def settings_file() -> Path:
    return config_dir() / "settings.json"


def load(path: Path | None = None) -> Settings:
    """The settings in ``path``; defaults for anything missing or unreadable (logged)."""
    path = path or settings_file()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Settings()
    except (OSError, ValueError) as error:
        log.warning("settings file %s unreadable (%s); using defaults", path, error)
        return Settings()
    return from_dict(raw if isinstance(raw, dict) else {})


def from_dict(raw: dict[str, Any]) -> Settings:
    known = {f.name: f for f in dataclasses.fields(Settings)}
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in known:
            log.warning("unknown setting %r ignored", name)
            continue
        if name == "contacts" and isinstance(value, list):
            value = [Contact(**c) for c in value if isinstance(c, dict)]
        values[name] = value
    values["schema_version"] = SCHEMA_VERSION
    return Settings(**values)


def save(settings: Settings, path: Path | None = None) -> None:
    path = path or settings_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(dataclasses.asdict(settings), indent=2, ensure_ascii=False), "utf-8")
    tmp.replace(path)
