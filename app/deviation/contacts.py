"""Whom to contact after a wrong file, and why (docs/requirements.md R9).

The region's instruction: follow the deviation routine and contact the nearest manager for
support; when the file held personal or sensitive health data, also contact the
administration's data protection coordinator or information security coordinator,
promptly. Who these people are is region configuration (``app.config.settings.Contact``); this
module only chooses among the contacts it is given and says why, in codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.config.settings import Contact
from app.deviation.report import DeviationReport


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


#: How the shipped example (resources/region/defaults.json) marks what the region must
#: fill in: such a contact is not a person, and the window says the region has not named one.
PLACEHOLDER_PREFIX = "fyll i"


def is_placeholder(text: str) -> bool:
    return text.strip().lower().startswith(PLACEHOLDER_PREFIX)


def _configured(contacts: Sequence[Contact], role: ContactRole) -> list[Contact]:
    return [
        c
        for c in contacts
        if c.role == role.value and c.name.strip() and not is_placeholder(c.name)
    ]


def names_only_its_role(contact: Contact, role_text: str) -> bool:
    """True when the contact's name is just its role ("Närmaste chef"): the role is then
    said once, not "Närmaste chef, Närmaste chef"."""
    return role_text.strip().lower() == contact.name.strip().lower()


def unbreakable_number(number: str) -> str:
    """A phone number that never breaks across lines: no-break spaces and hyphens."""
    return number.strip().replace(" ", "\u00a0").replace("-", "\u2011")


def reach(contact: Contact) -> str:
    """The contact's phone (unbreakable) and e-mail; placeholders are left out."""
    phone = "" if is_placeholder(contact.phone) else unbreakable_number(contact.phone)
    email = "" if is_placeholder(contact.email) else contact.email.strip()
    return ", ".join(p for p in (phone, email) if p)


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
