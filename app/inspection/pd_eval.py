"""``bifoga pd-eval [FILE]``: recall and precision of the detector per kind.

FILE is a labelled set (default: the one shipped in ``resources/personal_data``):
``{"today": "YYYY-MM-DD", "clinic": {"phone_numbers": [...], "addresses": [...]},
"documents": [{"id": ..., "text": ..., "spans": [{"kind": ..., "text": ...}]}]}``.
A span names its exact substring (the first occurrence, or ``"nth"``: 0-based).
A hit counts as a true positive when it has the span's kind and overlaps it; each span
is matched at most once. Documents are also scored as a whole ("found" or not), which
is the decision the sign-off dialog depends on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.inspection.personal_data import ALL_KINDS, Detector

DEFAULT_SET = "personal_data/labelled.json"


@dataclass(frozen=True, slots=True)
class Scores:
    true_positives: Counter[str]
    false_positives: Counter[str]
    false_negatives: Counter[str]
    documents: int
    documents_right: int  # "found" decided as labelled

    def recall(self, kind: str) -> float | None:
        total = self.true_positives[kind] + self.false_negatives[kind]
        return self.true_positives[kind] / total if total else None

    def precision(self, kind: str) -> float | None:
        total = self.true_positives[kind] + self.false_positives[kind]
        return self.true_positives[kind] / total if total else None


def load_set(path: Path | None) -> dict[str, Any]:
    if path is None:
        import resources

        return json.loads(resources.read_text(DEFAULT_SET))
    return json.loads(path.read_text(encoding="utf-8"))


def _spans(document: dict[str, Any]) -> list[tuple[str, int, int]]:
    text: str = document["text"]
    spans = []
    for span in document.get("spans", []):
        at = -1
        for _ in range(int(span.get("nth", 0)) + 1):
            at = text.find(span["text"], at + 1)
        if at < 0:
            raise ValueError(f"{document.get('id')}: {span['text']!r} not in the text")
        spans.append((span["kind"], at, at + len(span["text"])))
    return spans


def evaluate(labelled: dict[str, Any]) -> Scores:
    clinic = labelled.get("clinic", {})
    today = dt.date.fromisoformat(labelled["today"]) if labelled.get("today") else None
    detector = Detector(
        clinic_phone_numbers=clinic.get("phone_numbers", ()),
        clinic_addresses=clinic.get("addresses", ()),
        today=today,
    )
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    right = 0
    documents = labelled["documents"]
    for document in documents:
        gold = _spans(document)
        hits = detector.find(document["text"])
        matched: set[int] = set()
        for hit in hits:
            for index, (kind, start, end) in enumerate(gold):
                if (
                    index not in matched
                    and kind == hit.kind
                    and hit.start < end
                    and start < hit.end
                ):
                    matched.add(index)
                    tp[kind] += 1
                    break
            else:
                fp[hit.kind] += 1
        for index, (kind, _, _) in enumerate(gold):
            if index not in matched:
                fn[kind] += 1
        right += bool(hits) == bool(gold)
    return Scores(tp, fp, fn, len(documents), right)


def _pct(value: float | None) -> str:
    return "     -" if value is None else f"{value * 100:5.1f}%"


def report(scores: Scores) -> str:
    lines = [f"{'kind':<18} {'recall':>7} {'precision':>9}   tp  fp  fn"]
    total_tp = total_fp = total_fn = 0
    for kind in ALL_KINDS:
        tp, fp, fn = (
            scores.true_positives[kind],
            scores.false_positives[kind],
            scores.false_negatives[kind],
        )
        if not (tp or fp or fn):
            continue
        total_tp, total_fp, total_fn = total_tp + tp, total_fp + fp, total_fn + fn
        lines.append(
            f"{kind:<18} {_pct(scores.recall(kind)):>7} {_pct(scores.precision(kind)):>9}"
            f" {tp:4d}{fp:4d}{fn:4d}"
        )
    all_recall = total_tp / (total_tp + total_fn) if total_tp + total_fn else None
    all_precision = total_tp / (total_tp + total_fp) if total_tp + total_fp else None
    lines.append(
        f"{'all':<18} {_pct(all_recall):>7} {_pct(all_precision):>9}"
        f" {total_tp:4d}{total_fp:4d}{total_fn:4d}"
    )
    lines.append(
        f"documents: {scores.documents_right}/{scores.documents} decided right (found or not)"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bifoga pd-eval",
        description="Recall and precision of the personal-data detector per kind.",
    )
    parser.add_argument("labelled", nargs="?", type=Path, help="labelled set (JSON)")
    parser.add_argument(
        "--text-only", action="store_true", help="only the labelled text set (no PDFs, no OCR)"
    )
    parser.add_argument("--quick", action="store_true", help="fewer pictures")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        scores = evaluate(load_set(args.labelled))
    except (OSError, ValueError, KeyError) as error:
        print(f"bifoga pd-eval: {error}", file=sys.stderr)
        return 2
    print(report(scores))
    if args.text_only:
        return 0
    # Places beside a PDF's pages and pictures (issue 19): generated here, see pd_eval_more.
    from app.inspection import pd_eval_more

    places = pd_eval_more.evaluate_places(rounds=1 if args.quick else 3)
    if pd_eval_more.engine_missing():
        print("\n" + pd_eval_more.report(places, None))
        print("pictures: Tesseract is not installed; not measured", file=sys.stderr)
        return 0
    pictures = pd_eval_more.evaluate_pictures(quick=args.quick)
    print("\n" + pd_eval_more.report(places, pictures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
