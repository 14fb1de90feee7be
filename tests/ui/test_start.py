"""Starting the window: broken settings stop everything with a Swedish message before
sign-in, the sandbox runs only when asked, and the sign-in window comes before its
services and signs in once they are open."""

from __future__ import annotations

import json
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

import app.runtime.services
from app.config import settings as settings_module
from tests.support.window import as_person
from ui.shell.start import first_window, run_gui


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "config"
    folder.mkdir()
    monkeypatch.setenv("BIFOGA_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def gateway_socket() -> Iterator[socket.socket]:
    """A real listening socket on loopback, named as the gateway: whatever Bifoga sent
    would arrive here."""
    with socket.create_server(("127.0.0.1", 0)) as listening:
        yield listening


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every Services opened (gateway client, sandbox, workers), recorded."""
    calls: list[Any] = []
    real = app.runtime.services.open_services

    def recording(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(app.runtime.services, "open_services", recording)
    return calls


def _close_the_problems_window(seen: list[str]) -> None:
    """Once the problems window is up (in its own event loop), note its text and close it."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox):
        QTimer.singleShot(0, lambda: _close_the_problems_window(seen))
        return
    seen.append(f"{box.windowTitle()}\n{box.text()}\n{box.informativeText()}")
    box.button(QMessageBox.StandardButton.Close).click()


def _start_with_problems(argv: list[str]) -> str:
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _close_the_problems_window(seen))
    assert run_gui(argv) == 1
    [text] = seen
    return text


def _nothing_arrived(listening: socket.socket) -> bool:
    readable, _, _ = select.select([listening], [], [], 0)
    return readable == []


def _no_sandbox_thread() -> bool:
    return all(t.name != "bifoga-sandbox-start" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"seen_dwell_ms": "700"}, "seen_dwell_ms"),
        ({"contacts": ["Närmaste chef"]}, "contacts[0]"),
        ({"language": "de"}, "language"),
    ],
)
def test_a_wrong_typed_settings_file_starts_no_gateway_and_sends_nothing(
    qtbot: QtBot,
    config_dir: Path,
    gateway_socket: socket.socket,
    opened: list[Any],
    capsys: pytest.CaptureFixture[str],
    values: dict[str, Any],
    field: str,
) -> None:
    port = gateway_socket.getsockname()[1]
    settings_file = config_dir / "settings.json"
    settings_file.write_text(
        json.dumps({"gateway_url": f"http://127.0.0.1:{port}", **values}), encoding="utf-8"
    )
    shown = _start_with_problems([])
    assert "Bifoga kan inte starta" in shown  # Swedish, before any sign-in
    assert str(settings_file) in shown and field in shown
    stderr = capsys.readouterr().err
    assert str(settings_file) in stderr and field in stderr
    assert opened == [] and _no_sandbox_thread() and _nothing_arrived(gateway_socket)


def test_a_broken_file_is_not_replaced_by_the_sandbox(
    qtbot: QtBot, config_dir: Path, opened: list[Any]
) -> None:
    (config_dir / "settings.json").write_text("{ not json", encoding="utf-8")
    shown = _start_with_problems([])
    assert "inte giltig JSON" in shown
    (config_dir / "settings.json").write_text('{"gateway_url": ""}', encoding="utf-8")
    shown = _start_with_problems([])
    assert "gateway_url" in shown and "--sandbox" in shown  # what to do
    (config_dir / "settings.json").unlink()
    shown = _start_with_problems([])
    assert "finns inte" in shown
    assert opened == [] and _no_sandbox_thread()


def test_the_regions_gateway_refuses_the_sandbox(
    qtbot: QtBot,
    tmp_path: Path,
    config_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    opened: list[Any],
) -> None:
    policy = tmp_path / "policy.json"
    policy.write_text('{"gateway_url": "https://gateway.region.example"}', encoding="utf-8")
    monkeypatch.setenv("BIFOGA_POLICY_FILE", str(policy))
    shown = _start_with_problems(["--sandbox"])
    assert str(policy) in shown and "Sandlådan" in shown
    assert opened == [] and _no_sandbox_thread()


def test_the_sign_in_window_comes_first_and_signs_in_once_its_services_are_open(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings = settings_module.Settings(
        gateway_url=settings_module.SANDBOX, staging_dir=str(tmp_path / "staging")
    )
    start = first_window(settings)
    ready: list[bool] = []
    start.when_ready(lambda: ready.append(True))
    window = start.window
    qtbot.addWidget(window)
    try:
        assert start.services is None and not window.sign_in_button.isEnabled()
        window.show()  # its first paint opens the services
        qtbot.waitUntil(lambda: ready == [True], timeout=30_000)
        assert start.services is not None and start.services.uses_sandbox
        assert window.sign_in_button.isEnabled()
        # The sandbox's demo cards and PINs, as help for the provider's page.
        qtbot.waitUntil(lambda: "PIN-kod 1111" in window.demo_cards.text(), timeout=30_000)
        assert "Anna Andersson (anna)" in window.demo_cards.text()
        as_person(start.services, "anna")
        with qtbot.waitSignal(window.accepted, timeout=20_000):
            window.sign_in_button.click()
        assert window.staff is not None and window.staff.staff_id == "anna"
    finally:
        start.close()


def test_services_that_cannot_open_close_the_sign_in_window_with_a_reason(
    qtbot: QtBot, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("where the staging folder's parent should be", encoding="utf-8")
    settings = settings_module.Settings(
        gateway_url="https://gateway.region.example", staging_dir=str(blocker / "staging")
    )
    start = first_window(settings)
    window = start.window
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.rejected, timeout=30_000):
            window.show()
        assert start.failure is not None and start.services is None
        assert not window.sign_in_button.isEnabled()
    finally:
        start.close()


def test_bifoga_sandbox_starts_the_sandbox_when_asked(
    qtbot: QtBot, config_dir: Path, monkeypatch: pytest.MonkeyPatch, opened: list[Any]
) -> None:
    import ui.shell.start

    started: list[Any] = []
    real_first_window = ui.shell.start.first_window

    def cancelled_once_ready(settings: settings_module.Settings) -> Any:
        start = real_first_window(settings)
        started.append(start)
        start.when_ready(start.window.reject)  # as Cancel, once it could sign in
        return start

    monkeypatch.setattr(ui.shell.start, "first_window", cancelled_once_ready)
    assert run_gui(["--sandbox"]) == 0  # no settings file needed for the sandbox
    [start] = started
    [(settings,)] = opened
    assert settings.uses_sandbox and start.services is not None
    assert start.services.sandbox is not None  # closed again by run_gui


# ------------------------------------------------------- the storage key from the keyring


@pytest.fixture
def installed_key() -> Iterator[None]:
    """The run's storage key is put back after a test that installs another (the session's
    worker processes were given it)."""
    from app.storage import storage_key

    before = storage_key.current()
    yield
    storage_key.install(before)


def _answer_box(name: str, button: str, seen: list[str], before: Any = None) -> None:
    """Once the message box ``name`` is up (in its own event loop), note its text, run
    ``before`` and click the button that reads ``button``."""
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox) or box.objectName() != name:
        QTimer.singleShot(10, lambda: _answer_box(name, button, seen, before))
        return
    seen.append(box.text())
    if before is not None:
        before()
    [chosen] = [b for b in box.buttons() if b.text() == button]
    chosen.click()


def _configured(tmp_path: Path) -> settings_module.Settings:
    return settings_module.Settings(
        gateway_url="https://gateway.invalid",
        idp_issuer="https://idp.invalid",
        staging_dir=str(tmp_path / "staging"),
    )


def test_a_locked_keyring_asks_and_quitting_opens_nothing(
    qtbot: QtBot, tmp_path: Path, installed_key: None, opened: list[Any]
) -> None:
    from tests.support.keyrings import LockedKeyring, keyring_backend
    from ui.common.i18n import tr

    seen: list[str] = []
    with keyring_backend(LockedKeyring()):
        start = first_window(_configured(tmp_path))
        qtbot.addWidget(start.window)
        try:
            QTimer.singleShot(0, lambda: _answer_box("keyring_unavailable", "Avsluta", seen))
            with qtbot.waitSignal(start.window.rejected, timeout=30_000):
                start.window.show()
            assert start.quit_without_key and start.services is None and opened == []
        finally:
            start.close()
    [text] = seen
    assert "nyckelringen är låst eller svarar inte" in text
    assert "KeyringLocked" not in text and "Error" not in text, "no exception name on screen"
    assert tr("storage.try_again") == "Försök igen"


def test_trying_again_once_the_keyring_is_unlocked_opens_the_services(
    qtbot: QtBot, tmp_path: Path, installed_key: None
) -> None:
    import keyring

    from tests.support.keyrings import LockedKeyring, MemoryKeyring, keyring_backend

    unlocked = MemoryKeyring()
    seen: list[str] = []
    with keyring_backend(LockedKeyring()):
        start = first_window(_configured(tmp_path))
        ready: list[bool] = []
        start.when_ready(lambda: ready.append(True))
        qtbot.addWidget(start.window)
        try:
            QTimer.singleShot(
                0,
                lambda: _answer_box(
                    "keyring_unavailable",
                    "Försök igen",
                    seen,
                    lambda: keyring.set_keyring(unlocked),
                ),
            )
            start.window.show()
            qtbot.waitUntil(lambda: ready == [True], timeout=30_000)
            assert start.services is not None and start.services.storage_key is not None
            assert not start.services.storage_key.for_this_run_only
            assert unlocked.entries, "the key was made and kept in the keyring"
        finally:
            start.close()
    assert len(seen) == 1


def test_the_sandbox_goes_on_with_a_key_for_this_run_and_says_so(
    qtbot: QtBot, tmp_path: Path, installed_key: None
) -> None:
    from keyring.backends import fail

    from tests.support.keyrings import keyring_backend

    settings = settings_module.Settings(
        gateway_url=settings_module.SANDBOX, staging_dir=str(tmp_path / "staging")
    )
    seen: list[str] = []
    with keyring_backend(fail.Keyring()):
        start = first_window(settings)
        ready: list[bool] = []
        start.when_ready(lambda: ready.append(True))
        qtbot.addWidget(start.window)
        try:
            QTimer.singleShot(0, lambda: _answer_box("sandbox_run_key", "Jag förstår", seen))
            start.window.show()
            qtbot.waitUntil(lambda: ready == [True], timeout=30_000)
            assert start.services is not None and start.services.storage_key is not None
            assert start.services.storage_key.for_this_run_only
        finally:
            start.close()
    [text] = seen
    assert "omstart" in text
