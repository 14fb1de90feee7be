"""The "Skickat" window: what was sent, to whom, with which files and who signed off;
a bulk send's progress and each resident's delivery; a send that could not finish is
tried again with the same key and delivered once."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.after_send.sent_list import SentStatus
from app.outbox import JobState
from app.runtime.services import Services
from app.send.sending import enqueue_draft
from tests.support.outbox_work import padded_pdf, ready_draft
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.window import attach, open_window, pick_case, preview_every_page


def test_a_sent_reply_is_listed_with_its_files_recipient_and_delivery(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    window = open_window(qtbot, services)
    pick_case(window, "2024-119")
    window.compose.body_edit.setPlainText("Hej Gunnar! Receptet är förnyat.")
    letter = attach(qtbot, window, write_text_pdf(tmp_path / "Recept.pdf", numbered_pages(1)))
    preview_every_page(qtbot, window, letter)
    qtbot.waitUntil(window.send_button.isEnabled)
    with qtbot.waitSignal(window.message_sent, timeout=30_000) as sent:
        window.send_button.click()

    view = window.side_views.show_sent()
    qtbot.waitUntil(lambda: any(i.message_id == sent.args[0] for i in view.items), timeout=10_000)
    qtbot.waitUntil(view.reload_button.isEnabled, timeout=10_000)
    item = view.current()
    assert item is not None and item.message_id == sent.args[0]
    assert item.status is SentStatus.DELIVERED and item.kind == "reply"
    assert item.case_id == "2024-119" and item.recipients == ("194501103297",)
    text = view.details.toPlainText()
    assert "Recept.pdf" in text and letter.sha256 in text
    assert "19450110-****" in text and "194501103297" not in text, "the number is masked"
    assert "levererat" in text
    assert view.wrong_file_button.isEnabled()
    view.close()


def test_a_send_that_could_not_finish_is_tried_again_from_the_list(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    recipients = ["196801029288", "194501103297", "198510012381"]
    draft = ready_draft(
        services.staging, padded_pdf(tmp_path / "Kallelse.pdf", 300_000, seed=3), recipients
    )
    job = enqueue_draft(draft, services.outbox, "anna")
    # What an unreachable gateway leaves once the outbox's patience ran out.
    services.outbox.record(
        job.job_id, state=JobState.NEEDS_ACTION, error_code="outbox.gateway_unreachable"
    )
    window = open_window(qtbot, services)
    view = window.side_views.show_sent()
    qtbot.waitUntil(view.reload_button.isEnabled, timeout=10_000)
    item = next(i for i in view.items if i.job_id == job.job_id)
    assert item.status is SentStatus.NEEDS_ACTION and item.can_retry
    row = view.list.topLevelItem([i.key for i in view.items].index(item.key))
    assert row is not None
    view.list.setCurrentItem(row)
    assert "3 mottagare" in row.text(3)
    assert "gick inte att nå" in view.details.toPlainText()
    assert view.retry_button.isEnabled()
    with qtbot.waitSignal(window.message_sent, timeout=30_000):
        view.retry_button.click()
    qtbot.waitUntil(
        lambda: any(
            i.job_id == job.job_id and i.status is SentStatus.DELIVERED for i in view.items
        ),
        timeout=10_000,
    )
    done = next(i for i in view.items if i.job_id == job.job_id)
    assert {d.resident_id for d in done.deliveries} == set(recipients)
    view.close()
