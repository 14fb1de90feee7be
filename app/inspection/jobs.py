"""What is sent to the inspect worker and what comes back: typed, so that each side
names the same fields, and light, so that the window imports it without any parser.

The worker parses untrusted files; its answers are checked against these types
(``app.inspection.isolated.InspectClient``) before anyone uses them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sanitized:
    """What ``remove_hidden`` did to a staged copy."""

    #: The copy's bytes changed (so its hash must be taken again).
    changed: bool
    #: What no viewer shows that left the copy (``hidden.Hidden.kinds``, and what
    #: ``pdf_strip`` took out); the inspection reports each as information.
    removed: tuple[str, ...] = ()


UNCHANGED = Sanitized(changed=False)


@dataclass(frozen=True, slots=True)
class InspectRequest:
    """One file to inspect (``app.inspection.inspect_file``'s arguments)."""

    path: str
    #: Canonical identifiers of the message's recipients (the identity check).
    recipients: tuple[str, ...] = ()
    #: The message kind's value, or None.
    kind: str | None = None
    policy_path: str | None = None
    #: The file's name as the clinician chose it, when the staged copy has another.
    name: str | None = None
    #: What sanitising removed from this copy (``Sanitized.removed``).
    removed: tuple[str, ...] = ()
    #: The clinic's own phone numbers (the settings'): not a resident's personal data.
    clinic_phone_numbers: tuple[str, ...] = ()
