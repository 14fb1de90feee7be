"""A steady layout (issue 20, item 5): nothing moves under the pointer when the selected
file, the number of findings or the case on screen changes ("Bifoga fil…" and the
message text stay where they were)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case
from ui.window.main_window import MainWindow


def _where(window: MainWindow, widget: QWidget) -> tuple[int, int, int]:
    at = widget.mapTo(window, QPoint(0, 0))
    return at.x(), at.y(), widget.height()


def _places(window: MainWindow) -> list[tuple[int, int, int]]:
    QApplication.sendPostedEvents()  # the layout's pending requests, done now
    QApplication.processEvents()
    return [
        _where(window, w)
        for w in (window.attachments.attach_button, window.compose.body_edit, window.case_slot)
    ]


def test_nothing_moves_when_the_file_or_the_case_changes(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    window.resize(1280, 720)
    pick_case(window, "2024-119")
    qtbot.waitUntil(lambda: window.thread_view.shown is not None, timeout=10_000)
    empty = _places(window)
    plain = attach(qtbot, window, write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(1)))
    assert _places(window) == empty, "a file added moves nothing above or beside it"
    many = attach(
        qtbot,
        window,
        write_text_pdf(tmp_path / "Recept 19450110-3297.pdf", numbered_pages(3)),
    )
    for attachment in (plain, many, plain):
        window.attachments.select(attachment.id)
        assert _places(window) == empty, attachment.filename
    window.attachments.select(many.id)
    assert window.minimumSizeHint().height() <= 720 - 40, "it still fits the workstation"
    pick_case(window, "2024-118")  # another case, no files
    assert _places(window) == empty
