"""Hjälp → Om Bifoga shows the version, written once (app.__version__), which is also the
package's version and the changelog's top section."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from PySide6.QtWidgets import QMainWindow, QMessageBox
from pytestqt.qtbot import QtBot

from app import __version__
from ui.dialogs.help import about_text
from ui.window.actions import install_actions

ROOT = Path(__file__).resolve().parents[2]


def test_the_version_is_written_once_and_the_changelog_releases_it() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "app.__version__"}
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## (\d+\.\d+\.\d+) — (\d{4}-\d{2}-\d{2})$", changelog, re.M)
    assert releases[0][0] == __version__, "the top section is this release"
    dates = [date for _version, date in releases]
    assert dates == sorted(dates, reverse=True), "newest first"


def test_about_in_the_help_menu_shows_the_version(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    handlers = {name: (lambda: None) for name in _action_names()}
    actions = install_actions(window, handlers)
    assert actions.about.text().replace("&", "") == "Om Bifoga"  # with its mnemonic, O
    actions.about.trigger()
    box = window.findChild(QMessageBox, "about")
    assert box is not None and __version__ in box.text()
    assert f"version {__version__}" in about_text()
    actions.while_locked(True)
    assert actions.about.isEnabled() and not actions.send.isEnabled()
    box.close()


def _action_names() -> list[str]:
    import ui.window.actions as module

    return [name for name in module.WindowActions.__annotations__ if name != "about"]
