"""The inspection policy: how severe each finding is, and the limits files must keep.

A default ships in ``resources/policy.json``. A region may keep its own file with the
same shape that overrides only what it names (a severity per code, or a limit of
``app.protocol.limits.Limits``, the gateway's only lowered); a
severity may also be ``"off"`` to drop a check. Codes the policy does not know are
blocked: a check that nobody has decided about must not let a file through silently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from app.inspection.report import Severity
from app.protocol.limits import Limits, ceiling_problem

__all__ = ["Limits", "Policy", "PolicyError", "default_policy", "load_policy"]

OFF = "off"


class PolicyError(ValueError):
    """The policy file cannot be used (unreadable, not JSON, unknown severity or limit)."""


@dataclass(frozen=True, slots=True)
class Policy:
    severities: Mapping[str, Severity | None] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)

    def severity(self, code: str) -> Severity | None:
        """The severity for ``code``; ``None`` when the policy switches the check off."""
        if code in self.severities:
            return self.severities[code]
        return Severity.BLOCK

    def knows(self, code: str) -> bool:
        return code in self.severities


def _parse_severity(code: str, value: object) -> Severity | None:
    if value == OFF:
        return None
    try:
        return Severity(str(value))
    except ValueError:
        raise PolicyError(f"unknown severity {value!r} for {code}") from None


def _merge(base: Policy, document: Mapping[str, Any]) -> Policy:
    if not isinstance(document, Mapping):
        raise PolicyError("the policy must be a JSON object")
    severities = dict(base.severities)
    raw_severities = document.get("severities", {})
    if not isinstance(raw_severities, Mapping):
        raise PolicyError("'severities' must be an object")
    for code, value in raw_severities.items():
        severities[str(code)] = _parse_severity(str(code), value)
    raw_limits = document.get("limits", {})
    if not isinstance(raw_limits, Mapping):
        raise PolicyError("'limits' must be an object")
    known = {f.name: f.type for f in fields(Limits)}
    changes: dict[str, Any] = {}
    for name, value in raw_limits.items():
        if name not in known:
            raise PolicyError(f"unknown limit {name!r}")
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise PolicyError(f"limit {name!r} must be a non-negative number")
        problem = ceiling_problem(name, value)
        if problem is not None:
            raise PolicyError(problem)
        current = getattr(base.limits, name)
        changes[name] = int(value) if isinstance(current, int) else float(value)
    return Policy(severities=severities, limits=replace(base.limits, **changes))


@cache
def default_policy() -> Policy:
    text = files("resources").joinpath("policy.json").read_text(encoding="utf-8")
    return _merge(Policy(), json.loads(text))


def load_policy(path: str | Path | None = None) -> Policy:
    """The default policy, with a region's file (if given) laid over it."""
    base = default_policy()
    if path is None:
        return base
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PolicyError(f"cannot read policy {path}: {error}") from error
    return _merge(base, document)
