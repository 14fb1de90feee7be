"""The sign-in window at the sandbox's identity provider: the real login attempt and
loopback listener, the robot browser on the provider's page. Each way a login can go
wrong has a clear Swedish sentence, the window can try again, and nothing of a token is
left in files, logs or the command lines of the processes Bifoga starts."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from app.identity import LoginAttempt
from app.runtime.services import Services
from tests.support.idp_robot import robot_browser
from tests.support.window import OPEN_WINDOWS, as_person, sign_in
from ui.shell.sign_in import SignInDialog
from ui.window.main_window import MainWindow


class NoBrowser:
    """A machine where no browser can be opened."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def open(self, url: str) -> bool:
        self.opened.append(url)
        return False


def _window(qtbot: QtBot, services: Services) -> SignInDialog:
    dialog = SignInDialog(services)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _ends_with(qtbot: QtBot, dialog: SignInDialog, words: str) -> None:
    """The login ended without signing in: the sentence says ``words``, and the sign-in
    button has the focus again for another try."""
    qtbot.waitUntil(dialog.sign_in_button.isEnabled, timeout=20_000)
    assert words in dialog.status.text()
    assert dialog.staff is None and dialog.isVisible()
    assert dialog.focusWidget() is dialog.sign_in_button
    assert not dialog.wait_panel.isVisible()


def test_signing_in_shows_the_main_window_with_the_cases(qtbot: QtBot, services: Services) -> None:
    dialog = sign_in(qtbot, services, "cecilia")
    assert dialog.staff is not None
    assert (dialog.staff.name, dialog.staff.unit) == ("Cecilia Carlsson", "Vårdcentralen Lund")
    assert services.session is not None and services.session.person.staff_id == "cecilia"
    window = MainWindow(services, dialog.staff)
    OPEN_WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=10_000)
    assert "Cecilia Carlsson" in window.windowTitle()


def test_no_browser_shows_the_address_to_copy_and_cancel_loses_nothing(
    qtbot: QtBot, services: Services
) -> None:
    dialog = _window(qtbot, services)
    services.browser = none = NoBrowser()
    dialog.sign_in_button.click()
    panel = dialog.wait_panel
    qtbot.waitUntil(lambda: "kunde öppnas" in panel.message.text(), timeout=10_000)
    assert panel.address.text() == none.opened[0]
    assert panel.address.text().startswith(services.client.base_url + "/sandbox/idp/authorize")
    assert panel.address.hasFocus() and panel.copy_button.isVisible()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == panel.address.text()
    panel.cancel_button.click()
    _ends_with(qtbot, dialog, "avbröts")

    # The address works in any browser: opened by hand (the robot), it signs in.
    as_person(services, "anna")
    with qtbot.waitSignal(dialog.accepted, timeout=20_000):
        dialog.sign_in_button.click()


def test_cancelled_at_the_provider_says_so(qtbot: QtBot, services: Services) -> None:
    dialog = _window(qtbot, services)
    services.browser = robot_browser("anna", "1111", action="cancel")
    dialog.sign_in_button.click()
    _ends_with(qtbot, dialog, "avbröts")


def test_an_abandoned_login_page_ends_at_its_time_limit(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = services.provider
    assert provider is not None

    def short_attempt() -> LoginAttempt:
        return LoginAttempt(provider, time_limit_s=0.5)

    monkeypatch.setattr(services, "login_attempt", short_attempt)
    dialog = _window(qtbot, services)
    services.browser = robot_browser("anna", "0000")  # a wrong PIN: the page stays open
    dialog.sign_in_button.click()
    _ends_with(qtbot, dialog, "för lång tid")


def test_an_unreachable_provider_says_so(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    from app.identity import Provider, ProviderSettings

    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
    nowhere = Provider(ProviderSettings(f"http://127.0.0.1:{port}/idp", "bifoga"))
    monkeypatch.setattr(services, "provider", nowhere)
    dialog = _window(qtbot, services)
    as_person(services, "anna")
    dialog.sign_in_button.click()
    _ends_with(qtbot, dialog, "svarar inte")
    nowhere.close()


def test_a_locked_keyring_is_said_and_nothing_is_kept(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a region's gateway (not the sandbox, which goes on without a keyring) the
    refresh token has nowhere safe to go: no sign-in, and a sentence saying what to do."""
    from tests.support.keyrings import LockedKeyring, keyring_backend

    monkeypatch.setattr(type(services), "uses_sandbox", property(lambda _self: False))
    dialog = _window(qtbot, services)
    as_person(services, "anna")
    with keyring_backend(LockedKeyring()):
        dialog.sign_in_button.click()
        _ends_with(qtbot, dialog, "nyckelring")
    assert services.session is None


def test_nothing_of_a_token_in_logs_files_or_process_arguments(
    qtbot: QtBot, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed in and working (the worker processes running), with every log at DEBUG:
    no access, id or refresh token in a log record, a file of the clinician's folders,
    or the command line or environment of a process Bifoga started."""
    import keyring

    from app.config.settings import config_dir, data_dir
    from app.identity.session import KEYRING_SERVICE, keyring_entry
    from tests.support.storage_evidence import token_in

    caplog.set_level(logging.DEBUG)
    dialog = sign_in(qtbot, services, "anna")
    assert dialog.staff is not None
    window = MainWindow(services, dialog.staff)
    OPEN_WINDOWS.append(window)
    window.show()
    qtbot.waitUntil(lambda: window.case_list.count() > 0, timeout=10_000)
    session = services.session
    assert session is not None
    access = session.access_token()
    assert services.provider is not None
    refresh = keyring.get_keyring().get_password(KEYRING_SERVICE, keyring_entry(services.provider))
    assert refresh, "the refresh token is in the keyring, and only there"
    secrets = [access.encode(), refresh.encode()]

    assert caplog.records, "the sign-in was logged"
    for record in caplog.records:
        text = record.getMessage().encode()
        assert token_in(text) is None and not any(s in text for s in secrets), record.name

    for folder in (data_dir(), config_dir(), Path(services.settings.staging_path())):
        for path in (p for p in folder.rglob("*") if p.is_file()):
            data = path.read_bytes()
            assert token_in(data) is None and not any(s in data for s in secrets), path

    workers = [*services.render_workers, services.inspect_worker]
    children = [w.pid for w in workers if w.pid is not None]
    assert children, "the worker processes run"
    for pid in children:
        for part in ("cmdline", "environ"):
            data = Path(f"/proc/{pid}/{part}").read_bytes()
            assert token_in(data) is None and not any(s in data for s in secrets), (pid, part)
    own = Path(f"/proc/{os.getpid()}/environ").read_bytes()
    assert not any(s in own for s in secrets)


def test_the_sandbox_without_a_keyring_signs_in_without_a_refresh_token(
    qtbot: QtBot, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh machine with no keyring (the README's run command): the sandbox went on
    with a storage key for this run, and signing in asks for no refresh token, which
    could not be kept (one that is revoked takes its access token with it)."""
    from keyring.backends import fail

    from app.storage import storage_key
    from tests.support.keyrings import keyring_backend

    monkeypatch.setattr(services, "storage_key", storage_key.for_this_run())
    with keyring_backend(fail.Keyring()):
        dialog = sign_in(qtbot, services, "anna")
    assert dialog.staff is not None and dialog.staff.staff_id == "anna"
    session = services.session
    assert session is not None and not session.refresh_kept
    assert services.client.me().staff_id == "anna", "its access token works"


def test_the_storage_evidence_names_a_token_in_a_file_and_in_a_log_record(
    services: Services, tmp_path: Path
) -> None:
    """What the search after the run looks for: a real access token (a JWT) in a file,
    a refresh token it was told of, and a token in a log record."""
    from tests.support import storage_evidence
    from tests.support.idp_robot import sandbox_tokens

    tokens = sandbox_tokens(services.client.base_url, "anna")
    home = tmp_path / "home"
    home.mkdir()
    (home / "settings.json").write_text('{"token": "' + tokens["access_token"] + '"}')
    (home / "notes.txt").write_text("kept " + tokens["refresh_token"])
    storage_evidence.token_seen(tokens["refresh_token"])
    found = sorted(
        (f.path.name, f.what.split()[1]) for f in storage_evidence.find_clear_personal_data([home])
    )
    assert found == [("notes.txt", "refresh"), ("settings.json", "JWT")]

    watch = storage_evidence.TokenInLogs()
    record = logging.LogRecord(
        "bifoga", logging.INFO, __file__, 1, "id %s", (tokens["id_token"],), None
    )
    watch.emit(record)
    assert watch.found and "JWT" in watch.found[0]
