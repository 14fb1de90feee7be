"""The isolated worker draws pages in another process and survives what kills it; the
typed render calls (app.preview.render_client) check what it answers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.isolation.worker import IsolatedWorker, WorkerFailure
from app.preview.render_client import (
    AheadRequest,
    Pending,
    RenderClient,
    confirm_ahead_together,
    render_ahead_together,
)
from app.preview.rendered_page import RenderedPage
from tests.support.pdfgen import numbered_pages, text_pdf, write_text_pdf
from tests.support.workers import shared_block, worker_process


@pytest.fixture(scope="module")
def worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture(scope="module")
def helper() -> Iterator[IsolatedWorker]:
    """A second render process, as a machine with more than one core has."""
    yield from worker_process()


def test_a_pdf_page_comes_back_as_raw_pixels(worker: IsolatedWorker, tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(3))
    page = RenderClient(worker).render(pdf, 2, 1.0)
    assert (page.page_index, page.page_count) == (2, 3)
    assert (page.width, page.height) == (595, 842)
    assert page.pixel_format == "RGB888"
    assert len(page.pixels) == page.stride * page.height
    assert worker.pid != __import__("os").getpid()


def test_the_worker_is_replaced_after_a_crash(worker: IsolatedWorker, tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(1))
    first = worker.pid
    with pytest.raises(WorkerFailure) as failure:
        worker.call("selftest.crash")
    assert failure.value.code == WorkerFailure.CRASHED
    assert RenderClient(worker).page_count(pdf) == 1
    assert worker.pid != first


def test_a_hang_is_cut_off_by_the_wall_clock(worker: IsolatedWorker) -> None:
    with pytest.raises(WorkerFailure) as failure:
        worker.call("selftest.hang", 60, timeout_s=1)
    assert failure.value.code == WorkerFailure.TIMEOUT
    assert worker.call("ping") == worker.pid


def test_a_file_the_renderer_cannot_read_is_an_error_not_a_crash(
    worker: IsolatedWorker, tmp_path: Path
) -> None:
    bad = tmp_path / "trasig.pdf"
    bad.write_bytes(b"%PDF-1.7\n" + b"garbage" * 50)
    with pytest.raises(WorkerFailure) as failure:
        RenderClient(worker).render(bad, 0, 1.0)
    assert failure.value.code == WorkerFailure.ERROR


def test_an_answer_of_another_type_than_the_job_promises_is_refused(
    worker: IsolatedWorker, helper: IsolatedWorker
) -> None:
    sent = IsolatedWorker.submit_together([(worker, "ping", ()), (helper, "ping", ())])
    assert sent is not None
    with pytest.raises(WorkerFailure) as failure:
        Pending(sent, RenderedPage).collect()  # a process id, not a page
    assert failure.value.code == WorkerFailure.ERROR
    # Both answers were collected, so both workers are free again.
    for each in (worker, helper):
        free = each.submit("ping", wait_s=0)
        assert free is not None and free.result() == each.pid


def test_a_first_page_drawn_ahead_by_two_workers_is_confirmed_only_by_its_own_bytes(
    worker: IsolatedWorker, helper: IsolatedWorker, tmp_path: Path
) -> None:
    clients = [RenderClient(worker), RenderClient(helper)]
    source = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(2))
    with shared_block(8 * 1024 * 1024) as block:
        target = (block.name, block.size)
        for token, staged_bytes, expected in (
            ("ahead-same", source.read_bytes(), True),
            ("ahead-changed", text_pdf([["Sida ett, ändrad"], ["Sida två"]]), False),
        ):
            sent = render_ahead_together(
                clients, AheadRequest(token, source, 1024 * 1024, 1.0, target)
            )
            assert sent is not None
            bands = sent.collect()
            assert [page.page_count for page in bands] == [2, 2]
            assert all(page.shared for page in bands)
            staged = tmp_path / f"{token}.pdf"
            staged.write_bytes(staged_bytes)
            assert confirm_ahead_together(clients, token, staged, timeout_s=20) is expected


def test_nothing_is_drawn_ahead_while_a_worker_is_busy(
    worker: IsolatedWorker, helper: IsolatedWorker, tmp_path: Path
) -> None:
    source = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(1))
    busy = helper.submit("ping")
    assert busy is not None
    try:
        request = AheadRequest("ahead-busy", source, 1024 * 1024, 1.0, ("ingen", 0))
        assert render_ahead_together([RenderClient(worker), RenderClient(helper)], request) is None
    finally:
        busy.result()
    free = worker.submit("ping", wait_s=0)  # the idle worker was not left taken
    assert free is not None and free.result() == worker.pid
