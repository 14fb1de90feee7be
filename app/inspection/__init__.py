"""Inspection: is this file safe and accessible enough to send, and does it hold
personal data? See docs/inspection.md for what is checked and why.

``inspect_file`` parses untrusted files with native libraries; the application runs it
in the isolated worker (``inspect_isolated``), tests may call it directly.

The heavy parts (PDFium, qpdf, Pillow) load on first use only: the window imports this
package for the report types and must not pay for, or hold, the parsers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.inspection.report import Finding, InspectionReport, PersonalDataHit, Severity, Verdict

if TYPE_CHECKING:
    from app.inspection.image_sanitize import sanitize_staged_image, strip_image_metadata
    from app.inspection.inspect import inspect_file
    from app.inspection.policy import Limits, Policy, PolicyError, default_policy, load_policy

_LAZY = {
    "inspect_file": "app.inspection.inspect",
    "sanitize_staged_image": "app.inspection.image_sanitize",
    "strip_image_metadata": "app.inspection.image_sanitize",
    "Limits": "app.inspection.policy",
    "Policy": "app.inspection.policy",
    "PolicyError": "app.inspection.policy",
    "default_policy": "app.inspection.policy",
    "load_policy": "app.inspection.policy",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'app.inspection' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "Finding",
    "InspectionReport",
    "Limits",
    "PersonalDataHit",
    "Policy",
    "PolicyError",
    "Severity",
    "Verdict",
    "default_policy",
    "inspect_file",
    "load_policy",
    "sanitize_staged_image",
    "strip_image_metadata",
]
