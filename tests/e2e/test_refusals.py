"""Files that must not be attached are refused in the window with a reason that says what
to do, and the draft is kept as it was."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from app.storage.staging import StagedFile, StagingError
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "Provsvar.pdf",
            "Det här är bara text.\n".encode(),
            "inte en PDF-, PNG-, JPEG- eller GIF-fil",
        ),
        ("Tom.pdf", b"", "är tom (0 byte)"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_with_a_reason(
    qtbot: QtBot, services: Services, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Utkastet ska finnas kvar.")
    path = tmp_path / name
    path.write_bytes(content)
    window.attaching.add_files([path])
    qtbot.waitUntil(lambda: expected in window.statusBar().currentMessage(), timeout=10_000)
    assert window.desk.current.attachments == []
    assert window.desk.current.body == "Utkastet ska finnas kvar."
    assert services.staging.held() == [], "nothing of a refused file stays in staging"


def test_a_pdf_header_followed_by_garbage_is_blocked_and_the_send_bar_says_so(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.compose.body_edit.setPlainText("Hej!")
    broken = tmp_path / "Trasig.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        window.attaching.add_files([broken])
    (attachment,) = window.desk.current.attachments
    assert attachment.report is not None and attachment.report.blocked
    assert not window.send_button.isEnabled()
    assert "Trasig.pdf kan inte skickas" in window.reason_button.text()
    assert window.preview.isVisible(), "the window stays up"
    # Ctrl+G goes to the file, and Delete there takes it away: the keyboard alone.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    assert window.attachments.list.hasFocus()
    qtbot.keyClick(window.attachments.list, Qt.Key.Key_Delete)
    assert window.desk.current.attachments == []
    assert services.staging.held() == [], "its working copy went with it"


def test_the_case_list_getting_focus_never_changes_whom_the_message_is_for(
    qtbot: QtBot, services: Services
) -> None:
    from PySide6.QtCore import QItemSelectionModel

    window = open_window(qtbot, services)
    window.drafts.start_new_case()
    window.compose.recipients_edit.setPlainText("19680102-9288")
    new_case = window.desk.current
    # What Qt does when the list gets focus: a current row, nothing selected.
    window.case_list.setCurrentRow(0, QItemSelectionModel.SelectionFlag.NoUpdate)
    assert window.desk.current is new_case and window.desk.current.case is None
    assert window.desk.current.recipients == ["196801029288"]
    window.case_list.setCurrentRow(1)  # a real choice: that case's own draft
    assert (
        window.desk.current.case is not None
        and window.desk.current.case.case_id == window.drafts.cases[1].case_id
    )
    assert window.desk.current is not new_case and new_case.recipients == ["196801029288"]


def test_a_file_naming_another_resident_is_flagged_in_that_residents_case(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    from tests.support.pdfgen import write_text_pdf
    from tests.support.window import attach

    window = open_window(qtbot, services)
    pick_case(window, "2024-119")  # Gunnar Lindqvist's case, but the file is Karin Berg's
    letter = write_text_pdf(tmp_path / "Provsvar.pdf", [["Personnummer: 19680102-9288"]])
    attach(qtbot, window, letter)
    assert "inte tillhör mottagaren" in window.attachments.findings_label.text()
    blocked = [r for r in window.send_bar.reasons if r.code == "send.file_blocked"]
    assert [r.param_dict["finding"] for r in blocked] == ["personal_data.other_person"]


def test_a_file_attached_twice_is_refused_and_the_first_stays_on_screen(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    letter = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(2))
    first = attach(qtbot, window, letter)
    qtbot.waitUntil(lambda: window.preview.attachment is first, timeout=10_000)
    qtbot.waitUntil(lambda: 0 in first.seen_pages, timeout=10_000)
    assert window.preview.current_page == 0 and 1 not in first.seen_pages
    again = tmp_path / "Brev igen.pdf"
    again.write_bytes(letter.read_bytes())
    with qtbot.waitSignal(window.preview.page_painted, timeout=10_000):
        window.attaching.add_files([again])  # its first page is shown at once, drawn ahead
    qtbot.waitUntil(lambda: "redan bifogad" in window.statusBar().currentMessage(), timeout=10_000)
    assert window.desk.current.attachments == [first]
    assert window.preview.attachment is first  # back to the file that is attached
    assert window.preview.current_page == 0  # and to the page the clinician was reading
    assert window.preview.title.full_text() == "Brev.pdf"
    assert len(services.staging.held()) == 1


def test_a_file_that_cannot_be_staged_after_its_first_page_was_shown_is_taken_away(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    # The refusal must come after the first page is on screen, as the test's name says:
    # staging fails only once it was painted (on a busy machine it could otherwise fail
    # first, and the page is then rightly never painted).
    painted = threading.Event()
    window.preview.page_painted.connect(lambda _page: painted.set())

    def unreadable(source: Path) -> StagedFile:
        painted.wait(10)
        raise StagingError("file.unreadable", name=source.name)

    monkeypatch.setattr(services.staging, "stage", unreadable)
    with qtbot.waitSignal(window.preview.page_painted, timeout=10_000):
        window.attaching.add_files([write_text_pdf(tmp_path / "Remiss.pdf", numbered_pages(1))])
    message = window.statusBar().currentMessage
    qtbot.waitUntil(lambda: "Remiss.pdf kunde inte läsas" in message(), timeout=10_000)
    assert window.desk.current.attachments == []
    assert window.preview.page_view.image() is None  # nothing is shown as if attached
    assert window.preview.attachment is None


def test_pages_are_shown_while_many_files_wait_for_their_inspection(
    qtbot: QtBot, services: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inspections run one at a time in their worker; the files waiting for it must not
    hold up the preview (each waiting job holds a thread of the pool meanwhile)."""
    import threading

    from app.inspection.isolated import InspectClient

    release = threading.Event()
    real = InspectClient.inspect

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(30)  # a long inspection: a 500-page file takes seconds
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(InspectClient, "inspect", slow)
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    try:
        files = [
            write_text_pdf(tmp_path / f"Bilaga {n}.pdf", [[f"Bilaga nummer {n}"]])
            for n in range(1, 7)
        ]
        window.attaching.add_files(files)
        qtbot.waitUntil(lambda: len(window.desk.current.attachments) == 6, timeout=20_000)
        last = window.desk.current.attachments[-1]
        window.attachments.select(window.desk.current.attachments[2].id)
        qtbot.waitUntil(
            lambda: (
                window.preview.attachment is window.desk.current.attachments[2]
                and window.preview.page_view.image() is not None
            ),
            timeout=10_000,
        )
        assert last.report is None  # still waiting for its inspection
    finally:
        release.set()
    with qtbot.waitSignal(window.inspected, timeout=30_000):
        pass
