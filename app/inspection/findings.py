"""Collecting findings: a check names a code, the policy decides how severe it is.

Checks never choose severities themselves, so that a region can change them in its
policy file without touching code (see docs/inspection.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from app.inspection.policy import Policy
from app.inspection.report import Finding, Severity

_RANK = {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2}


def _param_value(value: object) -> str | int:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | str):
        return value
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


class FindingSink:
    """Findings for one file, in the order the checks found them."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self._findings: list[Finding] = []
        self._seen: set[tuple[str, int | None]] = set()

    def add(self, code: str, page: int | None = None, **params: object) -> None:
        """Record ``code`` (once per page) unless the policy switches it off."""
        severity = self.policy.severity(code)
        if severity is None or (code, page) in self._seen:
            return
        self._seen.add((code, page))
        items = tuple(sorted((key, _param_value(value)) for key, value in params.items()))
        self._findings.append(Finding(code, severity, page, items))

    def extend(self, findings: Iterable[Finding]) -> None:
        """Findings made elsewhere (identity checks); the policy still has the last word."""
        for finding in findings:
            severity = (
                self.policy.severity(finding.code)
                if self.policy.knows(finding.code)
                else finding.severity
            )
            if severity is None:
                continue
            self._findings.append(Finding(finding.code, severity, finding.page, finding.params))

    def has(self, code: str) -> bool:
        return any(f.code == code for f in self._findings)

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self._findings)

    def result(self) -> tuple[Finding, ...]:
        """Most severe first, then by page, so the first line is the one to act on."""
        return tuple(sorted(self._findings, key=lambda f: (_RANK[f.severity], f.page or 0)))
