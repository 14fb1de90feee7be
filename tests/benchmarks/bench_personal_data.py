"""Benchmark ``personal_data_throughput``: the detector against a plain ``re`` scan.

Prints (and returns) one line:
``BENCH personal_data_throughput value=<MB/s> unit=MB/s baseline=<MB/s> ratio=<b/v> target=...``
``baseline`` is ``re.finditer(r"\\d{10}")`` over the same text, the floor any regex-based
detector pays; ``ratio = baseline / value``, so ``ratio<=3.0`` means "within 3x of the
plain scan". Both are measured side by side in the same run (best of several rounds), on
about 8 MB of generated Swedish clinical text with identifiers, phone numbers, e-mail
addresses, addresses, labelled names and journal headings sprinkled in.

Run alone: ``python -m tests.benchmarks.bench_personal_data``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import sys
import time
from typing import Any

from app.inspection.personal_data import Detector
from tests.benchmarks.common import BenchContext

TARGET_BYTES = 8_000_000
ROUNDS = 5

# Body sentences: numbers everywhere (dates, times, lab values, doses, invoices, OCR and
# article numbers), as in lab reports and letters.
_TEMPLATES = (
    "Patienten inkommer med {n} dagars feber och hosta, CRP {crp} mg/L, Hb {hb} g/L.",
    "Provtagning {date} kl {hh}:{mm}: LPK {lpk},{d} x10^9/L, Na {na} mmol/L, K {k},{d} mmol/L.",
    "Blodtryck {sys}/{dia} mmHg, puls {pulse}/min, temp {t},{d} grader, saturation {sat} %.",
    "Ordination: Amoxicillin {dose} mg x {x} i {n} dagar, Alvedon 1 g vid behov, max 4 g/dygn.",
    "Återbesök om {n}-{n2} veckor, ring mottagningen vid försämring.",
    "Faktura {inv}, förfallodatum {date}, belopp {kr} kr, bankgiro 5050-1055, OCR {ocr}.",
    "Vikt {kg},{d} kg, längd {cm} cm, BMI {bmi},{d}. EKG: sinusrytm {pulse} slag/min.",
    "Du är välkommen den {day} maj klockan {hh}.{mm} till avdelning {n}, rum {n2}.",
    "Läkemedelslistan är genomgången och uppdaterad den {day}/{month}.",
    "Röntgen av thorax visar inga infiltrat. HbA1c {hba} mmol/mol, eGFR {egfr} ml/min/1,73m2.",
    "Art.nr {art}, förpackning {n}0 st, lot {lot}, bäst före {date}.",
    "Remissen är mottagen och du kommer att kallas inom {n} veckor.",
    "Patienten mår bättre och kan gå hem i morgon, uppföljning sker på vårdcentralen.",
    "Vi har tagit del av dina provsvar och de ser bra ut; inga nya åtgärder behövs.",
)
# One letterhead per page, as PDF text extraction returns it.
_LETTERHEAD = (
    "Skånes universitetssjukhus, Infektionskliniken\r\nBox 117, 221 00 Lund\r\n"
    "Växel 046-17 10 00, org.nr 232100-0255\r\n"
)
# Personal data, a few per page.
_PERSONAL = (
    "Pnr {pnr}.",
    "Patient: Tolvan Tolvansson, {pnr}",
    "Mobil {mobile}.",
    "E-post {mail}@exempel.se",
    "Adress Storgatan {n}, 222 21 Lund.",
    "\r\nAnamnes\r\n",
    "Diagnos: J18.9 pneumoni.",
    "Personnummer {pnr10}.",
)
SENTENCES_PER_PAGE = 30
PERSONAL_PER_PAGE = 2


def clinical_text(target_bytes: int = TARGET_BYTES, seed: int = 4) -> str:
    """Realistic-looking Swedish clinical text: lots of numbers, a few identifiers."""
    rng = random.Random(seed)
    base = dt.date(1930, 1, 1)

    def pnr(ten: bool) -> str:
        born = base + dt.timedelta(days=rng.randrange(30000))
        head = born.strftime("%y%m%d")
        serial = f"{rng.randrange(1, 1000):03d}"
        total = 0
        for index, char in enumerate(head + serial):
            product = int(char) * (2 if index % 2 == 0 else 1)
            total += product - 9 if product > 9 else product
        check = (10 - total % 10) % 10
        return f"{head}-{serial}{check}" if ten else f"{born:%Y}{head[2:]}-{serial}{check}"

    r = rng.randrange
    # Only the requested field is computed (a table of functions).
    table: dict[str, Any] = {
        "n": lambda: r(1, 14), "n2": lambda: r(1, 40), "crp": lambda: r(1, 300),
        "hb": lambda: r(90, 170), "lpk": lambda: r(3, 20), "d": lambda: r(10),
        "na": lambda: r(130, 146), "k": lambda: r(3, 6), "sys": lambda: r(100, 180),
        "dia": lambda: r(60, 110), "pulse": lambda: r(45, 120), "t": lambda: r(36, 41),
        "sat": lambda: r(88, 100), "dose": lambda: r(1, 10) * 50, "x": lambda: r(1, 4),
        "kr": lambda: r(100, 5000), "kg": lambda: r(40, 130), "cm": lambda: r(140, 200),
        "bmi": lambda: r(17, 40), "day": lambda: r(1, 29), "month": lambda: r(1, 13),
        "hba": lambda: r(30, 90), "egfr": lambda: r(20, 120),
        "hh": lambda: f"{r(7, 17):02d}", "hh2": lambda: r(15, 18), "mm": lambda: f"{r(60):02d}",
        "date": lambda: f"{r(2020, 2027)}-{r(1, 13):02d}-{r(1, 29):02d}",
        "inv": lambda: f"{r(2020, 2027)}-{r(100000):05d}", "ocr": lambda: f"{r(10**15, 10**16)}",
        "art": lambda: f"{r(10, 99)}-{r(100, 999)}-{r(100, 999)}",
        "lot": lambda: f"{r(10, 99)}B{r(1000, 9999)}",
        "pnr": lambda: pnr(False), "pnr10": lambda: pnr(True), "mail": lambda: f"pat{r(10000)}",
        "mobile": lambda: f"07{r(0, 4)}-{r(100, 999)} {r(10, 99)} {r(10, 99)}",
    }  # fmt: skip

    def value(key: str) -> str:
        return str(table[key]())

    fields = re.compile(r"\{(\w+)\}")
    parts: list[str] = []
    size = 0
    page = 0
    while size < target_bytes:
        page += 1
        sentences = [rng.choice(_TEMPLATES) for _ in range(SENTENCES_PER_PAGE)]
        for _ in range(PERSONAL_PER_PAGE):
            sentences.insert(rng.randrange(len(sentences)), rng.choice(_PERSONAL))
        body = " ".join(fields.sub(lambda m: value(m.group(1)), s) for s in sentences)
        chunk = f"{_LETTERHEAD}{body}\r\nSida {page}\r\n\f"
        parts.append(chunk)
        size += len(chunk.encode("utf-8"))
    return "".join(parts)


def _seconds(function: Any) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def measure(target_bytes: int = TARGET_BYTES, rounds: int = ROUNDS) -> tuple[float, float, int]:
    """(detector MB/s, plain re MB/s, hits) on the same generated text.

    The two are timed alternately, best of ``rounds`` each, so that a noisy neighbour
    slows both rather than one.
    """
    text = clinical_text(target_bytes)
    megabytes = len(text.encode("utf-8")) / 1_000_000
    detector = Detector(
        clinic_phone_numbers=["046-17 10 00"],
        clinic_addresses=["Box 117, 221 00 Lund"],
        today=dt.date(2026, 1, 1),
    )
    plain = re.compile(r"\d{10}")
    hits = len(detector.find(text))  # warm the caches a long-lived detector has
    baseline_s = detector_s = float("inf")
    for _ in range(rounds):
        baseline_s = min(baseline_s, _seconds(lambda: sum(1 for _ in plain.finditer(text))))
        detector_s = min(detector_s, _seconds(lambda: detector.find(text)))
    return megabytes / detector_s, megabytes / baseline_s, hits


def run(ctx: BenchContext | None = None) -> list[str]:
    rounds = ctx.repeat(ROUNDS) if ctx is not None else ROUNDS
    value, baseline, _hits = measure(rounds=rounds)
    ratio = baseline / value
    return [
        f"BENCH personal_data_throughput value={value:.1f} unit=MB/s baseline={baseline:.1f} "
        f"ratio={ratio:.2f} target=ratio<=3.0;value>=25"
    ]


def main() -> int:
    for line in run(None):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
