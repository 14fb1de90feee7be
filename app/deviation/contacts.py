"""Whom to contact after a wrong file, and why (docs/requirements.md R9).

The region's instruction: follow the deviation routine and contact the nearest manager for
support; when the file held personal or sensitive health data, also contact the
administration's data protection coordinator or information security coordinator,
promptly. Who these people are is region configuration (``app.settings.Contact``); this
module only chooses among the contacts it is given and says why, in codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.deviation.report import DeviationReport
from app.settings import Contact


class ContactRole(StrEnum):
    MANAGER = "manager"
    DATA_PROTECTION = "data_protection"
    INFORMATION_SECURITY = "information_security"


@dataclass(frozen=True, slots=True)
class ContactAdvice:
    """One person to contact: ``reason`` is a text code; ``contact`` is ``None`` when the
    region has not configured anyone for ``role`` (the window says to ask the manager)."""

    role: ContactRole
    reason: str
    promptly: bool
    contact: Contact | None


def _configured(contacts: Sequence[Contact], role: ContactRole) -> list[Contact]:
    return [c for c in contacts if c.role == role.value and c.name.strip()]


def contacts_to_make(
    contacts: Sequence[Contact], *, personal_data: bool
) -> tuple[ContactAdvice, ...]:
    """The contacts to make, the most important first.

    The manager always. With personal data, every configured data protection and
    information security coordinator (the instruction names either one; listing both lets
    the clinician reach whoever answers). A role nobody is configured for still appears,
    with ``contact=None``, so the duty is never silently dropped.
    """
    advice: list[ContactAdvice] = []
    managers = _configured(contacts, ContactRole.MANAGER)
    manager_reason = "deviation.contact.reason.manager"
    advice.extend(ContactAdvice(ContactRole.MANAGER, manager_reason, False, c) for c in managers)
    if not managers:
        advice.append(ContactAdvice(ContactRole.MANAGER, manager_reason, False, None))
    if personal_data:
        coordinators = [
            ContactAdvice(role, f"deviation.contact.reason.{role.value}", True, contact)
            for role in (ContactRole.DATA_PROTECTION, ContactRole.INFORMATION_SECURITY)
            for contact in _configured(contacts, role)
        ]
        if not coordinators:
            coordinators.append(
                ContactAdvice(
                    ContactRole.DATA_PROTECTION,
                    "deviation.contact.reason.data_protection",
                    True,
                    None,
                )
            )
        advice.extend(coordinators)
    return tuple(advice)


def contacts_for_report(
    report: DeviationReport, contacts: Sequence[Contact]
) -> tuple[ContactAdvice, ...]:
    return contacts_to_make(contacts, personal_data=report.personal_data_involved)
