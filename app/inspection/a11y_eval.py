"""``bifoga a11y-eval [FOLDER]``: how well the accessibility checks agree with a corpus
whose files say in their names whether they should pass (veraPDF's PDF/UA-1 corpus:
``<clause>-tNN-(pass|fail)-x.pdf``).

A ``fail`` file counts as flagged when inspection gives it an accessibility warning or
refusal or repairs it at staging; a ``pass`` file counts as silent when it gets no
warning or refusal (information, such as a web link, is allowed). Refusals for safety
(embedded files, scripts, media, hidden content) and "no text at all" are another
question than accessibility and are not counted either way; ``--verbose`` shows them.
Each file is inspected as the window would: staged on a private
copy, hidden content removed and safe repairs made first. The default folder is the
tests' copy of the corpus (``tests/files/corpus``), which a source checkout has.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from app.inspection.report import InspectionReport, Severity

_VERDICT = re.compile(r"-(pass|fail)-[a-z]+\.pdf$")
#: Findings about safety or the wrong file, not about what a listener hears.
_NOT_ACCESSIBILITY = frozenset(
    {
        "pdf.embedded_file",
        "pdf.javascript",
        "pdf.active_content",
        "pdf.launch_action",
        "pdf.external_link",
        "pdf.no_text",
    }
)


@dataclass(frozen=True, slots=True)
class Outcome:
    name: str
    should_pass: bool
    #: Codes of accessibility warnings and refusals, sorted.
    complaints: tuple[str, ...]
    #: Codes of other warnings and refusals (safety), sorted.
    others: tuple[str, ...] = ()

    @property
    def right(self) -> bool:
        return self.should_pass is not bool(self.complaints)


def default_folder() -> Path:
    return Path(__file__).resolve().parents[2] / "tests" / "files" / "corpus"


def corpus_files(folder: Path) -> Iterator[tuple[Path, bool]]:
    """Every PDF under ``folder`` whose name says pass or fail, in name order."""
    for path in sorted(folder.rglob("*.pdf"), key=lambda p: p.name):
        match = _VERDICT.search(path.name)
        if match:
            yield path, match.group(1) == "pass"


def complaints(report: InspectionReport) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(accessibility codes, other codes) of the report's warnings and refusals. A
    repair counts as noticed: the file broke the rule, and the copy sent no longer does
    (the PDF/UA declaration excepted, which is made only when nothing was wrong)."""
    raised = {f.code for f in report.findings if f.severity is not Severity.INFO}
    raised |= {
        f.code
        for f in report.findings
        if f.code.startswith("pdf.repaired_") and f.code != "pdf.repaired_pdfua_identifier"
    }
    others = {c for c in raised if c in _NOT_ACCESSIBILITY or "hidden" in c or c[:5] == "file."}
    return tuple(sorted(raised - others)), tuple(sorted(others))


def inspect_as_window(path: Path, scratch: Path) -> InspectionReport:
    """``path`` inspected as the window would: copied, cleaned and repaired, inspected."""
    from app.inspection import inspect_file
    from app.inspection.hidden import remove_hidden

    copy = scratch / path.name
    shutil.copyfile(path, copy)
    sanitized = remove_hidden(copy)
    return inspect_file(copy, name=path.name, removed=sanitized.removed)


def evaluate(folder: Path) -> list[Outcome]:
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="bifoga-a11y-") as scratch:
        for path, should_pass in corpus_files(folder):
            report = inspect_as_window(path, Path(scratch))
            outcomes.append(Outcome(path.name, should_pass, *complaints(report)))
    return outcomes


def shares(outcomes: Sequence[Outcome]) -> tuple[float | None, float | None]:
    """(share of fail files flagged, share of pass files left silent)."""
    failing = [o for o in outcomes if not o.should_pass]
    passing = [o for o in outcomes if o.should_pass]
    flagged = sum(1 for o in failing if o.complaints) / len(failing) if failing else None
    silent = sum(1 for o in passing if not o.complaints) / len(passing) if passing else None
    return flagged, silent


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bifoga a11y-eval", description=__doc__)
    parser.add_argument("folder", nargs="?", type=Path, default=None)
    parser.add_argument("--verbose", "-v", action="store_true", help="one line per file")
    args = parser.parse_args(argv)
    folder = args.folder or default_folder()
    if not folder.is_dir():
        print(f"bifoga a11y-eval: no folder {folder}", file=sys.stderr)
        return 2
    outcomes = evaluate(folder)
    if args.verbose:
        for outcome in outcomes:
            mark = "ok " if outcome.right else "MISS"
            verdict = "pass" if outcome.should_pass else "fail"
            said = " ".join(outcome.complaints) or "-"
            other = f" (also {' '.join(outcome.others)})" if outcome.others else ""
            print(f"{mark} {verdict} {outcome.name}: {said}{other}")
    flagged, silent = shares(outcomes)
    failing = sum(1 for o in outcomes if not o.should_pass)
    passing = len(outcomes) - failing
    print(f"fail files flagged: {_share(flagged)} of {failing}")
    print(f"pass files silent:  {_share(silent)} of {passing}")
    return 0


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"
