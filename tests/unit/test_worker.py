"""The isolated worker draws pages in another process and survives what kills it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.worker import IsolatedWorker, WorkerFailure
from tests.support.pdfgen import numbered_pages, write_text_pdf


@pytest.fixture(scope="module")
def worker() -> Iterator[IsolatedWorker]:
    with IsolatedWorker(timeout_s=20, memory_limit_mb=768) as w:
        yield w


def test_a_pdf_page_comes_back_as_raw_pixels(worker: IsolatedWorker, tmp_path: Path) -> None:
    pdf = write_text_pdf(tmp_path / "brev.pdf", numbered_pages(3))
    page = worker.call("render", str(pdf), 2, 1.0)
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
    assert worker.call("page_count", str(pdf)) == 1
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
        worker.call("render", str(bad), 0, 1.0)
    assert failure.value.code == WorkerFailure.ERROR
