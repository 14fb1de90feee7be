"""Shared helpers for the inspection tests."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from app.inspection.hidden import remove_hidden
from app.inspection.report import InspectionReport

CORPUS = Path(__file__).resolve().parents[1] / "files" / "corpus"


def codes(report: InspectionReport) -> set[str]:
    return {finding.code for finding in report.findings}


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, bytes], Path]:
    """Write ``data`` to a file called ``name`` in a fresh folder and return its path."""

    def _write(name: str, data: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return _write


def staged_copy(source: Path, folder: Path) -> tuple[Path, tuple[str, ...]]:
    """``source`` taken as the window takes it: copied into ``folder`` and rewritten
    without hidden content (in this process: tests may). The copy, and what was removed
    (``("rewritten",)`` when the copy changed with nothing hidden named, for the tests
    that ask whether it changed; the inspection ignores that word)."""
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "file"
    shutil.copyfile(source, copy)
    sanitized = remove_hidden(copy)
    return copy, sanitized.removed or (("rewritten",) if sanitized.changed else ())
