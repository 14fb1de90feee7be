"""The attachments panel: files dropped on it, and the answers a clinician gives per file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment, Draft
from app.inspection.report import InspectionReport
from app.storage.staging import StagedFile
from ui.window.attachments import AttachmentsPanel


def test_files_dropped_on_the_list_are_offered_for_attaching(qtbot: QtBot, tmp_path: Path) -> None:
    panel = AttachmentsPanel(Draft())
    qtbot.addWidget(panel)
    first, second = tmp_path / "a.pdf", tmp_path / "b.png"
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    event = QDropEvent(
        QPointF(5, 5),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    with qtbot.waitSignal(panel.files_dropped) as dropped:
        panel.list.dropEvent(event)
    assert dropped.args == [[str(first), str(second)]]


def test_an_image_asks_for_alt_text_and_whether_it_holds_personal_data(qtbot: QtBot) -> None:
    staged = StagedFile(Path("/staging/x/file"), "c" * 64, 10, "karta.png", "image/png")
    image = Attachment(staged, page_count=1)
    image.report = InspectionReport(staged.sha256, "image/png", 1, (), None)
    draft = Draft()
    draft.attachments.append(image)
    panel = AttachmentsPanel(draft)
    qtbot.addWidget(panel)
    panel.show()
    panel.select(image.id)
    assert panel.alt_text_row.isVisible() and panel.question_row.isVisible()
    with qtbot.waitSignal(panel.changed):
        panel.alt_text_edit.textEdited.emit("Karta över entrén")
    panel.pd_no.setChecked(True)
    assert image.alt_text == "Karta över entrén"
    assert image.declared_personal_data is False
    assert not image.personal_data
