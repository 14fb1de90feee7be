"""The sandbox's demo world: staff, residents and cases, the same on every start.

Resident identifiers are Skatteverket's official test personnummer ("testpersonnummer",
open data meant for test systems, belonging to no real person), copied from the list in
github.com/Gyran/testpersonnummer (lib/index.js). Never put another number here.
The one samordningsnummer is built from the test number 189001019802: day + 60 and a new
Luhn check digit (189001619809); born 1890, it can belong to no living person.

The card PINs are plain demo strings: the sandbox's start page shows them to anyone, on
purpose. They belong to the demo SITHS cards and only the sandbox's identity provider
(sandbox/idp) checks them: the gateway never sees a credential (protocol 1.2).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.protocol.model import Role

UNIT_LUND = "Vårdcentralen Lund"
UNIT_MALMO = "Vårdcentralen Malmö"

_BOTH = (Role.SENDER.value, Role.REVIEWER.value)
_SENDER_ONLY = (Role.SENDER.value,)


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A staff account: the demo data's, and the store's rows (one record for both)."""

    staff_id: str
    name: str
    unit: str
    roles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DemoResident:
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class DemoCase:
    case_id: str
    unit: str
    resident_id: str
    subject: str
    opened_at: str
    status: str


STAFF: tuple[StaffMember, ...] = (
    StaffMember("anna", "Anna Andersson", UNIT_LUND, _BOTH),
    StaffMember("bertil", "Bertil Berg", UNIT_LUND, _BOTH),
    StaffMember("cecilia", "Cecilia Carlsson", UNIT_LUND, _BOTH),
    # Sends, but may not sign off on a colleague's message.
    StaffMember("david", "David Dahl", UNIT_LUND, _SENDER_ONLY),
    # Another unit: sees none of Lund's cases and may not sign off on Lund's messages.
    StaffMember("erik", "Erik Ek", UNIT_MALMO, _BOTH),
)

RESIDENTS: tuple[DemoResident, ...] = (
    DemoResident("196801029288", "Karin Berg"),
    DemoResident("194501103297", "Gunnar Lindqvist"),
    DemoResident("198510012381", "Sara Nilsson"),
    DemoResident("193801029202", "Elsa Holm"),
    DemoResident("199201011732", "Erik Johansson"),
    DemoResident("200501012397", "Oskar Lund"),
    DemoResident("189001619809", "Leyla Demir"),  # samordningsnummer
)

CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "2024-118", UNIT_LUND, "196801029288", "Provsvar", "2024-11-18T08:12:00.000000Z", "open"
    ),
    DemoCase(
        "2024-119", UNIT_LUND, "194501103297", "Recept", "2024-11-18T09:40:00.000000Z", "open"
    ),
    DemoCase(
        "2024-120", UNIT_LUND, "198510012381", "Remiss", "2024-11-19T10:05:00.000000Z", "open"
    ),
    DemoCase("2024-121", UNIT_LUND, "193801029202", "Intyg", "2024-11-19T13:30:00.000000Z", "open"),
    DemoCase(
        "2024-122",
        UNIT_LUND,
        "189001619809",
        "Fråga om provtagning",
        "2024-11-20T07:55:00.000000Z",
        "open",
    ),
    DemoCase(
        "2024-101",
        UNIT_LUND,
        "199201011732",
        "Vaccination",
        "2024-10-02T14:00:00.000000Z",
        "answered",
    ),
    DemoCase(
        "2024-201", UNIT_MALMO, "200501012397", "Tidsbokning", "2024-11-20T11:20:00.000000Z", "open"
    ),
)

#: The demo SITHS cards' PINs, by staff id: the identity provider's, not the gateway's.
CARD_PINS: dict[str, str] = {
    "anna": "1111",
    "bertil": "2222",
    "cecilia": "3333",
    "david": "4444",
    "erik": "5555",
}

#: What each demo resident wrote when opening the case: the first message of its thread.
CASE_QUESTIONS: dict[str, str] = {
    "2024-118": "Hej! Jag lämnade blodprov förra veckan. Kan jag få provsvaret?",
    "2024-119": "Hej, mitt recept på blodtrycksmedicin tar slut. Kan det förnyas?",
    "2024-120": "Hej! Jag undrar om min remiss till hudmottagningen har skickats.",
    "2024-121": "Hej, jag behöver ett intyg till arbetsgivaren om min sjukskrivning.",
    "2024-122": "Hej! Behöver jag fasta före provtagningen på torsdag?",
    "2024-101": "Hej, när kan jag ta påfyllnadsdosen av vaccinet?",
    "2024-201": "Hej! Jag vill boka om min tid nästa vecka.",
}
