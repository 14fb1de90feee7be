"""Inspection in the isolated worker, with every failure turned into a refusal.

The window (and ``bifoga inspect``) never parse an untrusted file themselves: they ask
the worker, and when the worker crashes, hangs or runs out of memory, the file is
blocked with a reason the clinician can act on. These three codes are not up to the
policy: a file that could not be checked cannot be vouched for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.inspection.report import Finding, InspectionReport, Severity
from app.inspection.sniff import read_file
from app.sealed import SealedError
from app.storage_key import StorageKeyError
from app.worker import IsolatedWorker, WorkerFailure

FAILURE_CODES = {
    WorkerFailure.CRASHED: "file.inspection_crashed",
    WorkerFailure.TIMEOUT: "file.inspection_timeout",
    WorkerFailure.OUT_OF_MEMORY: "file.inspection_out_of_memory",
}


def _sha256(path: Path) -> str | None:
    # Hashing reads (and opens a sealed working copy) but parses nothing, so it is safe
    # in this process. The hash is of the plain bytes, as the worker's report's is.
    try:
        return read_file(path).sha256
    except (OSError, SealedError, StorageKeyError):
        return None


def refusal(path: Path, code: str, **params: str | int) -> InspectionReport:
    """A blocked report for a file the worker could not inspect (hashes ``path``: call it
    off the GUI thread)."""
    return _blocked(_sha256(path), code, params)


def unchecked(code: str, **params: str | int) -> InspectionReport:
    """A blocked report that names no bytes: for when the file itself was never reached."""
    return _blocked(None, code, params)


def _blocked(sha256: str | None, code: str, params: dict[str, str | int]) -> InspectionReport:
    finding = Finding(code, Severity.BLOCK, None, tuple(sorted(params.items())))
    return InspectionReport(sha256, None, None, (finding,), None)


def inspect_isolated(
    worker: IsolatedWorker,
    path: str | Path,
    recipients: Sequence[str] = (),
    kind: str | None = None,
    policy_path: str | None = None,
    *,
    name: str | None = None,
    timeout_s: float | None = None,
) -> InspectionReport:
    """``inspect_file`` in ``worker``; a crash, hang or memory blow-up blocks the file.

    ``name`` is the file's name as the clinician chose it, when the staged copy on disk
    has another one (name and extension checks are about that name)."""
    file_path = Path(path)
    try:
        report = worker.call(
            "inspect",
            str(file_path),
            tuple(recipients),
            kind,
            policy_path,
            name,
            timeout_s=timeout_s,
        )
    except WorkerFailure as failure:
        code = FAILURE_CODES.get(failure.code)
        if code is None:
            return refusal(file_path, "file.inspection_failed", reason=failure.detail or "error")
        return refusal(file_path, code)
    # What comes back from the worker is checked, not trusted.
    if not isinstance(report, InspectionReport) or not all(
        isinstance(f, Finding) for f in report.findings
    ):
        return refusal(file_path, "file.inspection_failed", reason="answer")
    return report
