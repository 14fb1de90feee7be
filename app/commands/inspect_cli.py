"""``bifoga inspect [--json] [--recipient ID ...] FILE ...``: inspect files as the window would.

Every file goes through the same isolated worker as in the window (one worker for
all files), and the way the window takes it: a private working copy, rewritten without
what no viewer shows (``app.inspection.hidden``), then inspected; so the report, its
SHA-256 among it, is of the bytes the window would send. Exit status: 0 when no file
is blocked, 1 when one is, 2 for a usage error. With ``--json``: one JSON array on
standard output, one object per file, in the shape docs/design.md gives; without it, Swedish
sentences for people.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from app.commands.cli_args import EXIT_USAGE, Parser, parse
from app.config.texts import message
from app.drafts.recipients import canonical_from_input
from app.inspection.isolated import InspectClient, failure_report, inspect_isolated, unchecked
from app.inspection.policy import default_policy
from app.inspection.report import InspectionReport, Verdict
from app.isolation.worker import IsolatedWorker, WorkerFailure

EXIT_OK = 0
EXIT_BLOCKED = 1

_VERDICT_SV = {
    Verdict.OK: "kan skickas",
    Verdict.REVIEW: "kan skickas efter att en kollega har granskat den",
    Verdict.BLOCKED: "kan inte skickas",
}


def _parser() -> Parser:
    parser = Parser(
        prog="bifoga inspect",
        description="Granska filer som Bifoga gör innan de får skickas.",
    )
    parser.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    parser.add_argument(
        "--recipient",
        action="append",
        default=[],
        metavar="ID",
        help="mottagarens personnummer eller samordningsnummer (12 siffror); kan upprepas",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    return parser


def report_to_json(path: str, report: InspectionReport) -> dict[str, Any]:
    """One file's result in the shape docs/design.md ("Command line") specifies."""
    return {
        "file": path,
        "sha256": report.sha256,
        "media_type": report.media_type,
        "pages": report.pages,
        "verdict": report.verdict.value,
        "findings": [
            {
                "code": finding.code,
                "severity": finding.severity.value,
                "page": finding.page,
                "message_sv": message(finding.code, "sv", finding.param_dict),
                "message_en": message(finding.code, "en", finding.param_dict),
            }
            for finding in report.findings
        ],
        "personal_data": {
            "found": report.personal_data_found,
            # "place": where beside the pages the hit is (app.inspection.pdf_places),
            # null for a page's or a picture's text.
            "hits": [
                {"kind": hit.kind, "page": hit.page, "masked": hit.masked, "place": hit.place}
                for hit in report.hits
            ],
        },
    }


def inspect_as_staged(
    worker: IsolatedWorker, path: str, recipients: Sequence[str] = ()
) -> InspectionReport:
    """Inspect ``path`` as the window does: a working copy, rewritten in ``worker``
    without hidden content, then inspected under the file's own name. A file that
    cannot be copied, or is too large to send anyway, is inspected where it is (the
    report says why it is refused)."""
    source = Path(path)
    special = _special_file(source)
    if special is not None:
        return special
    try:
        copyable = source.is_file() and source.stat().st_size <= default_policy().limits.max_bytes
    except OSError:
        copyable = False
    if not copyable:
        return inspect_isolated(worker, source, recipients)
    with tempfile.TemporaryDirectory(prefix="bifoga-inspect-") as folder:
        copy = Path(folder) / "file"
        try:
            shutil.copyfile(source, copy)
        except OSError:
            return inspect_isolated(worker, source, recipients)
        try:
            sanitized = InspectClient(worker).sanitize(copy)
        except WorkerFailure as failure:
            return failure_report(copy, failure)
        return inspect_isolated(
            worker, copy, recipients, name=source.name, removed=sanitized.removed
        )


def _special_file(source: Path) -> InspectionReport | None:
    """A FIFO, device or socket refused at once, as the window refuses it when staging
    (``file.not_a_file``): opening one to read may wait for ever or never end. ``stat``
    does not open it. A path that cannot be stat'ed is left to the worker to report."""
    try:
        mode = source.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return unchecked("file.not_a_file", name=source.name)


def _print_human(path: str, report: InspectionReport, out: TextIO) -> None:
    print(f"{path}: {_VERDICT_SV[report.verdict]}", file=out)
    for finding in report.findings:
        where = f"sida {finding.page}: " if finding.page else ""
        text = message(finding.code, "sv", finding.param_dict)
        print(f"  [{finding.severity.value}] {where}{text}", file=out)
    if report.personal_data_found is None:
        print("  Personuppgifter: kan inte avgöras; avsändaren måste ange det.", file=out)
    elif report.personal_data_found:
        print(f"  Personuppgifter: {len(report.hits)} träff(ar)", file=out)
        for hit in report.hits:
            where = f" (sida {hit.page})" if hit.page else ""
            place = f" [{message('ui.outside.place.' + hit.place, 'sv')}]" if hit.place else ""
            print(f"    {hit.kind}: {hit.masked}{where}{place}", file=out)
    else:
        print("  Personuppgifter: inga hittade.", file=out)


def main(argv: Sequence[str], *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    options = parse(_parser(), argv, err)
    if isinstance(options, int):
        return options
    recipients = []
    for value in options.recipient:
        # Read as the window reads typed recipients (NFKC, then ASCII digits only).
        identifier = canonical_from_input(value)
        if identifier is None:
            print(f"bifoga inspect: ogiltigt mottagar-id: {value!r}", file=err)
            return EXIT_USAGE
        recipients.append(identifier)
    results = []
    with IsolatedWorker() as worker:
        for path in options.files:
            report = inspect_as_staged(worker, path, recipients)
            results.append((path, report))
            if not options.json:
                _print_human(path, report, out)
    if options.json:
        json.dump(
            [report_to_json(path, report) for path, report in results],
            out,
            ensure_ascii=False,
            indent=2,
        )
        out.write("\n")
    blocked = any(report.blocked for _path, report in results)
    return EXIT_BLOCKED if blocked else EXIT_OK
