"""The deeper preview: seen-tracking rules, keys, highlights, rotation, thumbnails, a
crashing render and the cache bound. Real render worker; waits on signals, never sleeps."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.inspection.report import Finding, InspectionReport, PersonalDataHit, Severity
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from ui.preview.pane import PreviewPane

# A test personnummer (Skatteverket's test series, tests/files/testpersonnummer.txt).
TEST_PNR = "18900101-9802"
# Where pdfgen puts line 3 of a page: x 56 pt, baseline 790 - 2 * 16 pt from the bottom of
# an 842 pt page, 12 pt Helvetica; as (left, top, right, bottom) from the top-left corner.
HIT_RECT = (56.0, 40.0, 150.0, 54.0)


def attach(services: Services, path: Path) -> Attachment:
    return Attachment(services.staging.stage(path))


def pane_for(
    qtbot: QtBot, services: Services, size: tuple[int, int] = (760, 900), **kw: Any
) -> PreviewPane:
    pane = PreviewPane(services, **kw)
    qtbot.addWidget(pane)
    pane.resize(*size)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def track(pane: PreviewPane, attachment: Attachment) -> list[int]:
    """What the main window does with the pane's signals."""
    seen: list[int] = []

    def page_seen(_id: str, page: int) -> None:
        seen.append(page)
        attachment.seen_pages.add(page)
        pane.refresh_progress()

    pane.page_seen.connect(page_seen)
    pane.page_count_known.connect(lambda _id, count: setattr(attachment, "page_count", count))
    return seen


def shown(pane: PreviewPane, page: int) -> bool:
    return pane.current_page == page and pane.page_view.image() is not None


@pytest.fixture
def letter(offline_services: Services, tmp_path: Path) -> Attachment:
    pages = numbered_pages(4, lines_per_page=20)
    pages[0][2] = f"Personnummer {TEST_PNR}"
    return attach(offline_services, write_text_pdf(tmp_path / "brev.pdf", pages))


def test_a_page_counts_only_after_the_dwell(
    qtbot: QtBot, offline_services: Services, letter: Attachment
) -> None:
    offline_services.settings.seen_dwell_ms = 400
    pane = pane_for(qtbot, offline_services)
    seen = track(pane, letter)
    with qtbot.waitSignal(pane.page_painted, timeout=10_000):
        pane.show_attachment(letter)
    # On screen, readable, whole: still not seen before the dwell has passed.
    with qtbot.assertNotEmitted(pane.page_seen, wait=200):
        pass
    with qtbot.waitSignal(pane.page_seen, timeout=5_000):
        pass
    assert seen == [0]
    assert pane.seen_label.text() == "1 av 4 sidor granskade"


def test_a_page_taller_than_the_pane_must_be_scrolled_through(
    qtbot: QtBot, offline_services: Services, letter: Attachment
) -> None:
    pane = pane_for(qtbot, offline_services, size=(760, 520))
    seen = track(pane, letter)
    pane.fit_width()
    pane.show_attachment(letter)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=10_000)
    bar = pane.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0  # the page is taller than the pane
    with qtbot.assertNotEmitted(pane.page_seen, wait=300):  # 5x the dwell, top half only
        pass
    assert seen == []
    with qtbot.waitSignal(pane.page_seen, timeout=5_000):
        # Page Down scrolls through the page before it turns it.
        pane.scroll_area.setFocus()
        while bar.value() < bar.maximum():
            qtbot.keyClick(pane.scroll_area, Qt.Key.Key_PageDown)
    assert seen == [0] and pane.current_page == 0


def test_a_pane_too_small_for_a_readable_page_shows_it_readable_and_it_counts(
    qtbot: QtBot, offline_services: Services, letter: Attachment
) -> None:
    pane = pane_for(qtbot, offline_services, size=(440, 420))
    seen = track(pane, letter)
    pane.show_attachment(letter)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=10_000)
    # The whole page would fit at a stamp's size; it is shown at the readable floor.
    assert pane.scale == offline_services.settings.readable_scale
    bar = pane.scroll_area.verticalScrollBar()
    assert bar.maximum() > 0
    with qtbot.waitSignal(pane.page_seen, timeout=5_000):
        pane.scroll_area.setFocus()
        while bar.value() < bar.maximum():
            qtbot.keyClick(pane.scroll_area, Qt.Key.Key_PageDown)
    assert seen == [0] and pane.current_page == 0


def test_the_keyboard_does_everything(
    qtbot: QtBot, offline_services: Services, letter: Attachment
) -> None:
    pane = pane_for(qtbot, offline_services)
    track(pane, letter)
    pane.show_attachment(letter)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=10_000)
    area = pane.scroll_area
    area.setFocus()
    for key, page in (
        (Qt.Key.Key_End, 3),
        (Qt.Key.Key_Home, 0),
        (Qt.Key.Key_Right, 1),
        (Qt.Key.Key_PageDown, 2),
        (Qt.Key.Key_Left, 1),
        (Qt.Key.Key_PageUp, 0),
    ):
        qtbot.keyClick(area, key)
        qtbot.waitUntil(functools.partial(shown, pane, page), timeout=10_000)
        assert pane.page_label.text() == f"Sida {page + 1} av 4"
    before = pane.scale
    qtbot.keyClick(area, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert pane.scale == pytest.approx(before * 1.25, abs=0.011)
    qtbot.keyClick(area, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(area, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert pane.scale < before
    qtbot.keyClick(area, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert pane.scale == pytest.approx(before)
    qtbot.keyClick(area, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert pane.rotation == 90
    # Every control says what it is to a screen reader.
    for control in (
        pane.previous_button,
        pane.next_button,
        pane.zoom_in_button,
        pane.zoom_out_button,
        pane.rotate_button,
        pane.highlights_button,
        pane.page_label,
        pane.seen_label,
        pane.thumbnails,
        pane.page_view,
    ):
        assert control.accessibleName() or getattr(control, "text", str)()


def _blue_in(image: QImage, rect: QRect) -> float:
    values = [
        image.pixelColor(x, y).blue()
        for x in range(rect.left(), rect.right(), 2)
        for y in range(rect.top(), rect.bottom(), 2)
    ]
    return sum(values) / len(values)


def test_hits_and_page_findings_are_drawn_where_they_are_and_can_be_hidden(
    qtbot: QtBot, offline_services: Services, letter: Attachment
) -> None:
    letter.report = InspectionReport(
        letter.sha256,
        "application/pdf",
        4,
        findings=(Finding("pdf.scanned_page", Severity.BLOCK, 2),),
        personal_data_found=True,
        hits=(PersonalDataHit("personnummer", 1, "18900101-****", HIT_RECT),),
    )
    pane = pane_for(qtbot, offline_services)
    track(pane, letter)
    pane.show_attachment(letter)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=10_000)
    scale = pane.scale
    (hit,) = pane.page_view.overlay.hits
    assert hit.left() == pytest.approx(HIT_RECT[0] * scale, abs=1)
    assert hit.top() == pytest.approx(HIT_RECT[1] * scale, abs=1)
    assert pane.page_view.overlay.banners == []  # the finding is on page 2
    assert "18900101-****" in pane.page_view.accessibleDescription()

    on_screen = hit.toRect().translated(pane.page_view.page_rect().topLeft())
    with_marks = _blue_in(pane.page_view.grab().toImage(), on_screen)
    pane.highlights_button.click()
    assert not pane.page_view.highlights_shown
    without_marks = _blue_in(pane.page_view.grab().toImage(), on_screen)
    assert with_marks < without_marks - 20  # the orange wash is there, and then gone
    pane.highlights_button.click()

    pane.go_to(1)
    qtbot.waitUntil(lambda: shown(pane, 1), timeout=10_000)
    assert pane.page_view.overlay.hits == []
    ((severity, sentence),) = pane.page_view.overlay.banners
    assert severity == "block" and "skannad" in sentence

    # Turned a quarter clockwise, the hit on page 1 moves with the page.
    pane.go_to(0)
    pane.rotate()

    def landscape() -> bool:
        image = pane.page_view.image()
        return shown(pane, 0) and image is not None and image.width() > image.height()

    qtbot.waitUntil(landscape, timeout=10_000)
    scale = pane.scale
    (turned,) = pane.page_view.overlay.hits
    assert turned.left() == pytest.approx((842 - HIT_RECT[3]) * scale, abs=1)
    assert turned.top() == pytest.approx(HIT_RECT[0] * scale, abs=1)


class _CrashingRenders:
    """The real worker, except that drawing a page crashes it (a hostile file would)."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker

    def call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        return self._worker.call("selftest.crash" if op == "render" else op, **kwargs)


def test_a_crashing_render_says_why_and_nothing_else_breaks(
    qtbot: QtBot, offline_services: Services, letter: Attachment, tmp_path: Path
) -> None:
    real = offline_services.render_worker
    offline_services.render_worker = _CrashingRenders(real)  # type: ignore[assignment]
    pane = pane_for(qtbot, offline_services)
    with qtbot.waitSignal(pane.render_failed, timeout=10_000) as failed:
        pane.show_attachment(letter)
    assert failed.args == [letter.id, "worker.crashed"]
    assert pane.page_view.text().startswith("Sidan kan inte visas")
    assert pane.page_view.image() is None
    offline_services.render_worker = real  # the next call starts a fresh worker
    other = attach(offline_services, write_text_pdf(tmp_path / "annat.pdf", numbered_pages(2)))
    pane.show_attachment(other)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=15_000)


def test_the_page_cache_stays_within_its_bytes(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    limit = 5 * 1024 * 1024  # about two pages at this size
    pane = pane_for(qtbot, offline_services, cache_bytes=limit)
    attachment = attach(
        offline_services, write_text_pdf(tmp_path / "lång.pdf", numbered_pages(8, 5))
    )
    track(pane, attachment)
    for page in range(8):
        pane.show_attachment(attachment, page) if page == 0 else pane.go_to(page)
        qtbot.waitUntil(functools.partial(shown, pane, page), timeout=10_000)
        assert pane.page_cache.total_bytes <= limit
    assert 1 <= len(pane.page_cache) <= 3


def test_thumbnails_are_drawn_lazily_and_mark_the_seen_pages(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    pane = pane_for(qtbot, offline_services, size=(760, 700))
    attachment = attach(
        offline_services, write_text_pdf(tmp_path / "lång.pdf", numbered_pages(40, 5))
    )
    track(pane, attachment)
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        pane.show_attachment(attachment)
    strip = pane.thumbnails
    assert strip.isVisible() and strip.model().rowCount() == 40
    visible = strip.visible_rows()
    assert 0 < len(visible) < 40
    qtbot.waitUntil(lambda: len(pane.thumb_cache) >= len(visible), timeout=10_000)
    assert len(pane.thumb_cache) < 40  # only what was on screen was drawn
    model = strip.model()
    role = Qt.ItemDataRole.AccessibleTextRole
    assert model.data(model.index(0, 0), role) == "Sida 1, granskad"
    assert model.data(model.index(1, 0), role) == "Sida 2, inte granskad"
    # A click on a thumbnail goes there.
    rect = strip.visualRect(model.index(2, 0))
    qtbot.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: shown(pane, 2), timeout=10_000)
    assert pane.page_label.text() == "Sida 3 av 40"
