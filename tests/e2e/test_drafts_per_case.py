"""Each case keeps its own draft: switching cases, by the mouse or by keys in the list,
never moves words or files to another resident (issue 10)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.drafts.draft_store import DraftStore
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case


def _row_text(window: object, case_id: str) -> str:
    from ui.window.main_window import MainWindow

    assert isinstance(window, MainWindow)
    index = window.cases_panel.row_index(case_id)
    item = window.case_list.item(index)
    assert item is not None
    return item.text()


def test_switching_cases_with_the_mouse_keeps_each_draft_with_its_case(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")  # Karin Berg
    karin = window.desk.current
    window.compose.subject_edit.setText("Ditt provsvar")
    window.compose.body_edit.setPlainText("Hej Karin! Här är ditt provsvar.")
    letter = attach(qtbot, window, write_text_pdf(tmp_path / "Svar.pdf", numbered_pages(1)))

    pick_case(window, "2024-119")  # Gunnar Lindqvist
    gunnar = window.desk.current
    assert gunnar is not karin
    assert gunnar.recipients == ["194501103297"]
    assert window.compose.body_edit.toPlainText() == ""
    assert window.compose.subject_edit.text() == "Sv: Recept", "the case's own subject"
    assert window.attachments.list.count() == 0
    assert gunnar.attachments == []
    assert "utkast" in _row_text(window, "2024-118")
    assert "utkast" not in _row_text(window, "2024-119")
    window.compose.body_edit.setPlainText("Hej Gunnar! Receptet är förnyat.")

    pick_case(window, "2024-118")
    assert window.desk.current is karin
    assert karin.recipients == ["196801029288"]
    assert window.compose.subject_edit.text() == "Ditt provsvar"
    assert window.compose.body_edit.toPlainText() == "Hej Karin! Här är ditt provsvar."
    assert [a.sha256 for a in karin.attachments] == [letter.sha256]
    assert gunnar.body == "Hej Gunnar! Receptet är förnyat." and gunnar.attachments == []

    # Both are saved, each with its own case.
    window.drafts.save_draft()
    restored = DraftStore(services.staging.drafts_folder, "anna").load()
    assert restored is not None
    saved = {r.draft.case.case_id: r.draft for r in restored.drafts if r.draft.case}
    assert saved["2024-118"].body.startswith("Hej Karin")
    assert saved["2024-119"].body.startswith("Hej Gunnar")
    assert [a.sha256 for a in saved["2024-118"].attachments] == [letter.sha256]
    assert saved["2024-119"].attachments == []


def test_keys_in_the_case_list_move_between_cases_and_leave_each_draft_where_it_was(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    karin = window.desk.current
    window.compose.body_edit.setPlainText("Till Karin")
    window.case_list.setFocus()
    QTest.keyClick(window.case_list, Qt.Key.Key_Down)
    assert window.desk.current is not karin and window.desk.current.case is not None
    assert window.desk.current.case.case_id == "2024-119"
    assert window.compose.body_edit.toPlainText() == ""
    QTest.keyClick(window.case_list, Qt.Key.Key_PageDown)
    assert window.desk.current.case is not None and window.desk.current.case.case_id != "2024-118"
    assert window.desk.current.body == ""
    QTest.keyClick(window.case_list, Qt.Key.Key_Home)
    assert window.desk.current is karin and window.compose.body_edit.toPlainText() == "Till Karin"


def test_a_file_still_being_staged_goes_to_the_draft_it_was_chosen_for(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    karin = window.desk.current
    path = write_text_pdf(tmp_path / "Provsvar.pdf", numbered_pages(2))
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        window.attaching.add_files([path])
        pick_case(window, "2024-120")  # before the file is staged and inspected
    other = window.desk.current
    assert other is not karin and other.attachments == []
    assert [a.filename for a in karin.attachments] == ["Provsvar.pdf"]
    assert window.attachments.list.count() == 0
    assert "utkast" in _row_text(window, "2024-118")


def test_a_new_case_draft_keeps_its_recipients_when_a_case_is_chosen(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    window.drafts.start_new_case()
    new_case = window.desk.current
    window.compose.recipients_edit.setPlainText("19680102-9288\n19450110-3297")
    window.compose.body_edit.setPlainText("Kallelse till vaccination")
    pick_case(window, "2024-121")
    assert window.desk.current.recipients == ["193801029202"] and window.desk.current.body == ""
    assert new_case.recipients == ["196801029288", "194501103297"]
    rows = [window.case_list.item(i).text() for i in range(window.case_list.count())]
    assert any("Nytt ärende (utkast)" in row and "2 mottagare" in row for row in rows)
    row = next(i for i, text in enumerate(rows) if "Nytt ärende (utkast)" in text)
    window.case_list.setCurrentRow(row)
    assert window.desk.current is new_case
    assert "19450110-3297" in window.compose.recipients_edit.toPlainText()
    assert window.compose.body_edit.toPlainText() == "Kallelse till vaccination"


def test_discarding_a_draft_keeps_the_other_cases_drafts(qtbot: QtBot, services: Services) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    karin = window.desk.current
    karin.body = "Till Karin"
    pick_case(window, "2024-119")
    window.compose.body_edit.setPlainText("Till Gunnar")
    window.drafts.discard_draft()
    assert window.desk.current.case is None and window.compose.body_edit.toPlainText() == ""
    assert karin in window.desk.book and window.desk.book.case_draft("2024-119") is None
    pick_case(window, "2024-119")
    assert window.desk.current.body == "" and window.desk.current.subject == "Sv: Recept"


def test_one_resident_in_three_scripts_is_one_recipient_and_the_foreign_line_is_named(
    qtbot: QtBot, services: Services
) -> None:
    # Issue 21: fullwidth digits are the same resident (a duplicate); Arabic-Indic digits
    # are refused with the line they stand on, never made a second recipient.
    window = open_window(qtbot, services)
    window.drafts.start_new_case()
    window.compose.recipients_edit.setPlainText(
        "19680102-9288\n１９６８０１０２－９２８８\n١٩٦٨٠١٠٢-٩٢٨٨"
    )
    assert window.desk.current.recipients == ["196801029288"]
    label = window.compose.recipient_label.text()
    assert "Rad 3:" in label and "annan skrift" in label
    assert "Dubbletter som räknas en gång: 1" in label
