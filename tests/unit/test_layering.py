"""The core runs without a screen: the command line loads no Qt.

Which package may import which is checked by import-linter's contracts in pyproject.toml
(``lint-imports``, in the test command); this checks what is loaded at run time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"


def test_the_command_line_runs_without_qt_loaded() -> None:
    # Importing every core module for `bifoga inspect` / `bifoga sandbox` loads no Qt.
    code = (
        "import sys, app.cli, app.services, app.send_gate, app.sending, app.worker;"
        "import app.gateway.sandbox, app.inspection.cli;"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'ui')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=APP.parent, check=True
    )
    assert result.stdout.strip() == "[]"
