"""A crash, a hang or a memory blow-up in the worker blocks the file with a reason; the
calling process (the window, in the application) carries on, and so does the worker.

The worker is real (a spawned child with limits). To make it crash, hang or run out of
memory on purpose, its "inspect" job is redirected to the worker's self-test jobs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.inspection.isolated import inspect_isolated
from app.inspection.report import Severity, Verdict
from app.isolation.worker import IsolatedWorker
from tests.inspection.conftest import CORPUS, codes

TAGGED = CORPUS / "ocrmypdf" / "tagged.pdf"


class _Sabotaged:
    """The same worker, but its "inspect" job is replaced by a self-test job."""

    def __init__(self, worker: IsolatedWorker, op: str, *args: Any) -> None:
        self._worker, self._op, self._args = worker, op, args

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        assert op == "inspect"
        return self._worker.call(self._op, *self._args, timeout_s=timeout_s)


@pytest.fixture
def worker() -> Iterator[IsolatedWorker]:
    with IsolatedWorker(timeout_s=20, memory_limit_mb=768) as isolated:
        yield isolated


def _only_finding(report: Any) -> tuple[str, Severity]:
    assert report.verdict is Verdict.BLOCKED
    (finding,) = report.findings
    return finding.code, finding.severity


def test_crash_blocks_the_file_and_the_next_file_is_inspected(worker: IsolatedWorker) -> None:
    report = inspect_isolated(_Sabotaged(worker, "selftest.crash"), TAGGED)  # type: ignore[arg-type]
    assert _only_finding(report) == ("file.inspection_crashed", Severity.BLOCK)
    assert report.sha256 is not None  # hashed here, without parsing
    after = inspect_isolated(worker, TAGGED)
    assert after.verdict is not Verdict.BLOCKED
    assert after.pages == 2


def test_hang_is_cut_off_by_the_wall_clock(worker: IsolatedWorker) -> None:
    sabotaged = _Sabotaged(worker, "selftest.hang", 60.0)
    report = inspect_isolated(sabotaged, TAGGED, timeout_s=1.0)  # type: ignore[arg-type]
    assert _only_finding(report) == ("file.inspection_timeout", Severity.BLOCK)
    assert inspect_isolated(worker, TAGGED).pages == 2


def test_memory_blow_up_is_refused(worker: IsolatedWorker) -> None:
    if not hasattr(os, "fork"):  # address-space limits exist where fork does (POSIX)
        pytest.skip("no RLIMIT_AS on this OS")
    report = inspect_isolated(_Sabotaged(worker, "selftest.allocate", 4096), TAGGED)  # type: ignore[arg-type]
    assert _only_finding(report) == ("file.inspection_out_of_memory", Severity.BLOCK)
    assert inspect_isolated(worker, TAGGED).pages == 2


def test_real_files_through_the_worker(worker: IsolatedWorker, tmp_path: Path) -> None:
    scan = inspect_isolated(worker, CORPUS / "ocrmypdf" / "skew.pdf")
    assert "pdf.scanned_page" in codes(scan)
    missing = inspect_isolated(worker, tmp_path / "gone.pdf")
    assert codes(missing) == {"file.unreadable"}
