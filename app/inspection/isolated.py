"""Inspection in the isolated worker, with every failure turned into a refusal.

The window (and ``bifoga inspect``) never parse an untrusted file themselves: they ask
the worker, and when the worker crashes, hangs or runs out of memory, the file is
blocked with a reason the clinician can act on. These three codes are not up to the
policy: a file that could not be checked cannot be vouched for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.inspection.jobs import InspectRequest, Sanitized
from app.inspection.report import Finding, InspectionReport, Severity
from app.inspection.sniff import read_file
from app.isolation.worker import IsolatedWorker, WorkerFailure
from app.storage.sealed import SealedError
from app.storage.storage_key import StorageKeyError

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


class InspectClient:
    """One inspect worker, called by its jobs' names and types (as ``RenderClient`` calls
    the render worker). The worker parses untrusted files: every answer is checked for
    the type its job promises before anyone uses it."""

    def __init__(self, worker: IsolatedWorker) -> None:
        self.worker = worker

    def sanitize(self, path: Path) -> Sanitized:
        """Rewrite the staged copy at ``path`` without what no viewer shows (in the
        worker); raises WorkerFailure when that could not be done or the answer is not
        a ``Sanitized`` of strings."""
        answer = self.worker.call("sanitize", str(path))
        if not isinstance(answer, Sanitized) or not all(
            isinstance(kind, str) for kind in answer.removed
        ):
            raise WorkerFailure(WorkerFailure.ERROR, "unexpected answer, not Sanitized")
        return answer

    def inspect(
        self, request: InspectRequest, *, timeout_s: float | None = None
    ) -> InspectionReport:
        """``inspect_file`` in the worker; a crash, hang, memory blow-up or an answer of
        the wrong type blocks the file, with why."""
        path = Path(request.path)
        try:
            report = self.worker.call("inspect", request, timeout_s=timeout_s)
        except WorkerFailure as failure:
            return failure_report(path, failure)
        # What comes back from the worker is checked, not trusted.
        if not isinstance(report, InspectionReport) or not all(
            isinstance(f, Finding) for f in report.findings
        ):
            return refusal(path, "file.inspection_failed", reason="answer")
        return report


def failure_report(path: Path, failure: WorkerFailure) -> InspectionReport:
    """The blocked report for a job on ``path`` that did not finish in the worker."""
    code = FAILURE_CODES.get(failure.code)
    if code is None:
        return refusal(path, "file.inspection_failed", reason=failure.detail or "error")
    return refusal(path, code)


def inspect_isolated(
    worker: IsolatedWorker,
    path: str | Path,
    recipients: Sequence[str] = (),
    kind: str | None = None,
    policy_path: str | None = None,
    *,
    name: str | None = None,
    removed: tuple[str, ...] = (),
    timeout_s: float | None = None,
) -> InspectionReport:
    """``InspectClient(worker).inspect`` of one file, for callers holding a bare worker.

    ``name`` is the file's name as the clinician chose it, when the staged copy on disk
    has another one (name and extension checks are about that name)."""
    request = InspectRequest(str(path), tuple(recipients), kind, policy_path, name, removed)
    return InspectClient(worker).inspect(request, timeout_s=timeout_s)
