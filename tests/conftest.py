"""Shared fixtures: an isolated config and data folder per test, Qt offscreen, and a
check that no test leaves anything running (a job, a thread, a process)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sandbox.runner import SandboxHandle

# Qt must be told before it starts: tests never need a screen.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

FILES = Path(__file__).parent / "files"

# The leak check's own test runs a test session inside a test (tests/unit/test_leak_check.py).
pytest_plugins = ("pytester",)


@pytest.fixture(autouse=True)
def _isolated_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No test reads or writes the developer's own settings or staging area.
    root = tmp_path_factory.mktemp("bifoga-home")
    monkeypatch.setenv("BIFOGA_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("BIFOGA_DATA_DIR", str(root / "data"))
    # Nor the machine's region policy (/etc/bifoga/policy.json): none, unless a test says.
    monkeypatch.setenv("BIFOGA_POLICY_FILE", str(root / "policy.json"))


@pytest.fixture
def files_dir() -> Path:
    return FILES


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[SandboxHandle]:
    """A real sandbox gateway on loopback in the test's own folder, stopped afterwards.
    (tests/gateway/conftest.py gives its tests one with a clock they move.)"""
    from sandbox.runner import start_sandbox  # only for the tests that ask for it

    handle = start_sandbox(data_dir=tmp_path / "sandbox")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(autouse=True)
def no_leftover_jobs() -> Iterator[None]:
    """Every test, whether it uses Qt or not: fails one that leaves a job on a Qt thread
    pool, a worker's answer never collected, a QThread, a thread or a child process
    running once its own fixtures are torn down (tests/support/leaks.py; after napari's
    fixture). Automatic, so no test can forget it; naming it in a test changes nothing."""
    from tests.support.leaks import leftovers, snapshot, track_qthreads

    track_qthreads()
    before = snapshot()
    yield
    left = leftovers(before)
    assert not left, "still running after the test: " + "; ".join(left)


def pytest_configure(config: pytest.Config) -> None:
    # After the whole run: no personnummer and no working copy in clear in the test
    # user's folders and staging areas (tests/support/storage_evidence.py).
    from tests.support import storage_evidence

    config.pluginmanager.register(storage_evidence, "bifoga-storage-evidence")


@pytest.fixture(scope="session", autouse=True)
def _storage_key_from_a_test_keyring() -> Iterator[None]:
    """A keyring in memory for the whole run (the CI machine has none, and no test may
    touch the developer's), and the storage key from it, installed as the window does."""
    from app.storage import storage_key
    from tests.support.keyrings import MemoryKeyring, keyring_backend

    with keyring_backend(MemoryKeyring()):
        storage_key.install(storage_key.from_keyring())
        yield
