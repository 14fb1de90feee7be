"""The Qt binding must not leak or drop references: a clinician's session runs for hours.

PySide6 6.12.0 on Python 3.11 drops a reference to None on every Qt call that returns
nothing; after some thousands of calls the process aborts ("none_dealloc"). The project
pins a release without that fault, and this test keeps it so."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_qt_calls_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("Sida 1 av 3")
    assert sys.getrefcount(None) >= before - 50
