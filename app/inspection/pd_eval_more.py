"""``bifoga pd-eval``'s pictures and places beside the pages (issue 19).

- **Places**: for each place a PDF carries text in (``samples_pdf.CASES``), PDFs with a
  generated identifier there, inspected as the window inspects them (``inspect_file``,
  under the name chosen); a true positive is an identifier hit in that place with that
  number. Negatives carry dates and lab values in the same places: any hit there is false.
- **Pictures**: screenshots, photos and negatives from ``samples.pictures``, read with
  the same OCR and detector as the inspection; a true positive is a hit of the label's
  kind whose text (letters and digits) is the label's.

Everything is made on the spot (no files fetched): the scores measure what OCR and the
places' reading lose or invent, the detector's own rules being measured on the text set.
"""

from __future__ import annotations

import random
import re
import tempfile
from collections import Counter
from pathlib import Path

from app.inspection import ocr, samples, samples_pdf
from app.inspection.personal_data import IDENTIFIER_KINDS, Detector

_NEGATIVE_TEXT = "provtaget 2024-03-12 kl 08:30, CRP 85 mg/L"


class Tally:
    """True positives, false positives and false negatives per row."""

    def __init__(self) -> None:
        self.tp: Counter[str] = Counter()
        self.fp: Counter[str] = Counter()
        self.fn: Counter[str] = Counter()

    def rows(self) -> list[str]:
        return sorted(set(self.tp) | set(self.fp) | set(self.fn))

    def line(self, name: str, tp: int, fp: int, fn: int) -> str:
        recall = f"{tp / (tp + fn) * 100:5.1f}%" if tp + fn else "     -"
        precision = f"{tp / (tp + fp) * 100:5.1f}%" if tp + fp else "     -"
        return f"{name:<18} {recall:>7} {precision:>9} {tp:4d}{fp:4d}{fn:4d}"

    def report(self, heading: str, order: list[str] | None = None) -> str:
        lines = [f"{heading:<18} {'recall':>7} {'precision':>9}   tp  fp  fn"]
        for row in order or self.rows():
            if order or self.tp[row] or self.fp[row] or self.fn[row]:
                lines.append(self.line(row, self.tp[row], self.fp[row], self.fn[row]))
        total = (sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        lines.append(self.line("all", *total))
        return "\n".join(lines)


def _tail(value: str) -> str:
    return re.sub(r"\D", "", value)[-10:]


def evaluate_places(rounds: int = 3, seed: int = 19) -> Tally:
    """Recall and precision per place beside the pages, through ``inspect_file``."""
    from app.inspection.inspect import inspect_file

    rng = random.Random(seed)
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="bifoga-pd-eval-") as folder:
        path = Path(folder) / "file.pdf"
        for round_ in range(rounds):
            for case, place in samples_pdf.CASES:
                number = samples.identifier(rng, coordination=round_ == 2)
                written = number if round_ != 1 else number[2:]  # YYMMDD-NNNC too
                path.write_bytes(samples_pdf.pdf_with(case, written))
                report = inspect_file(path, name=samples_pdf.file_name(case, written))
                found = False
                for hit in report.hits:
                    if hit.place is None:
                        continue
                    ours = hit.identifier is not None and _tail(hit.identifier) == _tail(number)
                    if ours and hit.place == place and not found:
                        found = True
                        tally.tp[place] += 1
                    elif hit.kind in IDENTIFIER_KINDS and not ours:
                        tally.fp[hit.place] += 1  # (the same number twice is no mistake)
                if not found:
                    tally.fn[place] += 1
            for case, _place in samples_pdf.CASES:
                path.write_bytes(samples_pdf.pdf_with(case, _NEGATIVE_TEXT))
                report = inspect_file(path, name=samples_pdf.file_name(case, _NEGATIVE_TEXT))
                for hit in report.hits:
                    if hit.place is not None:
                        tally.fp[hit.place] += 1
    return tally


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-zåäöé]", "", text.lower())


def evaluate_pictures(*, quick: bool = False, seed: int = 19) -> Tally:
    """Recall and precision per kind of picture (screenshot, photo, negative)."""
    detector = Detector()
    limits_pixels = 9_000_000
    tally = Tally()
    for picture in samples.pictures(seed, quick=quick):
        words = ocr.read_words(picture.image, timeout_s=60, max_pixels=limits_pixels)
        labels = [(kind, _norm(text)) for kind, text in picture.labels]
        matched: set[int] = set()
        for hit in detector.find(words.text):
            said = _norm(words.text[hit.start : hit.end])
            for index, (kind, text) in enumerate(labels):
                if index not in matched and kind == hit.kind and said and (said == text):
                    matched.add(index)
                    tally.tp[picture.group] += 1
                    break
            else:
                tally.fp[picture.group] += 1
        tally.fn[picture.group] += len(labels) - len(matched)
    return tally


PLACE_ORDER = list(dict.fromkeys(place for _case, place in samples_pdf.CASES))
PICTURE_ORDER = ["screenshot", "photo", "negative"]


def report(places: Tally | None, pictures: Tally | None) -> str:
    parts = []
    if places is not None:
        parts.append(places.report("place", PLACE_ORDER))
    if pictures is not None:
        parts.append(pictures.report("picture", PICTURE_ORDER))
    return "\n\n".join(parts)


def engine_missing() -> bool:
    return ocr.engine() is None
