"""Whom to contact after a wrong file, chosen from the region's contacts (R9)."""

from __future__ import annotations

from collections.abc import Sequence

from app.config.settings import Contact
from app.config.texts import message
from app.deviation import (
    ContactAdvice,
    ContactRole,
    SensitiveData,
    contacts_for_report,
    contacts_to_make,
)
from tests.support.deviation_samples import contacts, sample_report, wrong_file


def _roles_and_names(advice: Sequence[ContactAdvice]) -> list[tuple[str, str | None, bool]]:
    return [(a.role.value, a.contact.name if a.contact else None, a.promptly) for a in advice]


def test_without_personal_data_only_the_nearest_manager() -> None:
    advice = contacts_to_make(contacts(), personal_data=False)
    assert _roles_and_names(advice) == [("manager", "Åsa Öberg", False)]
    assert advice[0].reason == "deviation.contact.reason.manager"
    assert advice[0].contact == Contact("manager", "Åsa Öberg", "", "asa.oberg@region.example")


def test_with_personal_data_also_both_coordinators_promptly() -> None:
    advice = contacts_to_make(contacts(), personal_data=True)
    assert _roles_and_names(advice) == [
        ("manager", "Åsa Öberg", False),
        ("data_protection", "Förvaltningens dataskyddssamordnare", True),
        ("information_security", "Informationssäkerhetssamordnare Per Ek", True),
    ]


def test_the_service_desk_is_not_a_contact_for_a_wrong_file() -> None:
    # The instruction gives the Servicedesk for help with the storage area, not for this.
    advice = contacts_to_make(contacts(), personal_data=True)
    assert all(not a.contact or not a.contact.role.startswith("service_desk") for a in advice)


def test_a_role_nobody_is_configured_for_is_still_listed_without_a_contact() -> None:
    advice = contacts_to_make([], personal_data=True)
    assert _roles_and_names(advice) == [("manager", None, False), ("data_protection", None, True)]
    only_security = [Contact("information_security", "Per Ek", "040-33 10 00")]
    advice = contacts_to_make(only_security, personal_data=True)
    assert [a.role for a in advice] == [ContactRole.MANAGER, ContactRole.INFORMATION_SECURITY]


def test_a_contact_without_a_name_counts_as_not_configured() -> None:
    advice = contacts_to_make([Contact("manager", "  ", "040-33 10 00")], personal_data=False)
    assert advice[0].contact is None


def test_the_report_decides_by_its_wrong_files() -> None:
    with_data = contacts_for_report(sample_report(), contacts())
    without = contacts_for_report(sample_report(files=[wrong_file(SensitiveData.NONE)]), contacts())
    assert len(with_data) == 3 and len(without) == 1


def test_every_reason_and_role_has_a_sentence_in_both_languages() -> None:
    for advice in contacts_to_make([], personal_data=True) + contacts_to_make(
        contacts(), personal_data=True
    ):
        for code in (advice.reason, f"deviation.contact.role.{advice.role.value}"):
            assert message(code, "sv") != code and message(code, "en") != code


def test_phone_numbers_never_break_and_placeholders_are_not_shown() -> None:
    from app.config.settings import Contact
    from app.deviation.contacts import reach, unbreakable_number

    assert unbreakable_number("077-67 30 000") == "077\u201167\u00a030\u00a0000"
    assert " " not in reach(Contact("manager", "Åsa", phone="010 123 45 67"))
    placeholder = Contact("manager", "Fyll i: namn", phone="Fyll i: telefonnummer")
    assert reach(placeholder) == ""


def test_the_shipped_example_says_it_must_be_filled_in_and_names_nobody() -> None:
    from app.config import region
    from app.config.settings import Contact
    from app.deviation.contacts import contacts_to_make

    shipped = [Contact(**c) for c in region.default_contacts("public")]
    advice = contacts_to_make(shipped, personal_data=True)
    assert all(a.contact is None for a in advice)  # placeholders are not people
    assert "Fyll i" in region._defaults()["_instructions"]
