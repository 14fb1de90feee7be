"""The window and the outbox: an unfinished send left by a crash finishes by itself when
the clinician signs in again, once, and the window says so; a draft that was journalled
just before the crash is not offered again to be sent twice."""

from __future__ import annotations

from pathlib import Path

import requests
from pytestqt.qtbot import QtBot

from app.drafts.draft_store import DraftStore
from app.outbox import JobState
from app.runtime.services import Services
from app.send.sending import enqueue_draft
from tests.support.outbox_work import padded_pdf, ready_draft
from tests.support.window import open_window


def _ledger(services: Services) -> list[dict[str, object]]:
    response = requests.get(f"{services.client.base_url}/sandbox/ledger", timeout=10)
    response.raise_for_status()
    body = response.json()
    return list(body["deliveries"] if isinstance(body, dict) else body)


def test_an_unfinished_send_is_delivered_once_when_the_window_opens(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    recipients = ["196801029288", "194501103297"]
    source = padded_pdf(tmp_path / "Kallelse.pdf", 200_000, seed=1)
    draft = ready_draft(services.staging, source, recipients)
    # What a crash right after pressing Send leaves: the job journalled, nothing sent,
    # and the draft still saved beside it.
    job = enqueue_draft(draft, services.outbox, "anna")
    DraftStore(services.staging.drafts_folder, "anna").save([draft], draft)

    window = open_window(qtbot, services)
    qtbot.waitUntil(
        lambda: services.outbox.job(job.job_id).state is JobState.DELIVERED,  # type: ignore[union-attr]
        timeout=30_000,
    )
    qtbot.waitUntil(
        lambda: "är nu levererat." in window.statusBar().currentMessage(), timeout=10_000
    )
    delivered = [d for d in _ledger(services) if d.get("idempotency_key") == job.idempotency_key]
    assert sorted(str(d["resident_id"]) for d in delivered) == sorted(recipients)
    assert window.desk.unsent_drafts() == [], "the journalled draft is not offered again"
    assert not any(f.path.exists() for f in job.files), "working copies deleted once delivered"
