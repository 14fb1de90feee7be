"""One attach, followed as one parameter: the window hands each chosen file to
``app.drafts.attach.AttachPipeline`` once and shows the typed outcome it gets back. The real
window, staging area, worker processes and sandbox gateway."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.drafts.attach import AttachOutcome, AttachPipeline, ConfirmFirstPage
from app.protocol.model import MAX_ATTACHMENTS_PER_MESSAGE
from app.runtime.services import Services
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import open_window, pick_case
from ui.common.i18n import tr


class _Recording(AttachPipeline):
    """The real pipeline, noting each attach it is asked for and what it answered."""

    def __init__(self, services: Services) -> None:
        super().__init__(services.staging, services.inspect_worker)
        self.asked: list[Path] = []
        self.answered: list[AttachOutcome] = []

    def attach(
        self,
        source: Path,
        hashes_in_draft: Collection[str],
        confirm_first_page: ConfirmFirstPage | None = None,
    ) -> AttachOutcome:
        self.asked.append(source)
        outcome = super().attach(source, hashes_in_draft, confirm_first_page)
        self.answered.append(outcome)
        return outcome


class _CleaningCrashes:
    """The real inspect worker, except that removing hidden content crashes it."""

    def __init__(self, worker: Any) -> None:
        self._worker = worker

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        if op == "sanitize":
            return self._worker.call("selftest.crash", timeout_s=timeout_s)
        return self._worker.call(op, *args, timeout_s=timeout_s)


def test_each_file_goes_into_the_pipeline_once_and_keeps_where_it_was_chosen(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    recording = _Recording(services)
    window.attaching.pipeline = recording
    letter = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(2))
    again = tmp_path / "Brev igen.pdf"
    again.write_bytes(letter.read_bytes())
    answer = write_text_pdf(tmp_path / "Svar.pdf", [["Svar på frågan"]])
    window.attaching.add_files([letter, again, answer])
    qtbot.waitUntil(lambda: len(recording.answered) == 3, timeout=20_000)
    qtbot.waitUntil(
        lambda: all(a.report is not None for a in window.desk.current.attachments), timeout=30_000
    )
    assert recording.asked == [letter, again, answer]  # once each, in the order chosen
    assert [type(o).__name__ for o in recording.answered] == ["Staged", "Duplicate", "Staged"]
    assert [a.original for a in window.desk.current.attachments] == [letter, answer]
    assert [a.filename for a in window.desk.current.attachments] == ["Brev.pdf", "Svar.pdf"]
    assert len(services.staging.held()) == 2  # the duplicate's copy is gone


def test_a_refusal_from_the_pipeline_is_said_and_the_draft_keeps_its_files(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    window.attaching.pipeline = AttachPipeline(
        services.staging,
        _CleaningCrashes(services.inspect_worker),  # type: ignore[arg-type]
    )
    window.attaching.add_files([write_text_pdf(tmp_path / "Remiss.pdf", numbered_pages(1))])
    message = window.statusBar().currentMessage
    qtbot.waitUntil(lambda: "Remiss.pdf kunde inte bifogas" in message(), timeout=20_000)
    assert "Spara den på nytt" in message()  # says what to do
    assert window.desk.current.attachments == []
    assert services.staging.held() == []


def test_the_limit_counts_the_files_still_waiting_to_be_attached(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-118")
    files = [
        write_text_pdf(tmp_path / f"Bilaga {n}.pdf", [[f"Bilaga nummer {n}"]])
        for n in range(MAX_ATTACHMENTS_PER_MESSAGE + 2)
    ]
    window.attaching.add_files(files)  # all at once: none attached yet when the limit is checked
    problems = [box.text() for box in window.findChildren(QMessageBox, "problem")]
    assert problems == [tr("ui.window.attachments.limit", limit=MAX_ATTACHMENTS_PER_MESSAGE)]
    qtbot.waitUntil(
        lambda: (
            len(window.desk.current.attachments) == MAX_ATTACHMENTS_PER_MESSAGE
            and all(a.report is not None for a in window.desk.current.attachments)
        ),
        timeout=60_000,
    )
    assert [a.original for a in window.desk.current.attachments] == files[
        :MAX_ATTACHMENTS_PER_MESSAGE
    ]
    assert len(services.staging.held()) == MAX_ATTACHMENTS_PER_MESSAGE
