"""The layering holds: the core runs without a screen and without the sandbox, the sandbox
without the window and with only the protocol it shares with the client, the window
without a parser of untrusted files.

Which package may import which is checked by import-linter's contracts in pyproject.toml
(``lint-imports``, in the test command). Here each contract is shown to catch the import it
forbids (a probe module added to a copy of the code breaks exactly that contract), and what
is loaded at run time is checked.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_command_line_runs_without_qt_loaded() -> None:
    # Importing every core module for `bifoga inspect` / `bifoga sandbox` loads no Qt.
    code = (
        "import sys, app.commands.cli, app.runtime.services, app.send.send_gate;"
        "import app.send.sending, app.isolation.worker;"
        "import sandbox.cli, sandbox.runner, sandbox.embedded, app.commands.inspect_cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_core_loads_no_sandbox() -> None:
    # The core's modules, the window's start-up path included, leave the sandbox unloaded.
    code = (
        "import sys, app.commands.cli, app.runtime.services, app.send.sending;"
        "import app.gateway.client, app.config.settings;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'sandbox'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


def test_starting_the_embedded_sandbox_loads_no_werkzeug_until_it_starts() -> None:
    # The sign-in window's start-up imports sandbox.embedded; Werkzeug waits for the thread.
    code = (
        "import sys, sandbox.embedded;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'werkzeug'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("package", "probe_import", "forbidden"),
    [
        # (external packages are named by their top level; a bare ``ui`` or ``sandbox``
        # breaks only the contract under test, where a module of theirs would reach others)
        ("app", "PySide6.QtCore", "PySide6"),
        ("app", "ui", "ui"),
        ("app", "sandbox.runner", "sandbox.runner"),
        ("sandbox", "ui", "ui"),
        ("sandbox", "PySide6.QtWidgets", "PySide6"),
        ("sandbox", "app.outbox", "app.outbox"),
        ("ui", "pypdfium2", "pypdfium2"),
    ],
)
def test_each_contract_catches_the_import_it_forbids(
    package: str, probe_import: str, forbidden: str, tmp_path: Path
) -> None:
    for name in ("app", "ui", "sandbox"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    (tmp_path / package / "layering_probe.py").write_text(f"import {probe_import}\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=tmp_path
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "1 broken" in report, report  # that contract alone, so it is the probe's doing
    assert f"{package}.layering_probe -> {forbidden}" in report, report


def test_the_worker_contract_catches_a_job_imported_by_the_worker(tmp_path: Path) -> None:
    """``app.isolation.worker`` is a module, not a package: the probe import goes into it
    (a copy)."""
    for name in ("app", "ui", "sandbox"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path)
    worker = tmp_path / "app" / "isolation" / "worker.py"
    worker.write_text(worker.read_text(encoding="utf-8") + "\nimport app.runtime.worker_ops\n")
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=tmp_path
    )
    report = result.stdout + result.stderr
    assert result.returncode != 0, report
    assert "1 broken" in report, report
    assert "app.isolation.worker -> app.runtime.worker_ops" in report, report
