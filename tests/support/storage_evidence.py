"""Evidence that nothing Bifoga keeps lies on disk in clear (docs/storage.md), and that
nothing of a token is kept anywhere but in memory and the keyring (docs/identity.md).

After the whole test run, every file under the test user's folders (the
``bifoga-home*`` roots that ``tests/conftest.py`` makes for ``BIFOGA_DATA_DIR`` and
``BIFOGA_CONFIG_DIR``) and under every staging area a test made (folders named
``staging*`` in pytest's base folder) is searched: for any personnummer of Skatteverket's
test list in any written form; for a token (a JWT, as access and id tokens are, or a
refresh token a test saw in the keyring: :func:`token_seen`); and, in a staging area,
for a working copy in clear (a file that starts as a PDF or an accepted image does). Any
hit fails the run, naming the file. Every log record of the run is searched for tokens
too (:class:`TokenInLogs`, at the levels the run logs; tests/e2e/test_sign_in.py logs a
sign-in at DEBUG), and so is the command line and environment of every process Bifoga
starts (tests/e2e/test_sign_in.py). The sandbox gateway's folders are not searched: it is
a fake gateway (what it received is what a resident's inbox shows), not the clinician's
storage.

``tests/conftest.py`` registers this module as a plugin; ``find_clear_personal_data`` is
also called directly by a test that proves it finds what it must.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from app.protocol import filetypes

TEST_NUMBERS = Path(__file__).resolve().parents[1] / "files" / "testpersonnummer.txt"

# 12 digits, 8+4 or 6+4 with a separator, or 10 digits: every way a personnummer is written.
_WRITTEN = re.compile(rb"(?<!\d)(\d{8}|\d{6})([-+]?)(\d{4})(?!\d)")


#: A JSON Web Token (header.payload.signature, base64url; both JSON parts start ``{"``):
#: access tokens (RFC 9068) and id_tokens are these.
_JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
#: Refresh tokens (opaque) that tests saw in the keyring, and other secrets to look for.
_SEEN_TOKENS: set[bytes] = set()


def token_seen(token: str) -> None:
    """Look for this token too (a refresh token read from the test keyring)."""
    if len(token) >= 16:  # nothing so short that it could occur by chance
        _SEEN_TOKENS.add(token.encode())


def token_in(data: bytes) -> str | None:
    """What of a token ``data`` holds (its first characters only), if any."""
    match = _JWT.search(data)
    if match is not None:
        return "a JWT " + match.group(0)[:12].decode() + "…"
    for token in _SEEN_TOKENS:
        if token in data:
            return "a refresh token " + token[:6].decode(errors="replace") + "…"
    return None


class TokenInLogs(logging.Handler):
    """Notes every log record that holds a token (the run fails at its end)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.found: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not format: nothing to search
            return
        what = token_in(text.encode("utf-8", errors="replace"))
        if what is not None:
            self.found.append(f"log record of {record.name}: {what}")


_LOG_WATCH = TokenInLogs()


@dataclass(frozen=True, slots=True)
class ClearFinding:
    path: Path
    what: str  # "personnummer 19121212-1212" or "a working copy in clear (application/pdf)"

    def __str__(self) -> str:
        return f"{self.path}: {self.what}"


@cache
def _numbers() -> tuple[frozenset[str], frozenset[str]]:
    """The test list as 12-digit and as 10-digit forms."""
    full = frozenset(TEST_NUMBERS.read_text(encoding="ascii").split())
    return full, frozenset(number[2:] for number in full)


def _personnummer_in(data: bytes) -> str | None:
    full, short = _numbers()
    for match in _WRITTEN.finditer(data):
        date_part, _separator, serial = (group.decode() for group in match.groups())
        digits = date_part + serial
        if digits in full or (len(digits) == 10 and digits in short):
            return match.group(0).decode()
    return None


def _files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def find_clear_personal_data(
    user_folders: Iterable[Path], staging_folders: Iterable[Path] = ()
) -> list[ClearFinding]:
    """What lies in clear: a test personnummer in any file of either kind of folder, and a
    working copy (a PDF's or an accepted image's bytes from the start) in a staging one."""
    found: list[ClearFinding] = []
    staging = list(staging_folders)
    for path in _files([*user_folders, *staging]):
        try:
            data = path.read_bytes()
        except OSError:
            continue  # removed while we looked (a test's own cleanup)
        number = _personnummer_in(data)
        if number is not None:
            found.append(ClearFinding(path, f"personnummer {number}"))
        token = token_in(data)
        if token is not None:
            found.append(ClearFinding(path, token))
    for path in _files(staging):
        try:
            with path.open("rb") as stream:
                head = stream.read(filetypes.SNIFF_BYTES)
        except OSError:
            continue
        media_type = filetypes.sniff(head)
        if media_type is not None:
            found.append(ClearFinding(path, f"a working copy in clear ({media_type})"))
    return found


def folders_of_the_run(basetemp: Path) -> tuple[list[Path], list[Path]]:
    """The test user's folders and the staging areas that tests made under ``basetemp``."""
    homes = sorted(basetemp.glob("bifoga-home*"))
    staging = sorted(
        p for p in basetemp.rglob("staging*") if p.is_dir() and not _in_sandbox(p, basetemp)
    )
    return homes, staging


def _in_sandbox(path: Path, basetemp: Path) -> bool:
    # The sandbox gateway's own data (``gw``, ``gateway``...) is not the clinician's.
    return any(
        part.startswith(("gw", "gateway", "bifoga-sandbox"))
        for part in path.relative_to(basetemp).parts
    )


_FOUND = pytest.StashKey[tuple[int, int, list[ClearFinding]]]()


def pytest_configure(config: pytest.Config) -> None:
    logging.getLogger().addHandler(_LOG_WATCH)


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.getLogger().removeHandler(_LOG_WATCH)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    factory = getattr(session.config, "_tmp_path_factory", None)
    if factory is None or session.testscollected == 0:
        return
    homes, staging = folders_of_the_run(factory.getbasetemp())
    found = find_clear_personal_data(homes, staging)
    found.extend(ClearFinding(Path("(logging)"), what) for what in _LOG_WATCH.found)
    session.config.stash[_FOUND] = (len(homes), len(staging), found)
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _FOUND not in config.stash:
        return
    homes, staging, found = config.stash[_FOUND]
    if not found:
        terminalreporter.write_line(
            f"storage evidence: {homes} user folders and {staging} staging areas hold no "
            "personnummer, no token and no working copy in clear; no log record holds a token"
        )
        return
    terminalreporter.write_sep(
        "=", "storage evidence FAILED: personal data or a token in clear", red=True
    )
    for finding in found:
        terminalreporter.write_line(f"  {finding}", red=True)
