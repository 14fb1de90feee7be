""" "Lagring": what is kept on this computer, how old and why, with delete, and whom to ask
for help with the secure storage area."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.after_send.storage_report import KeptKind
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case


def test_drafts_and_leftovers_are_listed_and_can_be_deleted(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.subject_edit.setText("Provsvar till Karin")
    attach(qtbot, window, write_text_pdf(tmp_path / "Provsvar.pdf", numbered_pages(1)))
    leftover = services.staging.stage(write_text_pdf(tmp_path / "Gammal.pdf", numbered_pages(1)))

    view = window.side_views.show_storage()
    kinds = {item.kind: item for item in view.items}
    assert set(kinds) == {KeptKind.DRAFT, KeptKind.LEFTOVER}
    assert kinds[KeptKind.DRAFT].label == "Provsvar till Karin" and kinds[KeptKind.DRAFT].files == 1
    assert kinds[KeptKind.LEFTOVER].folders == (leftover.path.parent,)
    left_row = view.list.topLevelItem(view.items.index(kinds[KeptKind.LEFTOVER]))
    assert left_row is not None
    assert left_row.text(0) == "Arbetskopia utan utkast", "never the copy's inner name"
    assert "30 000" in view.help.text(), "the Servicedesk number for the storage area"

    view.delete(kinds[KeptKind.LEFTOVER])
    assert not leftover.path.exists()
    draft = next(i for i in view.items if i.kind is KeptKind.DRAFT)
    staged = window.desk.current.attachments[0].staged.path
    view.delete(draft)
    assert not staged.exists() and window.desk.book.case_draft("2024-118") is None
    assert view.items == []
    view.close()
