"""A window on the embedded sandbox stopped with SIGTERM (a logout, a service manager)
closes as Quit would: its sandbox folder (every "sent" file and resident id of the run)
is removed, and while it runs that folder is private. Bifoga runs in a process of its
own, with its temporary folder in the test's own."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A safety net: the window is up, and then gone, long before this.
_PATIENCE_S = 60.0


def _sandbox_folders(temp: Path) -> list[Path]:
    return sorted(temp.glob("bifoga-sandbox-*"))


def test_sigterm_closes_the_window_and_removes_its_sandbox_folder(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.shell.launcher", "--sandbox"],
        cwd=ROOT,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHON_KEYRING_BACKEND": "tests.support.keyrings.MemoryKeyring",
            "TMPDIR": str(temp),
            "PYTHONPATH": str(ROOT),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Another process: its folder is looked for until the sandbox has its database
        # (a bounded poll; there is no event to wait on across processes).
        deadline = time.monotonic() + _PATIENCE_S
        pause = threading.Event()
        while not any((f / "sandbox.sqlite3").exists() for f in _sandbox_folders(temp)):
            assert process.poll() is None, "the window ended by itself"
            assert time.monotonic() < deadline, "no sandbox folder"
            pause.wait(0.05)
        (folder,) = _sandbox_folders(temp)
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        assert stat.S_IMODE((folder / "sandbox.sqlite3").stat().st_mode) == 0o600
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=_PATIENCE_S) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _sandbox_folders(temp) == []
