"""The preview pane: pages drawn in the worker, seen-tracking, keys, and a file that
cannot be drawn."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.preview.rendered_page import RenderedPage
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from ui.preview.pane import PreviewPane, image_from_page


def staged_attachment(services: Services, path: Path) -> Attachment:
    return Attachment(services.staging.stage(path))


@pytest.fixture
def pane(qtbot: QtBot, offline_services: Services) -> PreviewPane:
    widget = PreviewPane(offline_services)
    qtbot.addWidget(widget)
    widget.resize(700, 900)
    widget.show()
    return widget


def test_pages_are_counted_as_seen_only_once_shown(
    qtbot: QtBot, pane: PreviewPane, offline_services: Services, tmp_path: Path
) -> None:
    attachment = staged_attachment(
        offline_services, write_text_pdf(tmp_path / "brev.pdf", numbered_pages(4))
    )
    seen: list[int] = []
    pane.page_seen.connect(lambda _id, page: seen.append(page))
    pane.page_count_known.connect(lambda _id, count: setattr(attachment, "page_count", count))
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        pane.show_attachment(attachment)
    assert seen == [0]
    assert attachment.page_count == 4
    assert pane.page_view.pixmap().width() > 300

    pane.scroll_area.setFocus()
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        qtbot.keyClick(pane.scroll_area, Qt.Key.Key_PageDown)
    assert seen == [0, 1]
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        qtbot.keyClick(pane.scroll_area, Qt.Key.Key_End)
    assert seen == [0, 1, 3]
    assert pane.current_page == 3
    assert not pane.next_button.isEnabled()


def test_a_page_too_small_to_read_does_not_count(
    qtbot: QtBot, pane: PreviewPane, offline_services: Services, tmp_path: Path
) -> None:
    attachment = staged_attachment(
        offline_services, write_text_pdf(tmp_path / "brev.pdf", numbered_pages(1))
    )
    attachment.page_count = 1
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        pane.show_attachment(attachment)
    seen: list[int] = []
    pane.page_seen.connect(lambda _id, page: seen.append(page))
    for _ in range(6):
        pane.zoom_by(1 / 1.25)
    qtbot.waitUntil(lambda: pane.scale < offline_services.settings.readable_scale)
    with qtbot.assertNotEmitted(pane.page_seen, wait=400):
        pass
    assert seen == []


def test_a_file_that_cannot_be_drawn_says_why_in_the_pane(
    qtbot: QtBot, pane: PreviewPane, offline_services: Services, tmp_path: Path
) -> None:
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 100)
    attachment = staged_attachment(offline_services, broken)
    with qtbot.waitSignal(pane.render_failed, timeout=10_000):
        pane.show_attachment(attachment)
    assert pane.page_view.text().startswith("Sidan kan inte visas")


def test_pixels_from_the_worker_are_checked_before_use() -> None:
    good = RenderedPage(0, 1, 2, 2, 6, "RGB888", bytes(12), 2.0, 2.0, 1.0)
    assert image_from_page(good).width() == 2
    for bad in (
        RenderedPage(0, 1, 2, 2, 6, "RGB888", bytes(11), 2.0, 2.0, 1.0),  # too short
        RenderedPage(0, 1, 2, 2, 4, "RGB888", bytes(12), 2.0, 2.0, 1.0),  # stride too small
        RenderedPage(0, 1, 2, 2, 6, "CMYK", bytes(12), 2.0, 2.0, 1.0),  # unknown format
    ):
        with pytest.raises(ValueError):
            image_from_page(bad)
