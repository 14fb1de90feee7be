"""Every send is in the audit trail, files or not (issue 20, item 6): a text-only reply,
partial reply, counter-question and new case each leave a ``send`` record with no files,
and no "audit record not written" warning."""

from __future__ import annotations

import json
import logging

import pytest
from pytestqt.qtbot import QtBot

from app.audit import TRAIL_FILE_NAME, default_folder
from app.protocol.model import MessageKind
from app.runtime.services import Services
from tests.support.window import open_window, pick_case

CASE_FOR = {
    MessageKind.REPLY: "2024-118",
    MessageKind.PARTIAL_REPLY: "2024-119",
    MessageKind.COUNTER_QUESTION: "2024-121",
}


@pytest.mark.parametrize("kind", list(MessageKind), ids=lambda k: k.value)
def test_a_text_only_send_of_each_kind_is_audited(
    qtbot: QtBot, services: Services, kind: MessageKind, caplog: pytest.LogCaptureFixture
) -> None:
    window = open_window(qtbot, services)
    if kind is MessageKind.NEW_CASE:
        window.drafts.start_new_case()
        window.compose.recipients_edit.setPlainText("19680102-9288")
        window.compose.subject_edit.setText("Påminnelse")
    else:
        pick_case(window, CASE_FOR[kind])
        window.compose.kind_buttons[kind].click()
    window.compose.body_edit.setPlainText("Hej! Inget bifogat den här gången.")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    with caplog.at_level(logging.WARNING), qtbot.waitSignal(window.message_sent, timeout=30_000):
        window.send_button.click()
    lines = (default_folder() / TRAIL_FILE_NAME).read_text(encoding="utf-8").splitlines()
    sends = [json.loads(line)["data"] for line in lines if '"kind":"send"' in line]
    assert sends and sends[-1]["kind"] == kind.value and sends[-1]["sha256s"] == []
    assert sends[-1]["count"] == 1
    assert "audit record not written" not in caplog.text
