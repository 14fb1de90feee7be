"""The case list's refresh against the real sandbox gateway on loopback, counted by the
sandbox's own tally (GET /sandbox/requests): 50 open cases cost one list and the thread on
screen per turn, not one thread per case; a case back from awaiting_resident is fetched
and marked; a 429 or no gateway stops the turn at once and pushes the next one out."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import requests
from pytestqt.qtbot import QtBot

from app.gateway.client import GatewayClient
from app.gateway.payloads import OutgoingMessage
from sandbox.runner import SandboxHandle
from tests.gateway.helpers import CASE_PROVSVAR, KARIN, LUND
from tests.support.signed_client import sign_in
from ui.window.thread_controller import ThreadController
from ui.window.thread_view import ThreadView

LIST = "GET /v1/cases"
THREAD = "GET /v1/cases/<case_id>"
#: The demo's five open cases in Lund, and 45 more: a clinician's 50.
OPEN_CASES = 50
ELSA = "193801029202"  # the resident of the demo's open case 2024-121
INTERVAL_MS = 60_000  # turns are driven by the test; the timer only shows the next one


@pytest.fixture
def fifty_cases(sandbox: SandboxHandle) -> list[str]:
    store = sandbox.app.store
    for n in range(OPEN_CASES - 5):
        store.open_case(f"2025-{n:03d}", LUND, KARIN, "Fråga", f"2025-01-01T08:{n:02d}:00Z")
    return [c["case_id"] for c in store.cases(LUND, "open")]


@pytest.fixture
def controller(
    qtbot: QtBot, client: GatewayClient, fifty_cases: list[str]
) -> Iterator[ThreadController]:
    sign_in(client, "anna")
    view = ThreadView()
    qtbot.addWidget(view)
    threads = ThreadController(client, view, interval_ms=INTERVAL_MS)

    def reload() -> None:  # what the window's list does on refresh_due: load, then check
        threads.check([c.case_id for c in client.open_cases()])

    threads.refresh_due.connect(reload)
    yield threads
    threads.timer.stop()


def tally(sandbox: SandboxHandle) -> dict[str, int]:
    answer = requests.get(f"{sandbox.base_url}/sandbox/requests", timeout=10)
    answer.raise_for_status()
    counts: dict[str, int] = answer.json()["requests"]
    return counts


def asked(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The gateway calls (/v1) made between two tallies."""
    return {
        k: after[k] - before.get(k, 0)
        for k in after
        if " /v1/" in k and after[k] != before.get(k, 0)
    }


def view_of(threads: ThreadController) -> ThreadView:
    view = threads.parent()
    assert isinstance(view, ThreadView)
    return view


def turn(qtbot: QtBot, threads: ThreadController) -> None:
    with qtbot.waitSignal(threads.refreshed, timeout=20_000):
        threads.refresh()


def arm(sandbox: SandboxHandle, mode: str, **extra: object) -> None:
    body = {"mode": mode, "count": 1, "reads": True, **extra}
    requests.post(f"{sandbox.base_url}/sandbox/faults", json=body, timeout=10).raise_for_status()


def test_fifty_open_cases_cost_one_list_and_the_case_on_screen_per_turn(
    qtbot: QtBot, sandbox: SandboxHandle, controller: ThreadController, fifty_cases: list[str]
) -> None:
    assert len(fifty_cases) == OPEN_CASES
    start = tally(sandbox)
    # The first turn of a session: every case is new, each thread fetched once.
    turn(qtbot, controller)
    assert asked(start, tally(sandbox)) == {LIST: 2, THREAD: OPEN_CASES}  # its list + the reload

    controller.show_case(CASE_PROVSVAR)
    qtbot.waitUntil(lambda: view_of(controller).shown is not None, timeout=10_000)
    before = tally(sandbox)
    turns = 5
    for _ in range(turns):
        turn(qtbot, controller)
    # Before: a list and 50 threads per turn (255 requests); now a list and the case on screen.
    assert asked(before, tally(sandbox)) == {LIST: turns, THREAD: turns}
    assert controller.timer.isActive() and controller.timer.interval() == INTERVAL_MS


def test_a_case_back_from_awaiting_resident_is_fetched_and_marked(
    qtbot: QtBot, sandbox: SandboxHandle, controller: ThreadController, client: GatewayClient
) -> None:
    turn(qtbot, controller)
    case = "2024-121"
    question = OutgoingMessage(
        kind="counter_question",
        case_id=case,
        recipients=[ELSA],
        subject="Intyg",
        body="Vilket datum gäller intyget?",
        attachments=[],
    )
    client.send_message(question, str(uuid.uuid4()))  # the case now awaits the resident
    before = tally(sandbox)
    turn(qtbot, controller)  # the list changed: reloaded, nothing else fetched
    assert asked(before, tally(sandbox)) == {LIST: 2}

    answered = requests.post(
        f"{sandbox.base_url}/sandbox/cases/{case}/resident-answers",
        json={"body": "Från den 1 december."},
        timeout=10,
    )
    assert answered.ok, answered.text
    before = tally(sandbox)
    with qtbot.waitSignal(controller.answered_changed, timeout=20_000):
        turn(qtbot, controller)
    assert asked(before, tally(sandbox)) == {LIST: 2, THREAD: 1}
    assert controller.answered == {case}


def test_a_throttled_or_absent_gateway_stops_the_turn_and_pushes_the_next_one_out(
    qtbot: QtBot, sandbox: SandboxHandle, controller: ThreadController
) -> None:
    turn(qtbot, controller)
    marks = controller.answered

    arm(sandbox, "throttle", retry_after_s=600)
    before = tally(sandbox)
    turn(qtbot, controller)
    assert asked(before, tally(sandbox)) == {LIST: 1}  # and no thread
    assert controller.timer.interval() == 600_000  # the gateway's Retry-After, not 60 s
    assert controller.answered == marks

    arm(sandbox, "drop_before")  # no answer at all, as from a gateway that is down
    before = tally(sandbox)
    turn(qtbot, controller)
    assert asked(before, tally(sandbox)) == {LIST: 1}
    assert controller.timer.interval() == 2 * INTERVAL_MS  # the second failure in a row

    before = tally(sandbox)
    turn(qtbot, controller)  # the gateway is back: the next turn as usual
    assert asked(before, tally(sandbox)) == {LIST: 1}
    assert controller.timer.interval() == INTERVAL_MS


def test_a_429_while_fetching_threads_asks_for_no_more_threads(
    qtbot: QtBot, sandbox: SandboxHandle, controller: ThreadController, fifty_cases: list[str]
) -> None:
    arm(sandbox, "throttle", retry_after_s=300)
    before = tally(sandbox)
    with qtbot.waitSignal(controller.refreshed, timeout=20_000):
        controller.check(fifty_cases)  # the window's list loaded: every case new
    assert asked(before, tally(sandbox)) == {THREAD: 1}  # the first 429 ends it: no storm
    assert controller.timer.interval() == 300_000
    # The next turn asks again for every thread it did not get.
    before = tally(sandbox)
    turn(qtbot, controller)
    assert asked(before, tally(sandbox)) == {LIST: 1, THREAD: OPEN_CASES}
