"""The settings dialog: what the user may change, saved through :mod:`app.config.settings`.

The user changes what the settings' declaration offers to the dialog (``Spec.dialog``:
the language, the staging folder, the retention within the region's maximum, the dwell
before a page counts as seen, the lock time, the readable zoom and the clinic's phone
numbers), and the dialog says which apply at once and which at the next start
(``Spec.live``). What the region's policy file sets is shown, marked as the region's, and
cannot be changed here; the gateway is never the dialog's. Every value is checked by the
same registry as the settings file (:func:`app.config.settings.save_changes`); a problem is
shown in Swedish beside the form and nothing is saved.

The main window offers it through :func:`open_settings_dialog`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale
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

from app.config import texts
from app.config.settings import (
    REGISTRY,
    Settings,
    SettingsProblem,
    Spec,
    dialog_settings,
    save_changes,
)
from ui.common.i18n import language, tr


def open_settings_dialog(
    parent: QWidget | None, settings: Settings, path: Path | None = None
) -> bool:
    """Show the settings dialog (modal); whether the user saved changes. ``settings`` is
    updated in place when they did; ``path``: the user's settings file (default: theirs)."""
    dialog = SettingsDialog(settings, parent, path=path)
    return dialog.exec() == QDialog.DialogCode.Accepted


class NumberBox(QDoubleSpinBox):
    """A number written the way the dialog's language writes it: ``24``, ``0,6`` in
    Swedish (no ``24.0`` or ``0.60``), the unit after it."""

    def textFromValue(self, value: float) -> str:
        return self.locale().toString(round(value, self.decimals()), "g", 12)


def _locale() -> QLocale:
    if language() == "sv":
        return QLocale(QLocale.Language.Swedish, QLocale.Country.Sweden)
    return QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)


class SettingsDialog(QDialog):
    """The form is built from the settings' declaration (``app.config.settings.setting``): one
    row per setting the dialog offers, in the declared order, its editor chosen by its
    kind and bounded by its declared bounds; each editor is also found as the dialog's
    attribute of the setting's name."""

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
        self.editors: dict[str, QWidget] = {}
        for name in dialog_settings():
            editor, row = self._editor(name, REGISTRY[name])
            self.editors[name] = editor
            self._add_row(form, name, editor, row)

        self.region = QLabel(self._region_summary())
        self.region.setWordWrap(True)
        self.region.setAccessibleName(tr("settings.dialog.region"))
        layout.addWidget(self.region)

        # Which changes take effect at once and which at the next start: read from the
        # declaration, so the dialog cannot say otherwise than the window does.
        self.when_note = QLabel(self._when_note())
        self.when_note.setWordWrap(True)
        layout.addWidget(self.when_note)

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

    def __getattr__(self, name: str) -> Any:
        """A setting's editor by the setting's name (``dialog.retention_hours``)."""
        editors = self.__dict__.get("editors", {})
        if name in editors:
            return editors[name]
        raise AttributeError(name)

    def _editor(self, name: str, spec: Spec) -> tuple[QWidget, QHBoxLayout | None]:
        """The editor for one declared setting, holding its value now (and the row it
        sits in, when it has a button beside it)."""
        value = getattr(self._settings, name)
        if spec.kind == "choice":
            combo = QComboBox()
            for choice in spec.choices:
                combo.addItem(tr(f"settings.dialog.{name}.{choice}"), choice)
            combo.setCurrentIndex(list(spec.choices).index(value))
            return combo, None
        if spec.kind == "folder":
            line = QLineEdit(value)
            line.setPlaceholderText(str(self._settings.staging_path()))
            choose = QPushButton(tr("settings.dialog.choose_folder"))
            choose.setAccessibleName(tr("settings.dialog.choose_folder"))
            choose.setProperty("setting", name)
            choose.clicked.connect(self._choose_folder)
            row = QHBoxLayout()
            row.addWidget(line, 1)
            row.addWidget(choose)
            return line, row
        if spec.kind == "phones":
            phones = QPlainTextEdit("\n".join(value))
            phones.setTabChangesFocus(True)
            phones.setPlaceholderText(tr("settings.dialog.phones_placeholder"))
            phones.setFixedHeight(80)
            return phones, None
        return self._number(name, spec, value), None

    def _number(self, name: str, spec: Spec, value: float) -> QSpinBox | NumberBox:
        box: QSpinBox | NumberBox = QSpinBox() if spec.kind == "int" else NumberBox()
        box.setLocale(_locale())
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else 1e9
        if name == "retention_hours":  # the region's maximum bounds the user's
            high = self._settings.max_retention_hours
        if isinstance(box, NumberBox):
            box.setDecimals(spec.decimals)
            box.setRange(low, high)
            box.setSingleStep(spec.step)
        else:
            box.setRange(int(low), int(high))
            box.setSingleStep(int(spec.step))
        if spec.unit:
            box.setSuffix(tr(spec.unit))
        box.setValue(value)  # type: ignore[arg-type]  # an int for a QSpinBox
        return box

    def _when_note(self) -> str:
        offered = [n for n in dialog_settings() if n not in self._settings.set_by_region]
        now = [tr(f"settings.field.{n}") for n in offered if REGISTRY[n].live]
        later = [tr(f"settings.field.{n}") for n in offered if not REGISTRY[n].live]
        lines = []
        if now:
            lines.append(tr("settings.dialog.applies_now", fields=", ".join(now)))
        if later:
            lines.append(tr("settings.dialog.next_start", fields=", ".join(later)))
        return "\n".join(lines)

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

    def _choose_folder(self) -> None:
        name = str(self.sender().property("setting"))
        line = self.editors[name]
        assert isinstance(line, QLineEdit)
        folder = QFileDialog.getExistingDirectory(self, tr(f"settings.field.{name}"), line.text())
        if folder:
            line.setText(folder)

    def changes(self) -> dict[str, Any]:
        """What differs from the settings now: only these are saved."""
        settings = self._settings
        values = {name: _value(editor) for name, editor in self.editors.items()}
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


def _value(editor: QWidget) -> Any:
    """What an editor of :meth:`SettingsDialog._editor` holds, as the setting's type."""
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    if isinstance(editor, QPlainTextEdit):
        return [line.strip() for line in editor.toPlainText().splitlines() if line.strip()]
    assert isinstance(editor, QSpinBox | QDoubleSpinBox)
    return editor.value()
