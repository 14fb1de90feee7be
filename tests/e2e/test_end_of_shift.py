"""End of shift (issue 20, item 4): closing with drafts offers "Spara och stäng" (the
default), "Släng" and "Avbryt"; a draft is never lost by closing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.drafts.draft_store import DraftStore
from app.runtime.services import Services
from tests.support.window import open_window, pick_case
from ui.common.i18n import strip_mnemonic


def _answer(act: Callable[[QMessageBox], None], seen: list[list[str]]) -> None:
    """Answer the close question once it is on screen (it is modal)."""

    def look() -> None:
        box = next(
            (w for w in QApplication.topLevelWidgets() if w.objectName() == "close-question"),
            None,
        )
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(20, look)
            return
        seen.append([strip_mnemonic(b.text()) for b in box.findChildren(QPushButton)])
        seen.append([strip_mnemonic(box.defaultButton().text()), box.text()])
        act(box)

    QTimer.singleShot(0, look)


def _click(label: str) -> Callable[[QMessageBox], None]:
    def click(box: QMessageBox) -> None:
        button = next(b for b in box.buttons() if strip_mnemonic(b.text()) == label)
        button.click()

    return click


@pytest.mark.parametrize(
    ("answer", "closed", "kept"),
    [
        (lambda box: QTest.keyClick(box, Qt.Key.Key_Return), True, 1),  # Enter: save
        (_click("Släng"), True, 0),
        (_click("Avbryt"), False, None),
    ],
    ids=["enter-saves", "discard", "cancel"],
)
def test_closing_with_a_draft_saves_it_by_default(
    qtbot: QtBot,
    services: Services,
    tmp_path: Path,
    answer: Callable[[QMessageBox], None],
    closed: bool,
    kept: int | None,
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej Karin! Provsvaret kommer i morgon.")
    seen: list[list[str]] = []
    _answer(answer, seen)
    window.close()
    assert sorted(seen[0]) == sorted(["Spara och stäng", "Släng", "Avbryt"])
    assert seen[1][0] == "Spara och stäng" and "1 osänt utkast" in seen[1][1]
    assert window.isVisible() is not closed
    if not closed:  # still open, the draft with it
        assert [d.body for d in window.desk.unsent_drafts()] == [
            "Hej Karin! Provsvaret kommer i morgon."
        ]
        return
    restored = DraftStore(services.staging.drafts_folder, "anna").load()
    bodies = [r.draft.body for r in restored.drafts] if restored else []
    assert len(bodies) == kept
    if kept:
        assert bodies == ["Hej Karin! Provsvaret kommer i morgon."]
