"""A draft outlives the window: after a crash the clinician finds it again, and previews
the files again before sending."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.drafts.draft_store import DraftStore
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case, preview_every_page


def test_an_unsent_draft_is_restored_for_the_same_clinician_only(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    first = open_window(qtbot, services, "anna")
    pick_case(first, "2024-119")
    first.compose.body_edit.setPlainText("Hej Gunnar! Receptet är förnyat.")
    attachment = attach(qtbot, first, write_text_pdf(tmp_path / "Recept.pdf", numbered_pages(2)))
    preview_every_page(qtbot, first, attachment)
    store = DraftStore(services.staging.drafts_folder, "anna")
    qtbot.waitUntil(lambda: _saved_files(store) == 1, timeout=10_000)
    first.hide()  # the window is gone without a goodbye, as in a crash

    other = open_window(qtbot, services, "bertil")
    assert other.desk.current.body == "" and other.desk.current.attachments == []

    again = open_window(qtbot, services, "anna")
    draft = again.desk.current
    assert draft.body == "Hej Gunnar! Receptet är förnyat."
    assert draft.case is not None and draft.case.case_id == "2024-119"
    assert "återställda" in again.statusBar().currentMessage()
    (restored,) = draft.attachments
    assert restored.sha256 == attachment.sha256
    # Seen pages were not restored: page 2 has not been on screen in this window.
    assert 1 not in restored.seen_pages
    qtbot.waitUntil(lambda: restored.report is not None, timeout=30_000)
    assert not again.send_button.isEnabled()
    preview_every_page(qtbot, again, restored)
    qtbot.waitUntil(again.send_button.isEnabled)
    with qtbot.waitSignal(again.message_sent, timeout=30_000):
        again.send_button.click()
    assert store.load() is None, "a sent draft is not kept"


def _saved_files(store: DraftStore) -> int:
    restored = store.load()
    return sum(len(r.draft.attachments) for r in restored.drafts) if restored else 0
