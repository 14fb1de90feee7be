"""The outbox journal on a real SQLite file: a job is on disk when ``add`` returns, with
its exact request and key; the journal is private, listed per clinician, and a key is
never journalled twice."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gateway.client import Delivery, OutgoingAttachment, OutgoingMessage
from app.outbox import JobFile, JobState, KeyInOutbox, Outbox
from app.outbox.journal import IN_PROGRESS

KARIN = "196801029288"
SHA = "a" * 64


def _message(subject: str = "Provsvar", review_id: str | None = "rev_1") -> OutgoingMessage:
    return OutgoingMessage(
        kind="reply",
        case_id="2024-118",
        recipients=[KARIN],
        subject=subject,
        body="Hej Karin!\nHär är ditt provsvar: å ä ö.",
        attachments=[
            OutgoingAttachment(SHA, "Provsvar.pdf", "application/pdf", True),
            OutgoingAttachment("b" * 64, "Bild.png", "image/png", False, "En bild"),
        ],
        review_id=review_id,
    )


def _files(tmp_path: Path) -> list[JobFile]:
    return [
        JobFile(SHA, tmp_path / "a" / "file", "application/pdf", 1000, "Provsvar.pdf"),
        JobFile("b" * 64, tmp_path / "b" / "file", "image/png", 24, "Bild.png"),
    ]


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    with Outbox(tmp_path / "data" / "outbox.sqlite3") as journal:
        yield journal


def test_an_added_job_is_read_back_by_another_connection_exactly(
    outbox: Outbox, tmp_path: Path
) -> None:
    message = _message()
    job = outbox.add(message, _files(tmp_path), "key-1", "anna", signed_off_by="Bertil Berg")
    with Outbox(outbox.path) as other:  # another process would see the same
        again = other.job(job.job_id)
    assert again == job
    assert again.message.to_json() == message.to_json(), "the exact request, review_id included"
    assert (again.state, again.idempotency_key, again.signed_off_by) == (
        JobState.QUEUED,
        "key-1",
        "Bertil Berg",
    )
    assert (again.bytes_done, again.bytes_total) == (0, 1024)
    assert again.files == tuple(_files(tmp_path))
    assert not (again.resumed or again.posted or again.is_finished or again.can_retry)


def test_the_journal_is_private_and_in_wal_mode(outbox: Outbox) -> None:
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600
    with sqlite3.connect(outbox.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2


def test_a_key_is_journalled_once(outbox: Outbox, tmp_path: Path) -> None:
    first = outbox.add(_message(), [], "key-1", "anna")
    with pytest.raises(KeyInOutbox) as queued:
        outbox.add(_message(subject="Ändrat ämne"), [], "key-1", "anna")
    assert queued.value.code == "outbox.already_queued" and queued.value.job == first
    outbox.record(first.job_id, state=JobState.DELIVERED, message_id="msg_1")
    with pytest.raises(KeyInOutbox) as sent:
        outbox.add(_message(), [], "key-1", "anna")
    assert sent.value.code == "outbox.already_sent"
    assert outbox.job_for_key("key-1") == outbox.job(first.job_id)
    assert outbox.job_for_key("key-2") is None


def test_jobs_are_listed_per_clinician_newest_first_and_unfinished_oldest_first(
    outbox: Outbox,
) -> None:
    first = outbox.add(_message("Ett"), [], "k1", "anna")
    second = outbox.add(_message("Två"), [], "k2", "anna")
    third = outbox.add(_message("Tre"), [], "k3", "anna")
    other = outbox.add(_message("Annans"), [], "k4", "bertil")
    outbox.record(second.job_id, state=JobState.DELIVERED)
    outbox.record(third.job_id, state=JobState.NEEDS_ACTION, error_code="outbox.signed_out")
    assert [j.job_id for j in outbox.jobs("anna")] == [third.job_id, second.job_id, first.job_id]
    assert [j.job_id for j in outbox.unfinished("anna")] == [first.job_id, third.job_id]
    assert [j.job_id for j in outbox.jobs("bertil")] == [other.job_id]
    assert outbox.jobs("cecilia") == []


def test_progress_is_recorded_and_read_back(outbox: Outbox) -> None:
    job = outbox.add(_message(), [], "k1", "anna")
    deliveries = (Delivery(KARIN, "dlv_1", "delivered"),)
    recorded = outbox.record(
        job.job_id,
        state=JobState.DELIVERED,
        bytes_done=1024,
        message_id="msg_1",
        deliveries=deliveries,
        posted=True,
        resumed=True,
    )
    assert recorded == outbox.job(job.job_id)
    assert (recorded.state, recorded.message_id, recorded.deliveries) == (
        JobState.DELIVERED,
        "msg_1",
        deliveries,
    )
    assert recorded.posted and recorded.resumed and recorded.is_finished
    assert recorded.updated_at >= job.updated_at
    with pytest.raises(TypeError):
        outbox.record(job.job_id, idempotency_key="another")  # a job's key never changes


def test_retry_queues_a_refused_or_stuck_job_again_and_nothing_else(outbox: Outbox) -> None:
    refused = outbox.add(_message(), [], "k1", "anna")
    stuck = outbox.add(_message(), [], "k2", "anna")
    outbox.record(refused.job_id, state=JobState.FAILED, error_code="review_expired")
    outbox.record(stuck.job_id, state=JobState.NEEDS_ACTION, error_code="outbox.signed_out")
    for job_id in (refused.job_id, stuck.job_id):
        assert outbox.job(job_id).can_retry  # type: ignore[union-attr]
        again = outbox.retry(job_id)
        assert (again.state, again.error_code) == (JobState.QUEUED, None)
        assert again.state in IN_PROGRESS
    with pytest.raises(ValueError):
        outbox.retry(refused.job_id)  # queued now: nothing to retry
    with pytest.raises(LookupError):
        outbox.retry("no-such-job")


def test_services_open_the_journal_in_the_users_data_folder_at_first_use(
    tmp_path: Path,
) -> None:
    from app.config.settings import Settings, data_dir
    from app.runtime.services import open_services

    settings = Settings(
        gateway_url="https://gateway.invalid",
        idp_issuer="https://idp.invalid",  # a region names its provider too
        staging_dir=str(tmp_path / "s"),
    )
    services = open_services(settings)
    try:
        assert not (data_dir() / "outbox.sqlite3").exists(), "a window that never sends"
        outbox = services.outbox
        assert outbox is services.outbox and outbox.path == data_dir() / "outbox.sqlite3"
        job = outbox.add(_message(), [], "k1", "anna")
    finally:
        services.close()
    with Outbox(data_dir() / "outbox.sqlite3") as reopened:
        assert reopened.job(job.job_id) == job
