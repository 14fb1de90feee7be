"""The bridge to threads: the work runs on a pool thread, its result or its error comes
back on the GUI thread, and nothing comes back to an owner that is gone."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread
from pytestqt.qtbot import QtBot

from ui.common.workers import run_in_background, wait_for_all


def test_the_result_comes_back_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    gui = QThread.currentThread()
    worked_on: list[bool] = []
    heard: list[tuple[str, bool]] = []

    def work() -> str:
        worked_on.append(QThread.currentThread() is gui)
        return "klar"

    run_in_background(
        owner, work, lambda result: heard.append((result, QThread.currentThread() is gui))
    )
    qtbot.waitUntil(lambda: bool(heard), timeout=5_000)
    assert worked_on == [False] and heard == [("klar", True)]


def test_an_error_comes_back_to_on_failure_on_the_gui_thread(qtbot: QtBot) -> None:
    owner = QObject()
    gui = QThread.currentThread()
    failures: list[tuple[BaseException, bool]] = []
    results: list[int] = []

    def work() -> int:
        raise LookupError("ingen")

    run_in_background(
        owner,
        work,
        results.append,
        lambda error: failures.append((error, QThread.currentThread() is gui)),
    )
    qtbot.waitUntil(lambda: bool(failures), timeout=5_000)
    ((error, on_gui),) = failures
    assert isinstance(error, LookupError) and on_gui and results == []


def test_an_answer_for_an_owner_that_is_gone_is_dropped(qtbot: QtBot) -> None:
    owner = QObject()
    started, release = threading.Event(), threading.Event()
    heard: list[object] = []

    def work() -> int:
        started.set()
        release.wait(5)
        return 42

    run_in_background(owner, work, heard.append, heard.append)
    assert started.wait(5)
    shiboken6.delete(owner)  # the window closed while the job ran
    release.set()
    assert wait_for_all(5_000)
    QCoreApplication.processEvents()
    assert heard == []
