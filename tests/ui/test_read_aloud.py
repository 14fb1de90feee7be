""" "Uppläst" in the preview: a tagged PDF with a heading, a list, a table and a figure,
read as a screen reader takes it (real render worker; waits on signals)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.drafts.message_draft import Attachment
from app.preview.reading import ReadItem
from app.runtime.services import Services
from tests.support.tagged_pdf import El, letter, tagged_pdf
from tests.ui.test_preview_pane import pane_for
from ui.preview.read_aloud import page_text


def _attach(services: Services, path: Path, data: bytes) -> Attachment:
    path.write_bytes(data)
    return Attachment(services.staging.stage(path))


def test_read_aloud_shows_the_tagged_letter_in_reading_order(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    attachment = _attach(
        offline_services, tmp_path / "brev.pdf", letter(link="https://www.1177.se")
    )
    pane = pane_for(qtbot, offline_services, size=(1100, 900))
    with qtbot.waitSignal(pane.page_painted, timeout=10_000):
        pane.show_attachment(attachment)
    assert not pane.read_aloud.view.isVisible()
    with qtbot.waitSignal(pane.read_aloud.page_text_ready, timeout=10_000):
        pane.read_aloud.button.click()
    assert pane.read_aloud.view.isVisible()
    shown = pane.read_aloud.view.toPlainText()
    expected = [
        "Sida 1",
        "Rubrik nivå 1: Provsvar",
        "Vi har tagit emot dina provsvar och går igenom dem med dig.",
        "Listpunkt: 1. Ta med legitimation.",
        "Kolumnrubrik: Prov",
        "Kolumnrubrik: Värde",
        "Prov: Hb",
        "Värde: 140",
        "Bild: Diagram över blodvärden",
        "Länk: Läs mer på 1177",
    ]
    positions = [shown.find(line) for line in expected]
    assert all(p >= 0 for p in positions), shown
    assert positions == sorted(positions), shown
    # The same text is what the page exposes (see the accessibility tests).
    assert pane.read_aloud.page_text(attachment, 0) == page_text(
        pane.read_aloud.items(attachment) or (), 0
    )


def test_a_figure_without_alt_text_is_said_to_be_one(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    data = tagged_pdf([El("H2", "Bilaga"), El("Figure", "")])
    attachment = _attach(offline_services, tmp_path / "bild.pdf", data)
    pane = pane_for(qtbot, offline_services, size=(1100, 900))
    pane.show_attachment(attachment)
    with qtbot.waitSignal(pane.read_aloud.page_text_ready, timeout=10_000):
        pane.read_aloud.button.click()
    items = pane.read_aloud.items(attachment)
    assert items == (ReadItem(0, "heading", "Bilaga", 2), ReadItem(0, "figure", ""))
    assert "Bild utan beskrivning" in pane.read_aloud.view.toPlainText()


def test_reading_a_page_through_counts_as_seeing_it_and_the_page_tells_its_text(
    qtbot: QtBot, offline_services: Services, tmp_path: Path
) -> None:
    from PySide6.QtGui import QTextCursor

    attachment = _attach(offline_services, tmp_path / "brev.pdf", letter())
    offline_services.settings.seen_dwell_ms = 60_000  # the eyes alone will not do it here
    pane = pane_for(qtbot, offline_services, size=(1100, 900))
    with qtbot.waitSignal(pane.page_painted, timeout=10_000):
        pane.show_attachment(attachment)
    with qtbot.waitSignal(pane.read_aloud.page_text_ready, timeout=10_000):
        pane.read_aloud.button.click()
    description = pane.page_view.accessibleDescription()
    assert description.startswith("Sida 1 av ")
    assert "Rubrik nivå 1: Provsvar" in description and "Prov: Hb" in description
    view = pane.read_aloud.view
    with qtbot.assertNotEmitted(pane.page_seen):
        view.moveCursor(QTextCursor.MoveOperation.Start)
        view.moveCursor(QTextCursor.MoveOperation.Down)
    with qtbot.waitSignal(pane.page_seen, timeout=1_000) as seen:
        view.moveCursor(QTextCursor.MoveOperation.End)
    assert seen.args == [attachment.id, 0]
