"""A new case to two residents born the same day: the recipient list tells them apart
(issue 20 item 10), by name where the gateway knows it, else by as few last digits as
needed, never as two identical "19680102-****" rows."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.window import open_window

# Valid personnummer (Luhn) sharing Karin's birth date; the sandbox knows neither name.
FIRST, SECOND = "19680102-1236", "19680102-4560"


def test_two_residents_born_the_same_day_are_shown_distinguishable(
    qtbot: QtBot, services: Services
) -> None:
    window = open_window(qtbot, services)
    window.drafts.start_new_case()
    window.compose.recipients_edit.setPlainText(f"{FIRST}\n{SECOND}")
    names = window.compose.recipient_names
    qtbot.waitUntil(lambda: names.count() == 2)
    rows = [names.item(i).text() for i in range(names.count())]
    assert rows[0] != rows[1], rows
    assert "19680102-***6" in rows[0] and "19680102-***0" in rows[1]
    assert "1236" not in rows[0] and "4560" not in rows[1]  # no more than needed shows
