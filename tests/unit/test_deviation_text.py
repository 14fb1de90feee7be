"""The report as plain text for the region's deviation system, in Swedish and English,
and the texts behind it."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest

from app.config import texts
from app.deviation import (
    ContactRole,
    RetractionStatus,
    SensitiveData,
    plain_text,
)
from app.protocol.model import MessageKind
from tests.support.deviation_samples import (
    NOW,
    PORTAL,
    WRONG_SHA,
    contacts,
    sample_report,
    sample_residents,
    wrong_file,
)

ROOT = Path(__file__).resolve().parents[2]


def _text(lang: str, **report_changes: object) -> str:
    report = sample_report(**report_changes)  # type: ignore[arg-type]
    return plain_text(report, contacts=contacts(), portal_url=PORTAL, now=NOW, lang=lang)


def test_the_swedish_text_holds_every_part_of_the_report_in_order() -> None:
    resident = sample_residents(1)[0]
    text = _text("sv")
    lines = text.splitlines()
    assert lines[:2] == ["Avvikelserapport: fel fil skickad", "=" * 33]
    assert "Rapporten skapades 2026-03-29 kl. 10:00. Alla tider är svensk tid." in lines
    for expected in (
        "Meddelande-id: msg-4f1c",
        "Typ: Svar",
        "Ärende: case-0042",
        "Ämne: Svar på din fråga om vaccination",
        "Skickat: 2026-03-28 kl. 15:05",
        "Skickat av: Anna Sandlåda (anna)",
        "Granskat av: Bertil Sandlåda (bertil), 2026-03-28 kl. 15:05",
        "Antal mottagare: 1",
        f"- {resident[:8]}-****",
        "- Provsvar blodstatus åäö.pdf",
        f"  SHA-256 {WRONG_SHA}",
        "  Skickades av misstag",
        "  Innehåll: känsliga hälsouppgifter (personuppgifter)",
        "  Återkallelse: begärd 2026-03-28 kl. 15:50, klar 2026-03-28 kl. 15:51",
        "- Kallelse.pdf",
        "  Skickades avsiktligt (inte fel fil)",
        "Felet upptäcktes 2026-03-28 kl. 15:50.",
        "Tid kvar när rapporten skapades: 54 tim 50 min.",
    ):
        assert expected in lines, expected
    assert "senast 2026-03-31 kl. 16:50." in text
    sections = ["Vad som skickades", "Mottagare", "Filer", "Upptäckt och anmälan till IMY"]
    sections += ["Kontakta", "Begäran om radering"]
    assert [lines.index(s) for s in sections] == sorted(lines.index(s) for s in sections)
    assert "- Närmaste chef, Åsa Öberg. Följ rutinen för avvikelsehantering" in text
    assert "- Dataskyddssamordnare, Förvaltningens dataskyddssamordnare. Kontakta skyndsamt" in text
    assert f"registrera ett ärende i serviceportalen: {PORTAL}" in text
    assert resident not in text and resident[2:] not in text


def test_the_english_text_says_the_same() -> None:
    lines = _text("en").splitlines()
    for expected in (
        "Deviation report: wrong file sent",
        "The report was made 2026-03-29 at 10:00. All times are Swedish time.",
        "Kind: Reply",
        "Sent: 2026-03-28 at 15:05",
        "Sent by: Anna Sandlåda (anna)",
        "  Sent by mistake",
        "  Content: sensitive health data (personal data)",
        "  Retraction: requested 2026-03-28 at 15:50, done 2026-03-28 at 15:51",
        "The mistake was found 2026-03-28 at 15:50.",
        "Time left when the report was made: 54 h 50 min.",
        "Contact",
    ):
        assert expected in lines, expected
    assert not any(word in "\n".join(lines) for word in ("Skickat", "Mottagare", "Återkallelse"))


def test_contacts_are_named_without_their_phone_numbers_or_addresses() -> None:
    # Calling is done from the window; a number in the report makes it personal data.
    text = _text("sv")
    assert "asa.oberg@region.example" not in text and "30 000" not in text


def test_without_personal_data_there_is_no_imy_deadline_and_only_the_manager() -> None:
    text = _text("en", files=[wrong_file(SensitiveData.NONE)])
    assert "held no personal data according to Bifoga's check" in text
    assert "IMY) within 72 hours" not in text
    assert "Data protection coordinator" not in text
    assert "no request for deletion is needed" in text


def test_a_bulk_send_lists_every_recipient_masked() -> None:
    residents = sample_residents(250)
    text = _text("sv", kind="new_case", recipients=residents)
    assert "Meddelandet gick till 250 invånare (massutskick)." in text
    assert "Typ: Nytt ärende" in text and "Ärende: inget ärende-id" in text
    assert sum(line.endswith("-****") for line in text.splitlines()) == 250
    assert not any(r in text or r[2:] in text for r in residents)


def test_an_overdue_report_says_so() -> None:
    late = plain_text(
        sample_report(),
        contacts=[],
        portal_url="",
        now=NOW.replace(month=4, day=2),
        lang="sv",
    )
    assert "Tidsfristen gick ut för 41 tim 10 min sedan." in late
    assert "Närmaste chef: regionen har inte fyllt i vem det är" in late
    assert "Serviceportalens adress finns inte i Bifogas inställningar." in late


def test_the_reviewer_is_named_with_staff_id_and_never_with_empty_brackets() -> None:
    from app.deviation.formatting import person
    from app.deviation.report import StaffMember

    assert person(StaffMember("bertil", "Bertil Berg"), "sv") == "Bertil Berg (bertil)"
    assert person(StaffMember("", "Cecilia Carlsson"), "sv") == (
        "Cecilia Carlsson (personal-id okänt)"
    )


def test_each_role_is_said_once_and_placeholders_are_not_people() -> None:
    from app.config.settings import Contact

    shipped = [
        Contact("manager", "Närmaste chef"),
        Contact("data_protection", "Fyll i: namn på förvaltningens dataskyddssamordnare"),
    ]
    text = plain_text(sample_report(), contacts=shipped, portal_url=PORTAL, now=NOW, lang="sv")
    assert "Närmaste chef, Närmaste chef" not in text
    assert "- Närmaste chef. Följ rutinen" in text
    assert "Fyll i" not in text
    assert "Dataskyddssamordnare: regionen har inte fyllt i vem det är" in text


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError):
        plain_text(sample_report(), contacts=[], portal_url=PORTAL, now=NOW, lang="de")


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_deviation_text_exists_in_both_languages_with_the_same_placeholders() -> None:
    own = json.loads((ROOT / "resources" / "texts" / "deviation.json").read_text("utf-8"))
    assert own and all(code.startswith("deviation.") for code in own)
    for code, entry in own.items():
        assert set(entry) == {"sv", "en"}, code
        assert _placeholders(entry["sv"]) == _placeholders(entry["en"]), code


def test_every_code_the_deviation_core_can_return_has_a_text() -> None:
    literal = set()
    for path in (ROOT / "app" / "deviation").glob("*.py"):
        literal |= set(re.findall(r'"(deviation\.[a-z_]+(?:\.[a-z_]+)+)"', path.read_text("utf-8")))
    assert "deviation.input.no_wrong_file" in literal, "the scan found the core's codes"
    built = {f"deviation.kind.{kind.value}" for kind in MessageKind}
    built |= {f"deviation.data.{data.value}" for data in SensitiveData}
    built |= {f"deviation.retraction.{status.value}" for status in RetractionStatus}
    built |= {f"deviation.contact.role.{role.value}" for role in ContactRole}
    built |= {f"deviation.contact.reason.{role.value}" for role in ContactRole}
    missing = sorted(code for code in literal | built if not texts.has_message(code))
    assert missing == []
