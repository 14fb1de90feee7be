"""The first page of a PDF just chosen: drawn from the file by both render workers before
it is staged, on screen at once, and taken as the staged copy's page only once every
byte it was drawn from was found in the staged copy (ui.preview.first_page). Real workers; waits
on signals, never sleeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, text_pdf, write_text_pdf
from tests.ui.test_preview_pane import pane_for, shown, track
from ui.common.i18n import tr
from ui.preview.first_page import confirm_staged
from ui.preview.pane import PreviewPane


class _CountingRenders:
    """The real render worker, noting the pages the pane itself asks for (file, page);
    everything else (the first page drawn ahead) goes to the real worker untouched."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker
        self.drawn: list[tuple[str, int]] = []

    def call(self, op: str, *args: Any, **kwargs: Any) -> Any:
        if op == "render" and args[2] >= 0.5:  # a page to read, not a thumbnail
            self.drawn.append((args[0], args[1]))
        return self._worker.call(op, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._worker, name)


def _counting(services: Services) -> _CountingRenders:
    counting = _CountingRenders(services.render_worker)
    services.render_worker = counting  # type: ignore[assignment]
    return counting


def _drawn_ahead(qtbot: QtBot, pane: PreviewPane, source: Path) -> Any:
    with qtbot.waitSignal(pane.page_painted, timeout=10_000):
        ahead = pane.draw_ahead(source)
        assert ahead is not None
    return ahead


def test_the_first_page_is_on_screen_before_staging_and_counts_once_confirmed(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    counting = _counting(offline_services)
    pane = pane_for(qtbot, offline_services)
    source = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(3))
    ahead = _drawn_ahead(qtbot, pane, source)
    # On screen, drawn by both workers together, before any staged copy exists.
    assert offline_services.staging.held() == []
    assert pane.attachment is None  # nothing to count it for yet
    assert pane.page_label.text() == tr("ui.preview.pane.preparing")
    assert pane.title.full_text() == "brev.pdf"
    image = pane.page_view.image()
    assert image is not None and not image.isNull()
    staged = offline_services.staging.stage(source)
    assert confirm_staged(ahead, staged)
    attachment = Attachment(staged)
    seen = track(pane, attachment)
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        pane.show_attachment(attachment)
        assert shown(pane, 0)  # taken as it is, at once
    assert seen == [0]
    qtbot.waitUntil(lambda: pane.page_count == 3, timeout=10_000)
    assert pane.page_label.text() == "Sida 1 av 3"
    assert (str(staged.path), 0) not in counting.drawn  # never drawn a second time
    pane.go_to(1)  # the next pages come from the staged copy
    qtbot.waitUntil(lambda: shown(pane, 1), timeout=10_000)
    assert all(path == str(staged.path) for path, _page in counting.drawn)


def test_a_file_changed_after_its_first_page_was_drawn_is_drawn_again_from_the_copy(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    counting = _counting(offline_services)
    pane = pane_for(qtbot, offline_services)
    source = write_text_pdf(tmp_path / "svar.pdf", [["Version ett"]])
    ahead = _drawn_ahead(qtbot, pane, source)
    drawn_ahead = pane.page_view.image()
    assert drawn_ahead is not None
    before = QImage(drawn_ahead)
    # Saved again in the program that made it, between the drawing and the staging.
    source.write_bytes(text_pdf([["Version två, med annat innehåll på sidan"]]))
    staged = offline_services.staging.stage(source)
    assert not confirm_staged(ahead, staged)
    attachment = Attachment(staged)
    seen = track(pane, attachment)
    with qtbot.waitSignal(pane.page_seen, timeout=10_000):
        pane.show_attachment(attachment)
    assert seen == [0]
    assert (str(staged.path), 0) in counting.drawn  # drawn again, from the staged copy
    after = pane.page_view.image()
    assert after is not None and after != before  # what is on screen is the new text


def test_a_refused_file_takes_its_first_page_off_the_screen(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    pane = pane_for(qtbot, offline_services)
    ahead = _drawn_ahead(qtbot, pane, write_text_pdf(tmp_path / "fel.pdf", numbered_pages(1)))
    assert pane.drop_ahead(ahead)  # its page was on screen: the caller shows what belongs
    assert pane.page_view.image() is None
    assert pane.title.full_text() == tr("ui.preview.pane.empty")
    assert not pane.drop_ahead(ahead)  # once


def test_a_first_page_drawn_for_another_file_is_never_taken(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    counting = _counting(offline_services)
    pane = pane_for(qtbot, offline_services)
    other = write_text_pdf(tmp_path / "annan.pdf", [["En annan fil"]])
    ahead = _drawn_ahead(qtbot, pane, other)
    assert confirm_staged(ahead, offline_services.staging.stage(other))
    right = Attachment(
        offline_services.staging.stage(write_text_pdf(tmp_path / "rätt.pdf", numbered_pages(2)))
    )
    pane.show_attachment(right)
    qtbot.waitUntil(lambda: shown(pane, 0), timeout=10_000)
    assert (str(right.staged.path), 0) in counting.drawn
    assert pane.title.full_text() == "rätt.pdf"


def test_nothing_is_drawn_ahead_for_an_image_or_while_a_worker_is_busy(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    pane = pane_for(qtbot, offline_services)
    assert pane.draw_ahead(tmp_path / "foto.png") is None  # images are rewritten first
    busy = offline_services.render_worker.submit("ping")
    assert busy is not None
    try:
        assert pane.draw_ahead(write_text_pdf(tmp_path / "brev.pdf", numbered_pages(1))) is None
    finally:
        busy.result()
    assert pane.page_view.image() is None


def test_a_file_that_cannot_be_drawn_ahead_is_left_to_the_staged_copy(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    pane = pane_for(qtbot, offline_services)
    broken = tmp_path / "trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + b"inte en pdf " * 40)
    ahead = pane.draw_ahead(broken)
    assert ahead is not None
    qtbot.waitUntil(lambda: ahead.finished, timeout=10_000)
    assert ahead.drawn is None and pane.page_view.image() is None
    staged = offline_services.staging.stage(broken)
    assert not confirm_staged(ahead, staged)


def test_a_first_page_too_large_for_its_block_makes_room_for_the_next(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    pane = pane_for(qtbot, offline_services, block_bytes=64 * 1024)  # far too small
    source = write_text_pdf(tmp_path / "stor.pdf", numbered_pages(1))
    first = pane.draw_ahead(source)
    assert first is not None
    qtbot.waitUntil(lambda: first.finished, timeout=10_000)
    assert first.drawn is None  # did not fit: the page is drawn from the staged copy
    _drawn_ahead(qtbot, pane, source)  # the block has grown: the next one fits
    assert pane.page_label.text() == tr("ui.preview.pane.preparing")


def test_a_large_file_is_not_drawn_ahead(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    from ui.preview.first_page import AHEAD_MAX_BYTES

    pane = pane_for(qtbot, offline_services)
    large = tmp_path / "stor.pdf"
    large.write_bytes(text_pdf(numbered_pages(1)) + b"%" * AHEAD_MAX_BYTES)
    ahead = pane.draw_ahead(large)
    assert ahead is not None
    qtbot.waitUntil(lambda: ahead.finished, timeout=10_000)
    assert ahead.drawn is None  # refused by its size before it was read
    assert pane.page_view.image() is None
