"""The smaller items of the clinician's day (issue 20, item 8): the lock says truly why
it is locked and whether drafts are kept; one message is "1 meddelande"; the keyring's
failure is said in Swedish, never as an exception's name."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from app.storage.storage_key import StorageKeyError
from tests.support.window import open_window, pick_case
from ui.shell.start import keyring_reason


def test_the_lock_says_why_and_whether_a_draft_is_kept(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    window.session.lock()  # asked for (Ctrl+L), with no draft
    text = window.lock_page.explanation.text()
    assert "Du låste Bifoga." in text
    assert "använts" not in text and "utkast" not in text
    window.session.locked = False
    window.session.lock_changed.emit(False)  # opened again without a login
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin!")
    window.session.lock(idle=True)
    text = window.lock_page.explanation.text()
    minutes = round(services.settings.lock_after_minutes)
    assert f"inte använts på {minutes} min" in text and "Ditt utkast finns kvar." in text


def test_one_message_resumed_is_said_in_the_singular(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    window.outbox_runner.resuming.emit(1)
    assert window.statusBar().currentMessage().startswith("1 meddelande som inte hann")
    window.outbox_runner.resuming.emit(3)
    assert window.statusBar().currentMessage().startswith("3 meddelanden som inte hann")


def test_no_keyring_is_said_in_swedish() -> None:
    error = StorageKeyError("storage.keyring_unavailable", "NoKeyringError")
    assert keyring_reason(error) == "det finns ingen nyckelring på den här datorn"
