"""A send that has left its draft stays on its case until delivered or given back
(issue 20, item 1). With the gateway stopped, the intended reply waits in the outbox and
its case says so; a second message to the case asks first and is not sent; after the
gateway is started again on the same data, "Försök igen" delivers the intended reply
once, and the second message is still there as a draft. A waiting send can be taken back
into its draft (nothing sent), a text-only one too (its POST refused at the connection
never left), and a job the gateway refuses brings its draft back under its case, visibly,
every time."""

from __future__ import annotations

import uuid
from pathlib import Path

import requests
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.gateway.client import OutgoingMessage
from app.outbox import DeliveryPolicy, JobState
from app.runtime.services import Services
from sandbox.runner import start_sandbox
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import (
    attach,
    open_window,
    pick_case,
    preview_every_page,
    stop_gateway,
)
from ui.window.main_window import MainWindow

CASE = "2024-120"
#: An unreachable gateway is waited out briefly here (the window's default is minutes).
QUICK = DeliveryPolicy(settle_within_s=1.0, first_wait_s=0.1, max_wait_s=0.2)


def _ledger(base_url: str) -> list[dict[str, object]]:
    body = requests.get(f"{base_url}/sandbox/ledger", timeout=10).json()
    return list(body["deliveries"])


def _row_text(window: MainWindow, case_id: str) -> str:
    return window.case_list.item(window.cases_panel.row_index(case_id)).text()


def _write_reply(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    pick_case(window, CASE)
    window.compose.body_edit.setPlainText("Här är remissen.")
    pdf = write_text_pdf(tmp_path / "Remiss.pdf", numbered_pages(1), title="Remiss", lang="sv")
    preview_every_page(qtbot, window, attach(qtbot, window, pdf))
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)


def _send_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    """Send with the gateway stopped: the job ends waiting in the outbox."""
    with qtbot.waitSignal(window.outbox_runner.ended, timeout=30_000) as ended:
        window.send_button.click()
    assert ended.args[0].state is JobState.NEEDS_ACTION


def _waiting_reply(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> tuple[MainWindow, Path, int]:
    """A reply written, the gateway stopped, Send: the reply waits in the outbox."""
    window = open_window(qtbot, services)
    window.outbox_runner.policy = QUICK
    _write_reply(qtbot, window, tmp_path)
    data, port = stop_gateway(services)
    _send_and_wait(qtbot, window)
    return window, data, port


def test_only_the_intended_reply_is_delivered_after_the_gateway_comes_back(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    window.outbox_runner.policy = QUICK
    base_url = services.client.base_url
    _write_reply(qtbot, window, tmp_path)
    data, port = stop_gateway(services)
    _send_and_wait(qtbot, window)

    # The case says what waits, and shows it: text, file, kind, and what can be done.
    assert "Väntar i utkorgen" in _row_text(window, CASE)
    panel = window.waiting_panel
    assert panel.isVisible() and window.desk.current.case_id == CASE
    assert "Här är remissen." in panel.text.text() and "Remiss.pdf" in panel.files.text()
    assert "Svar" in panel.heading.text()
    assert panel.retry_button.isEnabled() and panel.take_back_button.isEnabled()
    (job,) = [j for j in services.outbox.jobs("anna") if j.state is JobState.NEEDS_ACTION]

    # A second, text-only message to the same case asks first; the default sends nothing.
    window.compose.body_edit.setPlainText("Remissen är skickad.")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    window.send_button.click()
    question = window.findChild(QMessageBox, "second-send-question")
    assert question is not None and question.isVisible()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.No)
    question.button(QMessageBox.StandardButton.No).click()
    assert len(services.outbox.jobs("anna")) == 1, "nothing more was journalled"

    # The gateway comes back on the same data; "Försök igen" delivers the intended reply.
    again = start_sandbox(data_dir=data, port=port)
    try:
        with qtbot.waitSignal(window.message_sent, timeout=30_000):
            panel.retry_button.click()
        delivered = _ledger(base_url)
    finally:
        again.stop()
    keys = {d["idempotency_key"] for d in delivered}
    assert keys == {job.idempotency_key}, "only the intended reply was delivered"
    assert len(delivered) == 1
    assert not panel.isVisible()
    kept = [d for d in window.desk.unsent_drafts() if d.case_id == CASE]
    assert [d.body for d in kept] == ["Remissen är skickad."], "the second message is not lost"


def test_a_waiting_send_taken_back_is_the_cases_draft_again_and_nothing_is_sent(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window, _data, _port = _waiting_reply(qtbot, services, tmp_path)
    window.waiting_panel.take_back_button.click()
    assert window.desk.current.case_id == CASE and window.desk.current.body == "Här är remissen."
    assert [a.filename for a in window.desk.current.attachments] == ["Remiss.pdf"]
    assert window.desk.current.attachments[0].staged.path.exists(), "its file is still there"
    assert not window.waiting_panel.isVisible()
    assert "Väntar" not in _row_text(window, CASE) and "utkast" in _row_text(window, CASE)
    (job,) = services.outbox.jobs("anna")
    assert (job.state, job.error_code) == (JobState.FAILED, "outbox.taken_back")
    assert "tillbaka" in window.statusBar().currentMessage()


def test_a_refused_job_brings_its_draft_back_even_when_it_waited_first(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window, data, port = _waiting_reply(qtbot, services, tmp_path)
    again = start_sandbox(data_dir=data, port=port)
    try:
        # Meanwhile the case was answered (here, by the same clinician's client): the
        # retried reply is refused, its case no longer open.
        case = next(c for c in window.drafts.cases if c.case_id == CASE)
        answer = OutgoingMessage(
            kind="reply",
            case_id=CASE,
            recipients=[case.resident.id],
            subject="Sv: Remiss",
            body="Besvarat per telefon.",
            attachments=[],
        )
        services.client.send_message(answer, str(uuid.uuid4()))
        with qtbot.waitSignal(window.outbox_runner.ended, timeout=30_000) as ended:
            window.waiting_panel.retry_button.click()
    finally:
        again.stop()
    assert ended.args[0].state is JobState.FAILED
    assert window.desk.current.body == "Här är remissen.", "the draft is back, on screen"
    assert window.desk.current.sign_off is None
    said = [box.text() for box in window.findChildren(QMessageBox, "problem")]
    assert "Utkastet ligger kvar" in said[-1], said


def test_a_text_only_reply_to_a_stopped_gateway_can_be_taken_back_and_nothing_arrives(
    qtbot: QtBot, services: Services
) -> None:
    # No file to upload: the message's POST is the first call, refused at the connection.
    # Nothing left this machine, so the send is not "posted" and can be taken back.
    window = open_window(qtbot, services)
    window.outbox_runner.policy = QUICK
    base_url = services.client.base_url
    pick_case(window, CASE)
    window.compose.body_edit.setPlainText("Vi ses på torsdag.")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    data, port = stop_gateway(services)
    _send_and_wait(qtbot, window)
    (job,) = services.outbox.jobs("anna")
    assert not job.posted and job.error_code == "outbox.gateway_unreachable"
    panel = window.waiting_panel
    assert panel.isVisible() and panel.take_back_button.isEnabled()

    panel.take_back_button.click()
    assert window.desk.current.case_id == CASE
    assert window.desk.current.body == "Vi ses på torsdag."
    assert not panel.isVisible() and "Väntar" not in _row_text(window, CASE)
    (job,) = services.outbox.jobs("anna")
    assert (job.state, job.error_code) == (JobState.FAILED, "outbox.taken_back")

    # The gateway started again on the same data has received nothing: no delivery, and
    # no message for the key.
    again = start_sandbox(data_dir=data, port=port)
    try:
        assert _ledger(base_url) == []
        assert services.client.message_for_key(job.idempotency_key) is None
    finally:
        again.stop()
