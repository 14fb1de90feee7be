"""Drawing a page in bands and drawing ahead (app.preview.rendering), through real worker processes.

PDFium stays out of the test process: every page is drawn by an IsolatedWorker, as in
the app. Bands: two workers each draw part of a page into one shared-memory block, and
the block ends up as the page drawn whole. Drawing ahead: a page drawn from the chosen
file counts only once ``confirm_ahead`` found the staged copy to hold the same bytes.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from multiprocessing import shared_memory
from pathlib import Path
from typing import Any

import pytest

from app.isolation.worker import IsolatedWorker, WorkerFailure
from app.preview.render_client import AheadRequest, Band, RenderClient
from app.preview.rendered_page import RenderedPage
from tests.support.pdfgen import numbered_pages, text_pdf, write_text_pdf
from tests.support.workers import shared_block, worker_process

BLOCK_SIZE = 8 * 1024 * 1024
MAX_BYTES = 10 * 1024 * 1024
A4 = (595, 842)  # points: pixels at scale 1.0


@pytest.fixture(scope="module")
def worker_a() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture(scope="module")
def worker_b() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture
def block() -> Iterator[shared_memory.SharedMemory]:
    with shared_block(BLOCK_SIZE) as memory:
        yield memory


@pytest.fixture
def tiny_block() -> Iterator[shared_memory.SharedMemory]:
    with shared_block(4096) as memory:
        yield memory


@pytest.fixture
def letter(tmp_path: Path) -> Path:
    return write_text_pdf(tmp_path / "brev.pdf", numbered_pages(3))


def _target(memory: shared_memory.SharedMemory) -> tuple[str, int]:
    return (memory.name, memory.size)


def _view(memory: shared_memory.SharedMemory) -> memoryview:
    view = memory.buf
    assert view is not None  # None only once closed
    return view


def _contents(memory: shared_memory.SharedMemory, size: int) -> bytes:
    return bytes(_view(memory)[:size])


def _zero(memory: shared_memory.SharedMemory) -> None:
    _view(memory)[: memory.size] = bytes(memory.size)


def _page(answer: Any) -> RenderedPage:
    assert isinstance(answer, RenderedPage)
    return answer


def _geometry(page: RenderedPage) -> tuple[Any, ...]:
    return (page.page_index, page.page_count, page.width, page.height, page.stride)


def _draw_whole(
    worker: IsolatedWorker, path: Path, memory: shared_memory.SharedMemory, rotation: int = 0
) -> tuple[RenderedPage, bytes]:
    """Page 0 drawn whole into the block: the answer and the block's page bytes."""
    _zero(memory)
    page = RenderClient(worker).render(path, 0, 1.0, rotation, _target(memory))
    assert page.shared
    assert page.pixels == b""
    drawn = _contents(memory, page.stride * page.height)
    assert drawn != bytes(len(drawn)), "nothing was drawn"
    assert drawn.count(b"\xff") < len(drawn), "the page came out blank white"
    return page, drawn


def _band_jobs(
    workers: list[IsolatedWorker], op: str, leading: tuple[Any, ...], bands: int
) -> list[tuple[IsolatedWorker, str, tuple[Any, ...]]]:
    """Band i of ``bands`` to ``workers[i % len(workers)]``."""
    return [(workers[i % len(workers)], op, (*leading, (i, bands))) for i in range(bands)]


def _run(jobs: list[tuple[IsolatedWorker, str, tuple[Any, ...]]]) -> list[Any]:
    """Each job on its worker; a worker named twice gets its jobs one after the other."""
    answers: list[Any] = []
    if len({id(worker) for worker, _op, _args in jobs}) == len(jobs):
        sent = IsolatedWorker.submit_together(jobs, wait_s=None)
        assert sent is not None
        return [call.result() for call in sent]
    for worker, op, args in jobs:
        answers.append(worker.call(op, *args))
    return answers


# Bands


@pytest.mark.parametrize(("bands", "rotation"), [(2, 0), (2, 90), (3, 0), (3, 270)])
def test_a_page_drawn_in_bands_by_two_workers_is_the_page_drawn_whole(
    worker_a: IsolatedWorker,
    worker_b: IsolatedWorker,
    letter: Path,
    block: shared_memory.SharedMemory,
    bands: int,
    rotation: int,
) -> None:
    whole, drawn = _draw_whole(worker_a, letter, block, rotation)
    columns, rows = A4 if rotation in (0, 180) else A4[::-1]
    assert (whole.width, whole.height, whole.stride) == (columns, rows, columns * 4)
    assert whole.pixel_format == "RGB32"

    _zero(block)
    leading = (str(letter), 0, 1.0, rotation, _target(block))
    answers = [_page(a) for a in _run(_band_jobs([worker_a, worker_b], "render", leading, bands))]

    assert _contents(block, len(drawn)) == drawn
    for band in answers:
        assert band.shared
        assert band.pixels == b""
        assert band.pixel_format == "RGB32"
        assert _geometry(band) == _geometry(whole)
        assert band.rotation == whole.rotation == rotation
        assert (band.page_width, band.page_height, band.scale) == (
            whole.page_width,
            whole.page_height,
            whole.scale,
        )


@pytest.mark.parametrize("band_index", [0, 1])
def test_a_band_draws_its_own_rows_only(
    worker_a: IsolatedWorker, letter: Path, block: shared_memory.SharedMemory, band_index: int
) -> None:
    whole, drawn = _draw_whole(worker_a, letter, block)
    _zero(block)
    page = RenderClient(worker_a).render(letter, 0, 1.0, 0, _target(block), Band(band_index, 2))
    assert page.shared
    split = (whole.height // 2) * whole.stride  # band 0: rows [0, h//2), band 1: the rest
    now = _contents(block, len(drawn))
    if band_index == 0:
        assert now[:split] == drawn[:split]
        assert now[split:] == bytes(len(drawn) - split)
    else:
        assert now[:split] == bytes(split)
        assert now[split:] == drawn[split:]
    # Nothing past the page either.
    assert _contents(block, block.size)[len(drawn) :] == bytes(block.size - len(drawn))


def test_a_band_without_a_block_draws_nothing(worker_a: IsolatedWorker, letter: Path) -> None:
    page = RenderClient(worker_a).render(letter, 0, 1.0, 0, None, Band(0, 2))
    assert not page.shared
    assert page.pixels == b""
    # The answer still tells the page's geometry, as the block would have held it.
    assert (page.width, page.height, page.stride) == (A4[0], A4[1], A4[0] * 4)
    assert page.pixel_format == "RGB32"
    assert (page.page_index, page.page_count) == (0, 3)


def test_a_band_in_a_block_too_small_draws_nothing(
    worker_a: IsolatedWorker, letter: Path, tiny_block: shared_memory.SharedMemory
) -> None:
    page = RenderClient(worker_a).render(letter, 0, 1.0, 0, _target(tiny_block), Band(1, 2))
    assert not page.shared
    assert page.pixels == b""
    assert (page.width, page.height, page.stride) == (A4[0], A4[1], A4[0] * 4)
    assert _contents(tiny_block, tiny_block.size) == bytes(tiny_block.size)


def test_a_whole_page_too_large_for_the_block_comes_back_in_the_answer(
    worker_a: IsolatedWorker,
    letter: Path,
    block: shared_memory.SharedMemory,
    tiny_block: shared_memory.SharedMemory,
) -> None:
    whole, drawn = _draw_whole(worker_a, letter, block)
    page = RenderClient(worker_a).render(letter, 0, 1.0, 0, _target(tiny_block))
    assert not page.shared
    assert page.pixel_format == "RGB32"
    assert _geometry(page) == _geometry(whole)
    assert page.pixels == drawn
    assert _contents(tiny_block, tiny_block.size) == bytes(tiny_block.size)


@pytest.mark.parametrize("band", [(2, 2), (-1, 2), (0, 0)])
def test_a_band_that_is_not_one_of_the_page_is_refused(
    worker_a: IsolatedWorker, letter: Path, block: shared_memory.SharedMemory, band: tuple[int, int]
) -> None:
    with pytest.raises(WorkerFailure) as failure:
        RenderClient(worker_a).render(letter, 0, 1.0, 0, _target(block), Band(*band))
    assert failure.value.code == WorkerFailure.ERROR
    assert failure.value.detail == "ValueError"


# Drawing ahead, and confirming it: the staged copy must draw the very same pixels


def _stage(source: Path, staged: Path) -> Path:
    shutil.copyfile(source, staged)
    return staged


def _draw_ahead(
    worker: IsolatedWorker,
    token: str,
    source: Path,
    block: shared_memory.SharedMemory | None,
    max_bytes: int = MAX_BYTES,
) -> RenderedPage:
    target = _target(block) if block is not None else None
    request = AheadRequest(token, source, max_bytes, 1.0, target)
    return _page(worker.call("render_ahead", request))


def _confirm(worker: IsolatedWorker, token: str, staged: Path) -> bool:
    answer = worker.call("confirm_ahead", token, str(staged))
    assert isinstance(answer, bool)
    return answer


def test_a_page_drawn_ahead_is_confirmed_by_an_identical_staged_copy(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    staged = _stage(letter, tmp_path / "staged.pdf")
    whole, drawn = _draw_whole(worker_a, staged, block)
    _zero(block)
    page = _draw_ahead(worker_a, "ahead-same", letter, block)
    assert page.shared and _geometry(page) == _geometry(whole)
    assert _contents(block, len(drawn)) == drawn  # the chosen file draws as its copy does
    assert _confirm(worker_a, "ahead-same", staged) is True
    # Confirmed once: the drawing is let go of, the token is forgotten.
    assert _confirm(worker_a, "ahead-same", staged) is False


def test_a_confirmation_under_another_token_is_false_and_keeps_the_drawing(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    _draw_ahead(worker_a, "ahead-mine", letter, block)
    staged = _stage(letter, tmp_path / "staged.pdf")
    assert _confirm(worker_a, "ahead-someone-else", staged) is False
    assert _confirm(worker_a, "ahead-mine", staged) is True


def test_nothing_drawn_ahead_confirms_nothing(tmp_path: Path, letter: Path) -> None:
    with IsolatedWorker(timeout_s=20, memory_limit_mb=768) as fresh:
        staged = _stage(letter, tmp_path / "staged.pdf")
        assert _confirm(fresh, "ahead-never-drawn", staged) is False


def test_a_drawing_not_kept_in_a_block_confirms_nothing(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path
) -> None:
    page = _draw_ahead(worker_a, "ahead-no-block", letter, None)
    assert page.pixel_format == "RGB888" and len(page.pixels) == page.stride * page.height
    assert _confirm(worker_a, "ahead-no-block", _stage(letter, tmp_path / "staged.pdf")) is False


@pytest.mark.parametrize(
    "staged_pages",
    [
        [["Sida ett, annan text"], ["Sida två"], ["Sida tre"]],  # page 1 reads otherwise
        [["Sida ett"], ["Sida två"]],  # a page fewer: the count would be wrong
        [["Sida ett"], ["Sida två"], ["Sida tre"], ["Sida fyra"]],  # a page more
    ],
    ids=["other text", "fewer pages", "more pages"],
)
def test_a_staged_copy_that_is_not_what_was_drawn_is_not_confirmed(
    worker_a: IsolatedWorker,
    tmp_path: Path,
    block: shared_memory.SharedMemory,
    staged_pages: list[list[str]],
) -> None:
    source = write_text_pdf(tmp_path / "brev.pdf", [["Sida ett"], ["Sida två"], ["Sida tre"]])
    _draw_ahead(worker_a, "ahead-other", source, block)
    staged = write_text_pdf(tmp_path / "staged.pdf", staged_pages)
    assert _confirm(worker_a, "ahead-other", staged) is False
    # A refusal lets go of the drawing too: the right copy is now too late.
    assert _confirm(worker_a, "ahead-other", _stage(source, tmp_path / "right.pdf")) is False


def test_a_staged_copy_with_another_page_size_is_not_confirmed(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    _draw_ahead(worker_a, "ahead-size", letter, block)
    data = letter.read_bytes().replace(b"/MediaBox [0 0 595 842]", b"/MediaBox [0 0 595 841]")
    assert data != letter.read_bytes()
    staged = tmp_path / "staged.pdf"
    staged.write_bytes(data)
    assert _confirm(worker_a, "ahead-size", staged) is False


def test_only_what_was_drawn_must_match_the_rest_is_previewed_from_the_copy(
    worker_a: IsolatedWorker, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    source = write_text_pdf(tmp_path / "brev.pdf", [["Sida ett"], ["Sida två"]])
    _draw_ahead(worker_a, "ahead-page-two", source, block)
    staged = write_text_pdf(tmp_path / "staged.pdf", [["Sida ett"], ["Sida två, ändrad"]])
    assert staged.read_bytes() != source.read_bytes()
    assert _confirm(worker_a, "ahead-page-two", staged) is True


@pytest.mark.parametrize("content", [b"", b"inte en pdf", b"%PDF-1.7\n" + bytes(300)])
def test_a_staged_copy_that_cannot_be_drawn_is_not_confirmed(
    worker_a: IsolatedWorker,
    letter: Path,
    tmp_path: Path,
    block: shared_memory.SharedMemory,
    content: bytes,
) -> None:
    _draw_ahead(worker_a, "ahead-broken-copy", letter, block)
    staged = tmp_path / "staged.pdf"
    staged.write_bytes(content)
    assert _confirm(worker_a, "ahead-broken-copy", staged) is False


def test_a_staged_copy_that_is_missing_is_not_confirmed(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    _draw_ahead(worker_a, "ahead-missing", letter, block)
    assert _confirm(worker_a, "ahead-missing", tmp_path / "finns-inte.pdf") is False


def test_a_block_drawn_over_since_is_not_confirmed(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    _draw_ahead(worker_a, "ahead-overdrawn", letter, block)
    _zero(block)  # what the window shows is no longer what was drawn
    assert _confirm(worker_a, "ahead-overdrawn", _stage(letter, tmp_path / "s.pdf")) is False


def test_a_source_changed_after_it_was_drawn_ahead_is_not_confirmed(
    worker_a: IsolatedWorker, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    source = write_text_pdf(tmp_path / "brev.pdf", [["Provsvar: normala"]])
    drawn = _draw_ahead(worker_a, "ahead-changed", source, block)
    shown = _contents(block, drawn.stride * drawn.height)
    source.write_bytes(text_pdf([["Provsvar: avvikande"]]))  # after drawing, before staging
    staged = _stage(source, tmp_path / "staged.pdf")
    assert _confirm(worker_a, "ahead-changed", staged) is False
    # What was drawn really was the old content: the staged copy draws differently.
    RenderClient(worker_a).render(staged, 0, 1.0, 0, _target(block))
    assert _contents(block, len(shown)) != shown


def test_drawing_another_file_ahead_lets_go_of_the_first(
    worker_a: IsolatedWorker, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    first = write_text_pdf(tmp_path / "forsta.pdf", numbered_pages(5))
    second = write_text_pdf(tmp_path / "andra.pdf", numbered_pages(1))
    _draw_ahead(worker_a, "ahead-first", first, block)
    page = _draw_ahead(worker_a, "ahead-second", second, block)
    assert page.page_count == 1
    assert _confirm(worker_a, "ahead-first", _stage(first, tmp_path / "staged-1.pdf")) is False
    assert _confirm(worker_a, "ahead-second", _stage(second, tmp_path / "staged-2.pdf")) is True


def test_a_page_drawn_ahead_in_bands_is_the_staged_copy_drawn_whole(
    worker_a: IsolatedWorker,
    worker_b: IsolatedWorker,
    letter: Path,
    tmp_path: Path,
    block: shared_memory.SharedMemory,
) -> None:
    staged = _stage(letter, tmp_path / "staged.pdf")
    whole, drawn = _draw_whole(worker_a, staged, block)
    _zero(block)
    leading = (AheadRequest("ahead-bands", letter, MAX_BYTES, 1.0, _target(block)),)
    jobs = _band_jobs([worker_a, worker_b], "render_ahead", leading, 2)
    sent = IsolatedWorker.submit_together(jobs, wait_s=None)
    assert sent is not None
    answers = [_page(call.result()) for call in sent]
    assert all(page.shared and _geometry(page) == _geometry(whole) for page in answers)
    assert _contents(block, len(drawn)) == drawn
    # Each worker compares its own band.
    assert _confirm(worker_a, "ahead-bands", staged) is True
    assert _confirm(worker_b, "ahead-bands", staged) is True


# What is refused for drawing ahead


def _refusal(worker: IsolatedWorker, source: Path, max_bytes: int = MAX_BYTES) -> WorkerFailure:
    with pytest.raises(WorkerFailure) as failure:
        _draw_ahead(worker, "ahead-refused", source, None, max_bytes=max_bytes)
    assert failure.value.code == WorkerFailure.ERROR
    return failure.value


def test_a_file_that_is_not_a_pdf_is_not_drawn_ahead(
    worker_a: IsolatedWorker, tmp_path: Path
) -> None:
    png = tmp_path / "bild.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    # Refused by the check on the file's first bytes, before PDFium sees it.
    assert _refusal(worker_a, png).detail == "ValueError"
    assert worker_a.call("ping") == worker_a.pid


def test_a_file_larger_than_allowed_is_not_drawn_ahead(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, block: shared_memory.SharedMemory
) -> None:
    size = letter.stat().st_size
    assert _refusal(worker_a, letter, max_bytes=size - 1).detail == "ValueError"
    # Exactly the limit is allowed.
    page = _draw_ahead(worker_a, "ahead-at-limit", letter, block, max_bytes=size)
    assert page.page_count == 3
    assert _confirm(worker_a, "ahead-at-limit", _stage(letter, tmp_path / "staged.pdf")) is True


@pytest.mark.parametrize("content", [b"", b"%PD"])
def test_a_file_shorter_than_a_pdf_header_is_refused_before_pdfium_sees_it(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path, content: bytes
) -> None:
    _draw_ahead(worker_a, "ahead-before-short", letter, None)  # something drawn before
    short = tmp_path / "kort.pdf"
    short.write_bytes(content)
    assert _refusal(worker_a, short).detail == "ValueError"


def test_a_folder_is_not_drawn_ahead(worker_a: IsolatedWorker, tmp_path: Path) -> None:
    folder = tmp_path / "mapp.pdf"
    folder.mkdir()
    _refusal(worker_a, folder)
    assert worker_a.call("ping") == worker_a.pid


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_is_refused_at_once_not_waited_on(
    worker_a: IsolatedWorker, tmp_path: Path
) -> None:
    pipe = tmp_path / "rör.pdf"
    os.mkfifo(pipe)  # nothing ever writes to it: opening it to read would block
    pid = worker_a.pid
    with pytest.raises(WorkerFailure) as failure:
        request = AheadRequest("ahead-pipe", pipe, MAX_BYTES, 1.0, None)
        worker_a.call("render_ahead", request, timeout_s=5)
    assert failure.value.code == WorkerFailure.ERROR  # refused, not timed out and killed
    assert worker_a.pid == pid


def test_a_missing_file_is_not_drawn_ahead(worker_a: IsolatedWorker, tmp_path: Path) -> None:
    assert _refusal(worker_a, tmp_path / "finns-inte.pdf").detail == "FileNotFoundError"


def test_a_refused_file_leaves_nothing_to_confirm(
    worker_a: IsolatedWorker, letter: Path, tmp_path: Path
) -> None:
    png = tmp_path / "bild.pdf"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    _refusal(worker_a, png)
    assert _confirm(worker_a, "ahead-refused", png) is False
