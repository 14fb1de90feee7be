"""The sandbox's data folder (resident ids, every file sent, uploads in progress) is
readable by this user alone at every moment: made 0700, its database 0600 before SQLite
writes a byte, and so it stays when the sandbox is killed with -9 and leaves it behind
(issue 21: 0644 files in the temporary folder)."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

from sandbox.runner import start_sandbox
from tests.gateway.tokens import bearer_token

_REPO = Path(__file__).resolve().parents[2]


def _modes(folder: Path) -> dict[str, int]:
    return {path.name: stat.S_IMODE(path.stat().st_mode) for path in [folder, *folder.iterdir()]}


def _all_private(folder: Path) -> bool:
    modes = _modes(folder)
    return modes.pop(folder.name) == 0o700 and set(modes.values()) == {0o600}


def test_a_folder_made_or_given_is_made_private(tmp_path: Path) -> None:
    given = tmp_path / "given"
    given.mkdir(mode=0o755)
    (given / "sandbox.sqlite3").touch(mode=0o644)
    for folder in (given, tmp_path / "new" / "data"):
        with start_sandbox(data_dir=folder) as handle:
            bearer_token(handle.base_url)  # something written, the WAL made
            assert {"sandbox.sqlite3", "sandbox.sqlite3-wal"} <= set(_modes(folder))
            assert _all_private(folder)


def test_a_sandbox_killed_with_9_leaves_only_private_files(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.shell.launcher", "sandbox"],  # its data in a temporary folder
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(_REPO), "TMPDIR": str(temp)},
        cwd=_REPO,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        bearer_token(base_url)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
    (left,) = temp.glob("bifoga-sandbox-*")
    assert "sandbox.sqlite3" in _modes(left)
    assert _all_private(left)
