"""A new case waiting in the outbox is seen where the clinician works, and no draft hides
behind another (issue 20, the last stop's two gaps), against the real sandbox gateway.

A new case has no case yet to show its waiting send on: with the gateway stopped it gets
its own row where new-case drafts are, marked like a case's waiting send, reached by the
arrow keys, and choosing it shows the waiting panel with "Försök igen" and "Ta tillbaka
till utkast". Taken back or refused, it is a new-case draft again; delivered, it leaves
the list. A reply taken back while a second one was written for its case leaves two
drafts on the case: both have their own row ("Utkast 2")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.outbox import DeliveryPolicy, JobState, OutboxJob
from app.runtime.services import Services
from sandbox.runner import SandboxHandle, start_sandbox
from tests.e2e.test_sign_off import lab_result, signed_by_cecilia
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import (
    attach,
    open_window,
    pick_case,
    preview_every_page,
    stop_gateway,
)
from ui.window.main_window import MainWindow

#: An unreachable gateway is waited out briefly here (the window's default is minutes).
QUICK = DeliveryPolicy(settle_within_s=1.0, first_wait_s=0.1, max_wait_s=0.2)
KARIN, GUNNAR = "19680102-9288", "19450110-3297"


def _write_new_case(qtbot: QtBot, window: MainWindow, *recipients: str) -> None:
    window.drafts.start_new_case()
    window.compose.recipients_edit.setPlainText("\n".join(recipients))
    window.compose.subject_edit.setText("Vaccination")
    window.compose.body_edit.setPlainText("Välkommen på vaccination i vecka 12.")


def _attach_leaflet(qtbot: QtBot, window: MainWindow, folder: Path) -> None:
    """A file with the message: with the gateway down its upload fails before the
    message's POST could leave, so the send can be taken back (a text-only one can be too:
    its POST is refused at the connection, test_waiting_send.py)."""
    pdf = write_text_pdf(folder / "Kallelse.pdf", numbered_pages(1), title="Kallelse", lang="sv")
    preview_every_page(qtbot, window, attach(qtbot, window, pdf))


def _send_and_wait(qtbot: QtBot, window: MainWindow) -> OutboxJob:
    """Send with the gateway stopped: the job ends waiting in the outbox."""
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.outbox_runner.ended, timeout=30_000) as ended:
        window.send_button.click()
    job: OutboxJob = ended.args[0]
    assert job.state is JobState.NEEDS_ACTION
    return job


def _row(window: MainWindow, key: str) -> str:
    index = window.cases_panel.key_index(key)
    assert index >= 0, f"no row {key}"
    return window.case_list.item(index).text()


def _choose_by_keys(qtbot: QtBot, window: MainWindow, key: str) -> None:
    """From the first case, down the list with the arrow key to the row ``key``."""
    pick_case(window, window.drafts.cases[0].case_id)
    window.case_list.setFocus()
    wanted = window.cases_panel.key_index(key)
    assert wanted > 0
    while window.case_list.currentRow() < wanted:
        QTest.keyClick(window.case_list, Qt.Key.Key_Down)
    assert window.case_list.currentRow() == wanted


def _waiting_new_case(
    qtbot: QtBot, services: Services, folder: Path
) -> tuple[MainWindow, OutboxJob, Path, int]:
    window = open_window(qtbot, services)
    window.outbox_runner.policy = QUICK
    _write_new_case(qtbot, window, KARIN, GUNNAR)
    _attach_leaflet(qtbot, window, folder)
    data, port = stop_gateway(services)
    return window, _send_and_wait(qtbot, window), data, port


def test_a_waiting_new_case_has_its_own_row_and_can_be_taken_back(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window, job, _data, _port = _waiting_new_case(qtbot, services, tmp_path)
    key = f"send:{job.job_id}"
    text = _row(window, key)
    assert "Nytt ärende: Vaccination – 2 mottagare" in text and "Väntar i utkorgen" in text
    item = window.case_list.item(window.cases_panel.key_index(key))
    spoken = item.data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken.startswith("Nytt ärende: Vaccination") and "●" not in spoken
    panel = window.waiting_panel
    assert panel.isVisible(), "after Send its own row is on screen, with what waits"
    assert window.case_list.currentRow() == window.cases_panel.key_index(key)

    # Elsewhere, then back by the keyboard alone: the waiting panel says what waits.
    _choose_by_keys(qtbot, window, key)
    assert panel.isVisible() and panel.job_id == job.job_id
    assert "Nytt ärende" in panel.heading.text()
    assert "Välkommen på vaccination" in panel.text.text()
    assert panel.retry_button.isEnabled() and panel.take_back_button.isEnabled()
    assert not window.compose.body_edit.isEnabled(), "no draft to write in: it has left"

    panel.take_back_button.click()
    draft = window.desk.current
    assert draft.body == "Välkommen på vaccination i vecka 12." and not draft.kind.answers_a_case
    assert draft.new_case_recipients == ["196801029288", "194501103297"]
    assert window.cases_panel.key_index(key) == -1, "the send's row is gone"
    assert "Vaccination" in _row(window, f"draft:{draft.draft_id}"), "a new-case draft again"
    assert not panel.isVisible() and window.compose.body_edit.isEnabled()
    (closed,) = services.outbox.jobs("anna")
    assert (closed.state, closed.error_code) == (JobState.FAILED, "outbox.taken_back")


def test_a_waiting_new_case_delivered_after_försök_igen_leaves_the_list(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window, job, data, port = _waiting_new_case(qtbot, services, tmp_path)
    key = f"send:{job.job_id}"
    again = start_sandbox(data_dir=data, port=port)
    try:
        with qtbot.waitSignal(window.message_sent, timeout=30_000):
            window.waiting_panel.retry_button.click()
    finally:
        again.stop()
    assert window.cases_panel.key_index(key) == -1, "delivered: it left the list"
    assert not window.waiting_panel.isVisible()
    assert window.desk.unsent_drafts() == [], "nothing came back"


def test_a_refused_new_case_comes_back_as_a_new_case_draft(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    """Signed off, waiting, and by the time the gateway is back the sign-off has expired
    (the gateway's clock moved on; the session's token outlives it): the gateway refuses
    it, and the new case is a draft again, on screen, its files with it."""
    data, port = stop_gateway(services)
    moment = [dt.datetime.now(dt.UTC)]
    hour = 3600

    def gateway() -> SandboxHandle:
        return start_sandbox(data, port=port, access_token_ttl_s=hour, clock=lambda: moment[0])

    first = gateway()
    try:
        window = open_window(qtbot, services)
        window.outbox_runner.policy = QUICK
        _write_new_case(qtbot, window, KARIN)
        preview_every_page(qtbot, window, attach(qtbot, window, lab_result(tmp_path)))
        qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
        signed_by_cecilia(qtbot, window)
    finally:
        first.stop()
    job = _send_and_wait(qtbot, window)
    moment[0] += dt.timedelta(minutes=20)  # past the sign-off's 15 minutes
    again = gateway()
    try:
        with qtbot.waitSignal(window.outbox_runner.ended, timeout=30_000) as ended:
            window.waiting_panel.retry_button.click()
    finally:
        again.stop()
    assert ended.args[0].state is JobState.FAILED, ended.args[0].error_code
    draft = window.desk.current
    assert not draft.kind.answers_a_case and draft.body.startswith("Välkommen på vaccination")
    assert draft.sign_off is None and [a.filename for a in draft.attachments] == ["Provsvar.pdf"]
    assert window.cases_panel.key_index(f"send:{job.job_id}") == -1
    assert "Vaccination" in _row(window, f"draft:{draft.draft_id}")
    said = [box.text() for box in window.findChildren(QMessageBox, "problem")]
    assert said and "Utkastet ligger kvar" in said[-1], said


def test_a_reply_taken_back_beside_a_second_one_leaves_both_reachable(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    window.outbox_runner.policy = QUICK
    case_id = "2024-120"
    pick_case(window, case_id)
    window.compose.body_edit.setPlainText("Här är remissen.")
    _attach_leaflet(qtbot, window, tmp_path)
    stop_gateway(services)
    _send_and_wait(qtbot, window)
    window.compose.body_edit.setPlainText("Remissen är skickad.")  # a second message, kept
    second = window.desk.current

    window.waiting_panel.take_back_button.click()
    first = window.desk.current
    assert first.body == "Här är remissen.", "the given-back draft is on its case's screen"
    extra = f"draft:{second.draft_id}"
    assert window.cases_panel.key_index(extra) == window.cases_panel.row_index(case_id) + 1
    assert "Utkast 2: Sv: Remiss – Sara Nilsson" in _row(window, extra)
    assert "utkast" in _row(window, f"case:{case_id}")

    _choose_by_keys(qtbot, window, extra)
    assert window.desk.current is second
    assert window.compose.body_edit.toPlainText() == "Remissen är skickad."
    pick_case(window, case_id)
    assert window.desk.current is first
    assert {d.body for d in window.desk.unsent_drafts()} == {
        "Här är remissen.",
        "Remissen är skickad.",
    }
