"""The region's part of the configuration: its policy file and its defaults.

An administrator places the policy file (read-only to the user) at a system path; what it
sets (the gateway, trust, retention, contacts...) overrides the user's own settings, and
the settings dialog shows those fields as set by the region (the identity provider's
issuer, client id, scopes and required ``acr`` among them: docs/identity.md). Which
fields it may set is in the registry of :mod:`app.config.settings`. The region's defaults (the
contacts after a wrong file, the Servicedesk numbers, the service portal's address,
Bifoga's client at its identity provider) are in
``resources/region/defaults.json``: configuration, not code, and different for public and
private care providers.
"""

from __future__ import annotations

import json
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

#: Tests and a region's own tooling point at another policy file with this.
POLICY_FILE_ENV = "BIFOGA_POLICY_FILE"
CARE_PROVIDERS = ("public", "private")


def policy_file() -> Path:
    """Where the region's policy file is, on this OS (it need not exist)."""
    override = os.environ.get(POLICY_FILE_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        program_data = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(program_data) / "Bifoga" / "policy.json"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Bifoga/policy.json")
    return Path("/etc/bifoga/policy.json")


@cache
def _defaults() -> dict[str, Any]:
    import resources

    loaded: dict[str, Any] = json.loads(resources.read_text("region/defaults.json"))
    return loaded


def default_contacts(care_provider: str) -> list[dict[str, str]]:
    """The region's contacts for this kind of care provider, as plain objects (copies)."""
    contacts: dict[str, list[dict[str, str]]] = _defaults()["contacts"]
    chosen = contacts.get(care_provider, contacts["public"])
    return [dict(contact) for contact in chosen]


def default_service_portal_url() -> str:
    url: str = _defaults()["service_portal_url"]
    return url


def default_identity() -> dict[str, Any]:
    """Bifoga's client at the region's identity provider, as most regions register it:
    its client id, the scopes asked for and the level of assurance a sign-off needs."""
    identity: dict[str, Any] = _defaults()["identity"]
    return {**identity, "scopes": list(identity["scopes"])}
