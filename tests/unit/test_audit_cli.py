"""``bifoga audit verify``: its exit codes and what it says, in process and as the real
console command."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import cast

import keyring
import pytest

from app.audit import TRAIL_FILE_NAME, AuditTrail, KeyringKeyProvider, default_folder
from app.commands import cli
from app.commands.audit_cli import EXIT_BROKEN, EXIT_SOUND, EXIT_USAGE, main
from app.config import texts
from tests.support.keyrings import MemoryKeyring, child_environment

ROOT = Path(__file__).resolve().parents[2]
PDF_SHA = "e" * 64


def write_trail(folder: Path) -> Path:
    """A sound trail, written with the audit key in the test run's keyring (tests/conftest.py),
    which the command reads as it would the OS keyring."""
    with AuditTrail.open(folder, KeyringKeyProvider()) as trail:
        session = trail.sign_in("anna")
        session.attach(PDF_SHA, "application/pdf", "ok")
        session.page_seen(PDF_SHA, 1)
        session.send("msg-1", "new_case", None, ["191212121212"], [PDF_SHA])
        session.sign_out()
    return folder / TRAIL_FILE_NAME


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def test_a_sound_trail_exits_0_with_one_line_of_summary(tmp_path: Path) -> None:
    path = write_trail(tmp_path / "audit")
    status, out, err = run("verify", str(path))
    assert status == EXIT_SOUND
    assert err == ""
    assert out.count("\n") == 1
    assert "är obruten: 5 poster" in out and str(path) in out
    assert out.rstrip().endswith(f"(kontrollpunkt 5:{last_hash(path)[:16]}).")


def last_hash(path: Path) -> str:
    return str(json.loads(path.read_bytes().splitlines()[-1])["hash"])


def test_a_checkpoint_shows_records_removed_from_the_end(tmp_path: Path) -> None:
    path = write_trail(tmp_path / "audit")
    checkpoint = f"5:{last_hash(path)[:16]}"
    assert run("verify", "--checkpoint", checkpoint, str(path))[0] == EXIT_SOUND
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:-2]))
    assert run("verify", str(path))[0] == EXIT_SOUND  # the chain alone cannot tell
    status, _, err = run("verify", "--checkpoint", checkpoint, str(path))
    assert status == EXIT_BROKEN
    assert "Loggen slutar vid post 3, men kontrollpunkten 5:" in err
    assert "post 4 och de efter den har tagits bort" in err


def test_the_summary_is_in_english_when_asked(tmp_path: Path) -> None:
    path = write_trail(tmp_path / "audit")
    status, out, _ = run("verify", "--lang", "en", str(path))
    assert status == EXIT_SOUND
    assert "is unbroken: 5 records" in out


def test_without_a_path_the_users_own_trail_is_checked() -> None:
    write_trail(default_folder())  # in the test's own data folder (tests/conftest.py)
    status, out, _ = run("verify")
    assert status == EXIT_SOUND
    assert str(default_folder() / TRAIL_FILE_NAME) in out


def test_an_empty_trail_exits_0_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / TRAIL_FILE_NAME
    path.write_bytes(b"")
    status, out, _ = run("verify", str(path))
    assert status == EXIT_SOUND
    assert "är tom" in out


def test_a_tampered_line_exits_1_naming_the_record(tmp_path: Path) -> None:
    path = write_trail(tmp_path / "audit")
    path.write_bytes(path.read_bytes().replace(b'"page":1', b'"page":2'))
    status, out, err = run("verify", str(path))
    assert status == EXIT_BROKEN
    assert out == ""
    assert "är bruten" in err
    assert "Rad 3: post 3 har ändrats efter att den skrevs" in err


def test_a_deleted_line_exits_1_naming_the_missing_record(tmp_path: Path) -> None:
    path = write_trail(tmp_path / "audit")
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:1] + lines[2:]))
    status, _, err = run("verify", "--lang", "en", str(path))
    assert status == EXIT_BROKEN
    assert "Line 2: record 2 is missing (the line holds record 3)" in err


@pytest.mark.parametrize(
    "argv",
    [
        (),
        ("check",),
        ("verify", "--lang", "de"),
        ("verify", "a.jsonl", "b.jsonl"),
        ("verify", "--frobnicate"),
        ("verify", "--checkpoint", "5"),
    ],
)
def test_a_usage_error_exits_2(argv: tuple[str, ...]) -> None:
    status, out, err = run(*argv)
    assert status == EXIT_USAGE
    assert out == ""
    assert err.startswith("usage: bifoga audit")


def test_a_file_that_cannot_be_read_exits_2(tmp_path: Path) -> None:
    status, _, err = run("verify", str(tmp_path / "no-such-trail.jsonl"))
    assert status == EXIT_USAGE
    assert "kunde inte läsas" in err
    status, _, err = run("verify", str(tmp_path))  # a folder, not a file
    assert status == EXIT_USAGE
    assert "kunde inte läsas" in err


def test_bifoga_hands_audit_to_this_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_trail(tmp_path / "audit")
    assert cli.main(["audit", "verify", str(path)]) == EXIT_SOUND
    assert "obruten" in capsys.readouterr().out


# The console script's own entry point, then which Qt modules it loaded (none: the
# command must run on a server without a screen).
_CONSOLE = """
import sys
from ui.shell.launcher import main
status = main(sys.argv[1:])
qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6"))
print("Qt loaded:", qt, file=sys.stderr)
sys.exit(status)
"""


def test_the_console_command_gives_the_same_exit_codes_without_loading_qt(
    tmp_path: Path,
) -> None:
    path = write_trail(tmp_path / "audit")
    command = [sys.executable, "-c", _CONSOLE, "audit", "verify", str(path)]
    environment = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        **child_environment(cast(MemoryKeyring, keyring.get_keyring())),
    }
    sound = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert (sound.returncode, sound.stderr) == (EXIT_SOUND, "Qt loaded: []\n")
    assert "obruten: 5 poster" in sound.stdout

    path.write_bytes(path.read_bytes()[:-10])
    cut = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    assert cut.returncode == EXIT_BROKEN
    assert "Rad 5: sista raden är avkapad" in cut.stderr


def test_every_audit_code_has_a_sentence_in_both_languages() -> None:
    codes: set[str] = set()
    for source in [
        *(ROOT / "app" / "audit").glob("*.py"),
        ROOT / "app" / "commands" / "audit_cli.py",
    ]:
        text = source.read_text(encoding="utf-8")
        codes.update(re.findall(r'AuditError\(\s*"([a-z_.]+)"', text))
        codes.update(re.findall(r'"(audit\.verify\.[a-z_]+)"', text))
    assert {"audit.key_unavailable", "audit.write_failed", "audit.verify.sound"} <= codes
    catalogue = texts.catalogue()
    assert sorted(c for c in codes if set(catalogue.get(c, {})) != {"sv", "en"}) == []
