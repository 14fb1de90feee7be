"""No hits on clinical-style text without personal data; the other kinds are found."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from app.inspection.personal_data import (
    Detector,
    TextHit,
    find_personal_data,
    personal_data_found,
)
from tests.personal_data.helpers import TODAY

CLINIC = Detector(
    today=TODAY,
    clinic_phone_numbers=["046-17 10 00", "+46 40 33 10 00"],
    clinic_addresses=["Getingevägen 4, 222 41 Lund", "Box 117, 221 00 Lund"],
)

LETTERHEAD = (
    "Vårdcentralen Norr\r\nGetingevägen 4, 222 41 Lund\r\nBox 117, 221 00 Lund\r\n"
    "Växel 046-17 10 00 · Fax +46 40 33 10 00 · Org.nr 232100-0255\r\n"
)
NEGATIVE_TEXTS = [
    LETTERHEAD + "Information inför din operation",
    "Kallelse till mottagningen den 14 maj 2024 klockan 10.15, avdelning 12, plan 3, rum 3.",
    "Ta med dig läkemedelslistan. Fasta från kl 24:00. Ankomst 07:30, operation 08:45.",
    "Referensintervall: CRP < 5 mg/L, Hb 117-153 g/L, LPK 3,5-8,8 x10^9/L, Na 137-145 mmol/L, "
    "K 3,5-4,4 mmol/L, kreatinin 45-90 µmol/L, eGFR > 60 ml/min/1,73m2, HbA1c 27-42 mmol/mol.",
    "Dosering: Alvedon 500 mg 1-2 tabletter 3-4 gånger per dygn, högst 4 g per dygn. "
    "Waran 2,5 mg enligt ordination, INR-mål 2,0-3,0. Insulin 10 E + 8 E + 12 E.",
    "Vaccination 2024-03-12 kl 14:30, nästa dos 2024-09-12, sista dag 20241231, vecka 11.",
    "Faktura nr 2024-00123, OCR 4746029389713271, bankgiro 5050-1055, plusgiro 90 20 01-0, "
    "belopp 350 kr, förfaller 2024-04-30. Kundnummer 100234.",
    "Region Skåne, org.nr 232100-0255. Leverantör AB, orgnr 556677-8899, momsnr SE556677889901.",
    "Artikelnummer 40-123-456, EAN 7310610008956, lot 23B0412, utgångsdatum 2026-08, 100 st.",
    "Frågor om 1177: ring 1177 eller supporten 0771-11 11 11, servicedesk 077-67 30 000, "
    "frikostnadsnummer 020-123 456.",
    "Blodtryck 135/85 mmHg, puls 78/min, temp 38,2, saturation 96 %, vikt 72,5 kg, BMI 22,9.",
    "Så tar du hand om ditt sår. Byt förband varannan dag och håll såret torrt i 24 timmar.",
    "Telefontid 08.30-09.30 måndag till fredag. Besökstid 13-15 och 18-19. Ingång 21, plan 2.",
    "Dokument-id RS-2024-118-3, version 2.1, fastställd 2023-11-05 av verksamhetschef.",
    "Behandlingen pågår i 6-8 veckor; vid feber över 38,5 grader kontakta 1177.",
    "Vitamin B12 och D-vitamin 800 IE dagligen, järn 100 mg varannan dag.",
    "Status: skickad. Behandling: enligt plan. Läkemedel: se lista.",
]


def test_negative_clinical_texts_have_no_hits() -> None:
    for text in NEGATIVE_TEXTS:
        assert CLINIC.find(text) == [], text


def test_generated_negative_text_has_no_hits() -> None:
    rng = random.Random(7)
    parts = []
    for _ in range(3000):
        parts.append(
            rng.choice(
                [
                    f"Provtagning {rng.randrange(2019, 2027)}-{rng.randrange(1, 13):02d}-"
                    f"{rng.randrange(1, 29):02d} kl {rng.randrange(24):02d}:"
                    f"{rng.randrange(60):02d}.",
                    f"CRP {rng.randrange(300)} mg/L, Hb {rng.randrange(80, 170)} g/L, "
                    f"LPK {rng.randrange(2, 30)},{rng.randrange(10)}.",
                    f"Dos {rng.randrange(1, 20) * 25} mg x {rng.randrange(1, 5)} i "
                    f"{rng.randrange(3, 15)} dagar.",
                    f"Faktura {rng.randrange(2020, 2027)}-{rng.randrange(100000):05d}, "
                    f"OCR {rng.randrange(10**14, 10**15)}{rng.randrange(10)}.",
                    f"Art.nr {rng.randrange(10, 99)}-{rng.randrange(100, 999)}-"
                    f"{rng.randrange(100, 999)}, {rng.randrange(1, 200)} st.",
                    f"Blodtryck {rng.randrange(90, 200)}/{rng.randrange(50, 120)}, "
                    f"puls {rng.randrange(40, 150)}.",
                    LETTERHEAD,
                ]
            )
        )
    assert CLINIC.find(" ".join(parts)) == []


def test_the_letterhead_is_personal_data_without_the_clinic_configuration() -> None:
    kinds = {h.kind for h in Detector(today=TODAY).find(LETTERHEAD)}
    assert kinds == {"address", "phone"}


def kinds_and_text(text: str, detector: Detector = CLINIC) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in detector.find(text)]


def test_phone_numbers() -> None:
    text = (
        "Ring 070-123 45 67, 0701234567, 08-123 45 67, 031-12 34 56, +46 70 123 45 67, "
        "0046 70 123 45 67, (08) 123 45 67 eller +45 33 12 34 56."
    )
    found = kinds_and_text(text)
    assert [k for k, _ in found] == ["phone"] * 8
    assert found[0][1] == "070-123 45 67"
    hits = CLINIC.find("Mobil 070-123 45 12")
    assert hits[0].masked == "07x-xxx xx 12"


def test_trailing_numbers_are_not_part_of_a_phone_number() -> None:
    assert kinds_and_text("Tel 08-123 45 67 12 st") == [("phone", "08-123 45 67")]


def test_mobile_number_written_without_separator_after_a_phone_label() -> None:
    # 0701234567 is also shaped like a personnummer (2007-01-23): the label decides.
    from app.protocol.identifiers import luhn_ok

    number = next(f"07012{n:04d}{c}" for n in range(100, 9999) for c in "0123456789"
                  if luhn_ok(f"07012{n:04d}{c}"))[:10]  # fmt: skip
    assert CLINIC.find(f"Pnr {number}")[0].kind == "personnummer"
    assert CLINIC.find(f"Mobil: {number}")[0].kind == "phone"


def test_email() -> None:
    (hit,) = CLINIC.find("Svar till anna.b-svensson+1177@region.exempel.se, tack.")
    assert hit.kind == "email" and hit.masked == "a***@region.exempel.se"


def test_addresses() -> None:
    found = kinds_and_text(
        "Bor på Storgatan 12, 222 21 Lund; tidigare Lilla Fiskaregatan 3 B, 22222 Lund "
        "och Södra Förstadsgatan 101, SE-211 43 Malmö."
    )
    assert found == [
        ("address", "Storgatan 12"),
        ("address", "222 21 Lund"),
        ("address", "Lilla Fiskaregatan 3 B"),
        ("address", "22222 Lund"),
        ("address", "Södra Förstadsgatan 101"),
        ("address", "211 43 Malmö"),
    ]


def test_names_after_labels() -> None:
    found = kinds_and_text(
        "Patient: Tolvan Tolvansson\nNamn: Tolvansson, Tolvan\nAnhörig: Anna-Karin Ek\n"
        "Patient: 19121212-1212 Britt Svensson\nPatient: Kvinna 45 år\nPAT: Sven T. Olsson"
    )
    assert [x for x in found if x[0] == "name"] == [
        ("name", "Tolvan Tolvansson"),
        ("name", "Tolvansson, Tolvan"),
        ("name", "Anna-Karin Ek"),
        ("name", "Britt Svensson"),
        ("name", "Sven T. Olsson"),
    ]
    assert CLINIC.find("Patient: Tolvan Tolvansson")[0].masked == "T*** T***"


def test_health_headings_and_icd_codes() -> None:
    text = (
        "Anamnes\r\nHosta sedan 3 dagar.\r\nBedömning: virusinfektion.\r\n"
        "Diagnos: J06.9 och I10. EPIKRIS\r\nProvsvar: se bilaga. ICD-10 E11.65\r\n"
    )
    found = kinds_and_text(text)
    assert found == [
        ("health", "Anamnes"),
        ("health", "Bedömning"),
        ("health", "Diagnos"),
        ("health", "J06.9"),
        ("health", "I10"),
        ("health", "Provsvar"),
        ("health", "E11.65"),
    ]
    # An ICD-shaped code without a context word is not health data (vitamin B12, A4 paper).
    assert CLINIC.find("Vitamin B12 tas dagligen, skriv ut på A4.") == []


def test_found_means_any_hit_health_included() -> None:
    assert personal_data_found(CLINIC.find("Epikris\r\nInga anmärkningar."))
    assert not personal_data_found(CLINIC.find("Inga anmärkningar."))
    assert find_personal_data("pnr 19121212-1212")[0].kind == "personnummer"


def test_repr_never_shows_the_identifier() -> None:
    (hit,) = CLINIC.find("pnr 19121212-1212")
    assert hit.identifier == "191212121212"
    assert "1212-1212" not in repr(hit) and "191212121212" not in repr(hit)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -+–:@.,abcÅäöPNTXDEF\n\u00a0", max_size=200))
def test_hits_are_sorted_in_bounds_and_do_not_overlap(text: str) -> None:
    hits: list[TextHit] = CLINIC.find(text)
    for hit in hits:
        assert 0 <= hit.start < hit.end <= len(text)
    for left, right in itertools.pairwise(hits):
        assert left.end <= right.start


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_safe(text: str) -> None:
    CLINIC.find(text)


# Payment references after their labels are digit groups, not phone numbers (issue 13).
PAYMENT_REFERENCES = [
    "OCR-nummer 4711 0815 2024",
    "OCR-nr: 4711 0815 2024",
    "Referensnummer (OCR) 08 123 45 67 89",
    "Bankgiro 5050-1055",
    "bg 0812-3456",
    "Bankgironummer: 0701-2345",
    "Plusgiro 4 12 34-5",
    "pg 08 12 34-5",
    "Fakturanummer 2024-118 77",
    "Fakturanr: 0701 234 567",
    "Faktura nr 08-123 45 67",
]


def test_payment_references_after_their_labels_are_not_phone_numbers() -> None:
    for text in PAYMENT_REFERENCES:
        assert [hit for hit in CLINIC.find(text) if hit.kind == "phone"] == [], text


def test_the_same_digits_without_a_payment_label_are_still_phone_numbers() -> None:
    for text in ("Ring 08-123 45 67", "Mobil 0701 234 567", "tel 0815 2024 efter kl 13"):
        assert [hit.kind for hit in CLINIC.find(text)] == ["phone"], text


def test_a_phone_number_after_an_invoice_line_still_counts() -> None:
    text = "Fakturanummer 2024-118 77, OCR 4711 0815 2024.\nFrågor? Ring Anna på 070-765 43 21."
    (hit,) = CLINIC.find(text)
    assert (hit.kind, text[hit.start : hit.end]) == ("phone", "070-765 43 21")


def test_a_personnummer_after_a_payment_label_is_still_found() -> None:
    """Some payees use the personnummer as the payment reference: it is still one."""
    kinds = [hit.kind for hit in CLINIC.find("OCR-nummer 19861209-2398")]
    assert kinds == ["personnummer"]
