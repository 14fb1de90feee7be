"""The case's conversation (issue 20, item 3): the case shows its thread, newest at the
bottom; a counter-question answered by the resident comes back by itself (the refresh
timer, off the GUI thread), marked in the list, with the answer readable. A refresh that
meets a throttled gateway says nothing and keeps the list, and waits as it is told."""

from __future__ import annotations

import requests
from pytestqt.qtbot import QtBot

from app.protocol.model import MessageKind
from app.runtime.services import Services
from tests.support.window import open_window, pick_case
from ui.window.thread_controller import REFRESH_MS

CASE = "2024-121"


def test_the_residents_answer_comes_back_marked_and_readable(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, CASE)
    view = window.thread_view.browser
    # The resident's question that opened the case is there.
    qtbot.waitUntil(lambda: window.thread_view.shown is not None, timeout=10_000)
    assert "Invånaren" in view.toPlainText()

    window.compose.kind_buttons[MessageKind.COUNTER_QUESTION].click()
    window.compose.body_edit.setPlainText("Vilket datum gäller intyget?")
    qtbot.waitUntil(window.send_button.isEnabled, timeout=10_000)
    with qtbot.waitSignal(window.message_sent, timeout=30_000):
        window.send_button.click()
    qtbot.waitUntil(lambda: window.cases_panel.row_index(CASE) == -1, timeout=10_000)

    case = next(c for c in services.client.cases("awaiting_resident") if c.case_id == CASE)
    answered = requests.post(
        f"{services.client.base_url}/sandbox/cases/{CASE}/resident-answers",
        json={"body": "Från den 1 december, tack."},
        timeout=10,
    )
    assert answered.ok, answered.text
    assert window.threads.timer.isActive() and window.threads.timer.interval() == REFRESH_MS
    with qtbot.waitSignal(window.threads.answered_changed, timeout=20_000):
        window.threads.timer.timeout.emit()  # what the timer does every REFRESH_MS
    row = window.cases_panel.row_index(CASE)
    assert row >= 0 and "invånaren har svarat" in window.case_list.item(row).text()

    pick_case(window, CASE)
    qtbot.waitUntil(lambda: "1 december" in view.toPlainText(), timeout=10_000)
    text = view.toPlainText()
    # Oldest first, the answer at the bottom: question, counter-question, answer.
    assert text.index("Invånaren") < text.index("Vilket datum") < text.index("1 december")
    assert view.verticalScrollBar().value() == view.verticalScrollBar().maximum()
    assert case.resident.name


def test_a_throttled_refresh_says_nothing_keeps_the_list_and_waits_as_told(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, CASE)
    qtbot.waitUntil(lambda: window.thread_view.shown is not None, timeout=10_000)
    qtbot.waitUntil(lambda: not window.threads.busy, timeout=10_000)
    base = services.client.base_url
    rows = [window.case_list.item(i).text() for i in range(window.case_list.count())]
    said = window.statusBar().currentMessage()
    shown = window.thread_view.shown
    faults = {"mode": "throttle", "count": 1, "reads": True, "retry_after_s": 600}
    requests.post(f"{base}/sandbox/faults", json=faults, timeout=10).raise_for_status()
    before = requests.get(f"{base}/sandbox/requests", timeout=10).json()["requests"]

    with qtbot.waitSignal(window.threads.refreshed, timeout=20_000):
        window.threads.timer.timeout.emit()  # what the timer does every REFRESH_MS

    after = requests.get(f"{base}/sandbox/requests", timeout=10).json()["requests"]
    assert after["GET /v1/cases"] == before["GET /v1/cases"] + 1  # the one list, throttled
    assert after["GET /v1/cases/<case_id>"] == before["GET /v1/cases/<case_id>"]  # no thread
    assert window.threads.timer.interval() == 600_000  # the gateway's Retry-After
    assert window.statusBar().currentMessage() == said
    assert [window.case_list.item(i).text() for i in range(window.case_list.count())] == rows
    assert window.thread_view.shown == shown
