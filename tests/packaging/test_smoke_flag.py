"""``bifoga --smoke-test``, the hidden flag CI starts a built bundle with
(packaging/smoke_bundle.sh), run here against the development install in its own process:
it must reach the sign-in window and end by itself, and a start-up error must end it too
instead of leaving a message box open for ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from app.config.texts import message
from ui.shell.smoke_test import SHOWN_PREFIX


def tr(code: str) -> str:
    return message(code, "sv")


ROOT = Path(__file__).resolve().parents[2]


#: A keyring that works, for a process of its own (the test machine has none).
WORKING_KEYRING = "tests.support.keyrings.MemoryKeyring"


def _start_bifoga(*args: str, keyring: str = WORKING_KEYRING) -> subprocess.CompletedProcess[str]:
    # The timeout only ends a hung run (the failure this flag exists to catch); it is not
    # a measure of speed.
    return subprocess.run(
        [sys.executable, "-m", "ui.shell.launcher", *args],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHON_KEYRING_BACKEND": keyring},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _dialogs_shown(stdout: str) -> list[str]:
    return [
        line.removeprefix(SHOWN_PREFIX).split(":", 1)[0]
        for line in stdout.splitlines()
        if line.startswith(SHOWN_PREFIX)
    ]


def test_the_sign_in_window_is_shown_then_closed_and_bifoga_ends() -> None:
    result = _start_bifoga("--smoke-test", "--sandbox")

    assert result.returncode == 0, result.stderr
    assert _dialogs_shown(result.stdout) == ["SignInDialog"]


def test_a_start_up_error_is_reported_and_closed_so_the_run_ends_with_a_failure() -> None:
    # A staging area that cannot be made (a folder below a file) stops the start.
    settings_file = Path(os.environ["BIFOGA_CONFIG_DIR"]) / "settings.json"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    blocking_file = settings_file.parent / "not-a-folder"
    blocking_file.write_text("")
    settings_file.write_text(json.dumps({"staging_dir": str(blocking_file / "staging")}))

    result = _start_bifoga("--smoke-test", "--sandbox")

    assert result.returncode != 0
    # The sign-in window comes first; its services then fail to open and say why.
    assert _dialogs_shown(result.stdout) == ["SignInDialog", "QMessageBox"]


def test_without_a_keyring_the_sandbox_says_so_and_goes_on() -> None:
    result = _start_bifoga("--smoke-test", "--sandbox", keyring="keyring.backends.fail.Keyring")

    assert result.returncode == 0, result.stderr
    # The notice that drafts last for this run only, then the sign-in window closes.
    assert _dialogs_shown(result.stdout) == ["SignInDialog", "QMessageBox"]
    assert f"{SHOWN_PREFIX}QMessageBox: {tr('storage.keyring_title')}" in result.stdout


def test_without_a_keyring_a_real_gateway_asks_and_closing_the_question_quits() -> None:
    settings_file = Path(os.environ["BIFOGA_CONFIG_DIR"]) / "settings.json"
    settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings_file.write_text(json.dumps({"gateway_url": "https://gateway.invalid"}))

    result = _start_bifoga("--smoke-test", keyring="keyring.backends.fail.Keyring")

    assert result.returncode == 1  # quit: no window, no "could not start" on top
    assert _dialogs_shown(result.stdout) == ["SignInDialog", "QMessageBox"]
    assert f"{SHOWN_PREFIX}QMessageBox: {tr('storage.keyring_title')}" in result.stdout
