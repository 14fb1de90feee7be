"""The bridge to threads: results, errors and progress come back on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QThread
from pytestqt.qtbot import QtBot

from ui.workers import run_in_background


def test_progress_comes_to_the_gui_thread_in_order_before_the_result(qtbot: QtBot) -> None:
    owner = QObject()
    gui = QThread.currentThread()
    heard: list[tuple[str, object, bool]] = []

    def work(report: Callable[[object], None]) -> str:
        report(1)
        report(2)
        return "klar"

    run_in_background(
        owner,
        work,
        lambda result: heard.append(("done", result, QThread.currentThread() is gui)),
        on_progress=lambda value: heard.append(("progress", value, QThread.currentThread() is gui)),
    )
    qtbot.waitUntil(lambda: any(kind == "done" for kind, _, _ in heard), timeout=5_000)
    assert heard == [("progress", 1, True), ("progress", 2, True), ("done", "klar", True)]


def test_work_without_progress_is_called_without_arguments(qtbot: QtBot) -> None:
    owner = QObject()
    results: list[object] = []
    run_in_background(owner, lambda: 42, results.append)
    qtbot.waitUntil(lambda: results == [42], timeout=5_000)
