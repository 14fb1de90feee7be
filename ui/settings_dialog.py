"""The settings dialog: what the user may change, saved through :mod:`app.settings`.

The user changes the language, the staging folder, the retention (within the region's
maximum), the dwell before a page counts as seen, the readable zoom and the clinic's
phone numbers. What the region's policy file sets is shown, marked as the region's, and
cannot be changed here; the gateway is never the dialog's. Every value is checked by the
same registry as the settings file (:func:`app.settings.save_changes`); a problem is
shown in Swedish beside the form and nothing is saved.

The main window offers it through :func:`open_settings_dialog`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import texts
from app.settings import REGISTRY, Settings, SettingsProblem, save_changes
from ui.i18n import language, tr


def open_settings_dialog(
    parent: QWidget | None, settings: Settings, path: Path | None = None
) -> bool:
    """Show the settings dialog (modal); whether the user saved changes. ``settings`` is
    updated in place when they did; ``path``: the user's settings file (default: theirs)."""
    dialog = SettingsDialog(settings, parent, path=path)
    return dialog.exec() == QDialog.DialogCode.Accepted


class SettingsDialog(QDialog):
    def __init__(
        self, settings: Settings, parent: QWidget | None = None, *, path: Path | None = None
    ) -> None:
        super().__init__(parent)
        self._settings = settings
        self._path = path
        self.setWindowTitle(tr("settings.dialog.title"))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.language = QComboBox()
        for code in texts.LANGUAGES:
            self.language.addItem(tr(f"settings.dialog.language.{code}"), code)
        self.language.setCurrentIndex(list(texts.LANGUAGES).index(settings.language))
        self._add_row(form, "language", self.language)

        self.staging_dir = QLineEdit(settings.staging_dir)
        self.staging_dir.setPlaceholderText(str(settings.staging_path()))
        choose = QPushButton(tr("settings.dialog.choose_folder"))
        choose.setAccessibleName(tr("settings.dialog.choose_folder"))
        choose.clicked.connect(self._choose_staging_dir)
        row = QHBoxLayout()
        row.addWidget(self.staging_dir, 1)
        row.addWidget(choose)
        self._add_row(form, "staging_dir", self.staging_dir, row)

        retention = REGISTRY["retention_hours"]
        self.retention_hours = QDoubleSpinBox()
        self.retention_hours.setDecimals(1)
        self.retention_hours.setRange(retention.minimum or 1, settings.max_retention_hours)
        self.retention_hours.setSuffix(tr("settings.dialog.hours_suffix"))
        self.retention_hours.setValue(settings.retention_hours)
        self._add_row(form, "retention_hours", self.retention_hours)

        dwell = REGISTRY["seen_dwell_ms"]
        self.seen_dwell_ms = QSpinBox()
        self.seen_dwell_ms.setRange(int(dwell.minimum or 0), int(dwell.maximum or 10_000))
        self.seen_dwell_ms.setSingleStep(100)
        self.seen_dwell_ms.setSuffix(" ms")
        self.seen_dwell_ms.setValue(settings.seen_dwell_ms)
        self._add_row(form, "seen_dwell_ms", self.seen_dwell_ms)

        lock = REGISTRY["lock_after_minutes"]
        self.lock_after_minutes = QDoubleSpinBox()
        self.lock_after_minutes.setDecimals(0)
        self.lock_after_minutes.setRange(lock.minimum or 1, lock.maximum or 60)
        self.lock_after_minutes.setSuffix(tr("settings.dialog.minutes_suffix"))
        self.lock_after_minutes.setValue(settings.lock_after_minutes)
        self._add_row(form, "lock_after_minutes", self.lock_after_minutes)

        scale = REGISTRY["readable_scale"]
        self.readable_scale = QDoubleSpinBox()
        self.readable_scale.setDecimals(2)
        self.readable_scale.setSingleStep(0.05)
        self.readable_scale.setRange(scale.minimum or 0.1, scale.maximum or 3.0)
        self.readable_scale.setValue(settings.readable_scale)
        self._add_row(form, "readable_scale", self.readable_scale)

        self.clinic_phone_numbers = QPlainTextEdit("\n".join(settings.clinic_phone_numbers))
        self.clinic_phone_numbers.setTabChangesFocus(True)
        self.clinic_phone_numbers.setPlaceholderText(tr("settings.dialog.phones_placeholder"))
        self.clinic_phone_numbers.setFixedHeight(80)
        self._add_row(form, "clinic_phone_numbers", self.clinic_phone_numbers)

        self.region = QLabel(self._region_summary())
        self.region.setWordWrap(True)
        self.region.setAccessibleName(tr("settings.dialog.region"))
        layout.addWidget(self.region)

        note = QLabel(tr("settings.dialog.next_start"))
        note.setWordWrap(True)
        layout.addWidget(note)

        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setAccessibleName(tr("settings.dialog.problems"))
        self.problems.setStyleSheet("color: #a00000;")
        layout.addWidget(self.problems)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("settings.dialog.save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("ui.cancel"))
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _add_row(
        self, form: QFormLayout, name: str, editor: QWidget, row: QHBoxLayout | None = None
    ) -> None:
        label = tr(f"settings.field.{name}")
        editor.setAccessibleName(label)
        if name in self._settings.set_by_region:  # the region's: shown, not changeable
            editor.setEnabled(False)
            label = tr("settings.dialog.set_by_region", label=label)
        form.addRow(label, row if row is not None else editor)

    def _region_summary(self) -> str:
        settings = self._settings
        gateway = tr("settings.dialog.sandbox") if settings.uses_sandbox else settings.gateway_url
        lines = [
            tr("settings.dialog.gateway", gateway=gateway),
            tr(f"settings.dialog.care_provider.{settings.care_provider}"),
        ]
        if settings.service_portal_url:
            lines.append(tr("settings.dialog.portal", url=settings.service_portal_url))
        for contact in settings.contacts:
            lines.append(" ".join(part for part in (contact.name, contact.phone) if part))
        if settings.set_by_region:
            lines.append(tr("settings.dialog.region_note"))
        return "\n".join(lines)

    def _choose_staging_dir(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, tr("settings.field.staging_dir"), self.staging_dir.text()
        )
        if folder:
            self.staging_dir.setText(folder)

    def changes(self) -> dict[str, Any]:
        """What differs from the settings now: only these are saved."""
        settings = self._settings
        phones = [
            line.strip()
            for line in self.clinic_phone_numbers.toPlainText().splitlines()
            if line.strip()
        ]
        values: dict[str, Any] = {
            "language": self.language.currentData(),
            "staging_dir": self.staging_dir.text().strip(),
            "retention_hours": self.retention_hours.value(),
            "seen_dwell_ms": self.seen_dwell_ms.value(),
            "readable_scale": self.readable_scale.value(),
            "lock_after_minutes": self.lock_after_minutes.value(),
            "clinic_phone_numbers": phones,
        }
        return {
            name: value
            for name, value in values.items()
            if name not in settings.set_by_region and value != getattr(settings, name)
        }

    def _save(self) -> None:
        changes = self.changes()
        problems = save_changes(changes, self._settings, self._path) if changes else []
        if problems:
            self.problems.setText("\n".join(self._problem_text(p) for p in problems))
            return
        self.accept()

    def _problem_text(self, problem: SettingsProblem) -> str:
        """A problem in the form's words (the field's label); one of the file itself (it
        could not be read) names the file."""
        name = problem.field.split("[")[0]
        if name not in REGISTRY:
            return problem.text(language())
        params = {**problem.params, "label": tr(f"settings.field.{name}")}
        code = problem.code.replace("settings.", "settings.dialog.problem.")
        if not texts.has_message(code):
            code = "settings.dialog.problem.other"
        return tr(code, **params)
