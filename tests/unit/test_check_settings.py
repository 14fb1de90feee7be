"""``bifoga check-settings``: the settings checked as the window checks them, the problems
in Swedish on stderr, without Qt and without a gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _bifoga(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", *args],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=60,
        check=False,
    )


def test_a_wrong_type_is_named_on_stderr_with_its_file(tmp_path: Path) -> None:
    settings_file = Path(os.environ["BIFOGA_CONFIG_DIR"]) / "settings.json"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(
        json.dumps({"gateway_url": "https://gw.example", "retention_hours": "24"}), "utf-8"
    )
    result = _bifoga("check-settings")
    assert result.returncode == 1
    assert str(settings_file) in result.stderr and "retention_hours" in result.stderr
    assert "utan citattecken" in result.stderr  # Swedish, and says what to write
    assert "Traceback" not in result.stderr


def test_the_sandbox_must_be_asked_for() -> None:
    assert _bifoga("check-settings").returncode == 1  # no settings file: no gateway
    result = _bifoga("check-settings", "--sandbox")
    assert result.returncode == 0 and "sandbox" in result.stdout


def test_every_declared_setting_is_listed_with_who_may_change_it_and_when_it_applies() -> None:
    result = _bifoga("check-settings", "--sandbox")
    assert result.returncode == 0
    lines = {line.split(" = ")[0].strip(): line for line in result.stdout.splitlines()[1:]}
    from app.config.settings import REGISTRY

    assert set(lines) == set(REGISTRY) - {"schema_version"}
    assert "gäller direkt när den sparas" in lines["lock_after_minutes"]
    assert "gäller från nästa start" in lines["retention_hours"]
    assert "bara regionen får ändra" in lines["max_retention_hours"]
    assert lines["readable_scale"].startswith("  readable_scale = 0.6 ")
