"""The question when a window with unsent drafts is closed (end of shift): "Spara och
stäng" (the default: the drafts wait for the next sign-in), "Släng", or "Avbryt"."""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from ui.common.i18n import tr


class CloseChoice(Enum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask_on_close(parent: QWidget, count: int) -> CloseChoice:
    key = "ui.close.drafts_one" if count == 1 else "ui.close.drafts_many"
    box = QMessageBox(QMessageBox.Icon.Question, "Bifoga", tr(key, count=count), parent=parent)
    box.setObjectName("close-question")
    save = box.addButton(tr("ui.close.save_and_close"), QMessageBox.ButtonRole.AcceptRole)
    discard = box.addButton(tr("ui.close.discard"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(tr("ui.close.cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is save:
        return CloseChoice.SAVE
    if clicked is discard:
        return CloseChoice.DISCARD
    return CloseChoice.CANCEL
