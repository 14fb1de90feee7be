"""The settings dialog: the user's fields saved through the checked registry, Swedish
messages for bad values (and nothing saved), and the region's fields not changeable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import settings as settings_module
from app.config.settings import Settings
from ui.common.i18n import tr
from ui.dialogs.settings import SettingsDialog, open_settings_dialog
from ui.window.lock import IdleWatch

GATEWAY = "https://gateway.region.example"


def _settings(
    tmp_path: Path, values: dict[str, Any], policy: dict[str, Any] | None = None
) -> tuple[Settings, Path]:
    user = tmp_path / "settings.json"
    user.write_text(json.dumps({"gateway_url": GATEWAY, **values}), encoding="utf-8")
    policy_path = tmp_path / "policy.json"
    if policy is not None:
        policy_path.write_text(json.dumps(policy), encoding="utf-8")
    return settings_module.load(user, policy_path=policy_path), user


def _dialog(qtbot: QtBot, settings: Settings, user: Path) -> SettingsDialog:
    dialog = SettingsDialog(settings, path=user)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_it_shows_the_settings_and_saves_only_what_changed(qtbot: QtBot, tmp_path: Path) -> None:
    settings, user = _settings(tmp_path, {"seen_dwell_ms": 900})
    dialog = _dialog(qtbot, settings, user)
    assert dialog.seen_dwell_ms.value() == 900 and dialog.language.currentData() == "sv"
    assert GATEWAY in dialog.region.text() and "30 000" in dialog.region.text()
    dialog.seen_dwell_ms.setValue(1200)
    dialog.clinic_phone_numbers.setPlainText("040-123 45 67\n\n 0708-12 34 56 ")
    dialog.language.setCurrentIndex(dialog.language.findData("en"))
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.save_button.click()
    assert json.loads(user.read_text(encoding="utf-8")) == {
        "gateway_url": GATEWAY,
        "seen_dwell_ms": 1200,
        "clinic_phone_numbers": ["040-123 45 67", "0708-12 34 56"],
        "language": "en",
        "schema_version": 1,
    }
    assert settings.seen_dwell_ms == 1200 and settings.language == "en"
    assert settings_module.load(user, policy_path=tmp_path / "policy.json") == settings


def test_a_bad_phone_number_is_explained_in_swedish_and_nothing_is_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings, user = _settings(tmp_path, {})
    before = user.read_text(encoding="utf-8")
    dialog = _dialog(qtbot, settings, user)
    dialog.clinic_phone_numbers.setPlainText("040-123 45 67\nring receptionen")
    dialog.save_button.click()
    assert dialog.isVisible() and dialog.result() == 0
    message = dialog.problems.text()
    assert "Mottagningens telefonnummer" in message and "ring receptionen" in message
    assert "inget telefonnummer" in message
    assert user.read_text(encoding="utf-8") == before
    assert settings.clinic_phone_numbers == []


def test_a_file_as_the_staging_folder_is_refused(qtbot: QtBot, tmp_path: Path) -> None:
    settings, user = _settings(tmp_path, {})
    dialog = _dialog(qtbot, settings, user)
    a_file = tmp_path / "not-a-folder.txt"
    a_file.write_text("x", encoding="utf-8")
    dialog.staging_dir.setText(str(a_file))
    dialog.save_button.click()
    assert "ingen mapp" in dialog.problems.text() and dialog.isVisible()
    assert settings.staging_dir == ""


def test_the_regions_fields_are_shown_as_its_own_and_bound_the_users(
    qtbot: QtBot, tmp_path: Path
) -> None:
    settings, user = _settings(
        tmp_path, {}, {"retention_hours": 8, "contacts": [{"role": "manager", "name": "Chefen"}]}
    )
    dialog = _dialog(qtbot, settings, user)
    assert not dialog.retention_hours.isEnabled() and dialog.retention_hours.value() == 8
    assert "satt av regionen" in dialog.region.text() and "Chefen" in dialog.region.text()
    dialog.retention_hours.setValue(4)  # disabled, and the region's in any case
    assert "retention_hours" not in dialog.changes()

    bounded, user = _settings(tmp_path, {}, {"max_retention_hours": 12})
    dialog = _dialog(qtbot, bounded, user)
    assert dialog.retention_hours.isEnabled() and dialog.retention_hours.maximum() == 12
    dialog.retention_hours.setValue(48)  # the spin box keeps it within the region's bound
    assert dialog.changes() == {}


def test_open_settings_dialog_says_whether_the_user_saved(qtbot: QtBot, tmp_path: Path) -> None:
    settings, user = _settings(tmp_path, {})

    def answer(save: bool) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, SettingsDialog):
            QTimer.singleShot(0, lambda: answer(save))
            return
        if save:
            dialog.readable_scale.setValue(0.8)
            dialog.save_button.click()
        else:
            dialog.reject()

    QTimer.singleShot(0, lambda: answer(False))
    assert open_settings_dialog(None, settings, user) is False
    assert settings.readable_scale == 0.6
    QTimer.singleShot(0, lambda: answer(True))
    assert open_settings_dialog(None, settings, user) is True
    assert settings.readable_scale == 0.8


def test_the_form_is_the_declaration_and_says_truthfully_what_applies_when(
    qtbot: QtBot, tmp_path: Path
) -> None:
    """One row per setting the declaration offers to the dialog, in its order, bounded
    by its declared bounds; the note lists the live ones and those for the next start
    from the same declaration."""
    settings, user = _settings(tmp_path, {})
    dialog = _dialog(qtbot, settings, user)
    offered = settings_module.dialog_settings()
    assert list(dialog.editors) == offered
    assert "lock_after_minutes" in offered and settings_module.REGISTRY["lock_after_minutes"].live
    dwell = settings_module.REGISTRY["seen_dwell_ms"]
    assert (dialog.seen_dwell_ms.minimum(), dialog.seen_dwell_ms.maximum()) == (
        dwell.minimum,
        dwell.maximum,
    )
    now, later = dialog.when_note.text().split("\n")
    assert now.startswith("Gäller direkt") and tr("settings.field.lock_after_minutes") in now
    assert later.startswith("Gäller från nästa start")
    for name in offered:
        label = tr(f"settings.field.{name}")
        live = settings_module.REGISTRY[name].live
        assert (label in now, label in later) == (live, not live), name


def test_numbers_are_written_the_swedish_way(qtbot: QtBot, tmp_path: Path) -> None:
    settings, user = _settings(tmp_path, {})
    dialog = _dialog(qtbot, settings, user)
    assert dialog.retention_hours.text() == "24 timmar"
    assert dialog.readable_scale.text() == "0,6"
    assert dialog.lock_after_minutes.text() == "5 min"
    dialog.readable_scale.setValue(0.65)
    assert dialog.readable_scale.text() == "0,65"


def test_a_saved_lock_time_applies_to_the_running_watch(qtbot: QtBot) -> None:
    """What the window does after a save (ui.window.side_views.show_settings): the watch that
    was started with the old time locks after the new one, without a restart."""
    watch = IdleWatch(60 * 60_000)
    idle: list[bool] = []
    watch.idle.connect(lambda: idle.append(True))
    watch.set_timeout(30)
    with qtbot.waitSignal(watch.idle, timeout=5_000):
        pass
    assert idle == [True]
    watch.stop()
    watch.deleteLater()
