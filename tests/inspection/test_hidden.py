"""Removing hidden content from the staged copy (app.inspection.hidden), as the window
does it: in a worker process, before the preview, and what the report then says.

The first page the window draws ahead from the chosen file counts only once the staged
copy draws the same pixels (ui.preview.first_page, docs/preview.md): a rewritten copy must
still be confirmed when it shows the same document, and refused when it does not.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.inspection import inspect_file
from app.inspection.hidden import find_hidden, remove_hidden
from app.inspection.isolated import InspectClient
from app.inspection.jobs import UNCHANGED, Sanitized
from app.inspection.polyglot import second_format
from app.isolation.worker import IsolatedWorker
from app.preview.render_client import AheadRequest, RenderClient
from tests.inspection.conftest import CORPUS, codes
from tests.support import hostile
from tests.support.pdfgen import numbered_pages, text_pdf
from tests.support.workers import shared_block, worker_process

MAX_BYTES = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def render_worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture(scope="module")
def inspect_worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


def _staged(source: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / "file"
    shutil.copyfile(source, copy)
    return copy


def _drawn_ahead_is_confirmed(
    render_worker: IsolatedWorker, inspect_worker: IsolatedWorker, source: Path, folder: Path
) -> tuple[bool, Sanitized]:
    """The window's order: page 1 drawn ahead from ``source``, the file staged, hidden
    content removed from the copy in the inspect worker, the drawing confirmed."""
    with shared_block(8 * 1024 * 1024) as block:
        target = (block.name, block.size)
        RenderClient(render_worker).render_ahead(
            AheadRequest("ahead", source, MAX_BYTES, 1.0, target)
        )
        staged = _staged(source, folder)
        sanitized = InspectClient(inspect_worker).sanitize(staged)
        confirmed = RenderClient(render_worker).confirm_ahead("ahead", staged)
    return confirmed, sanitized


@pytest.mark.parametrize(
    "build",
    [
        lambda: hostile.letter() + hostile.zip_archive(),
        hostile.letter_revised,
        hostile.letter_with_unused_stream,
        lambda: hostile.with_header_comment(hostile.letter(), hostile.html()),
    ],
    ids=["zip-after-end", "earlier-revision", "unused-stream", "html-comment"],
)
def test_a_rewritten_copy_still_confirms_the_page_drawn_ahead(
    render_worker: IsolatedWorker,
    inspect_worker: IsolatedWorker,
    tmp_path: Path,
    build: object,
) -> None:
    source = tmp_path / "brev.pdf"
    source.write_bytes(build())  # type: ignore[operator]
    confirmed, removed = _drawn_ahead_is_confirmed(
        render_worker, inspect_worker, source, tmp_path / "staged"
    )
    assert removed.changed  # the copy was rewritten ...
    assert (tmp_path / "staged" / "file").read_bytes() != source.read_bytes()
    assert confirmed is True  # ... and still draws the page that was shown


def test_a_rewritten_copy_that_draws_otherwise_is_not_confirmed(
    render_worker: IsolatedWorker, inspect_worker: IsolatedWorker, tmp_path: Path
) -> None:
    """The chosen file changed after its first page was drawn (a new page 1, and
    data after its end): the rewritten copy is not taken for what was shown."""
    source = tmp_path / "brev.pdf"
    source.write_bytes(hostile.letter())
    with shared_block(8 * 1024 * 1024) as block:
        target = (block.name, block.size)
        renderer = RenderClient(render_worker)
        renderer.render_ahead(AheadRequest("ahead", source, MAX_BYTES, 1.0, target))
        source.write_bytes(text_pdf([["Ett annat brev"]]) + hostile.random_bytes(4096))
        staged = _staged(source, tmp_path / "staged")
        assert InspectClient(inspect_worker).sanitize(staged).removed == ("after_end",)
        assert renderer.confirm_ahead("ahead", staged) is False


def test_a_clean_pdf_is_left_byte_for_byte(tmp_path: Path) -> None:
    copy = tmp_path / "file"
    copy.write_bytes(text_pdf(numbered_pages(3), title="Brev", lang="sv-SE"))
    before = copy.read_bytes()
    assert remove_hidden(copy) == UNCHANGED
    assert copy.read_bytes() == before
    assert list(tmp_path.iterdir()) == [copy], "nothing is written beside the copy"


def test_what_was_removed_comes_back_as_a_value_and_is_reported_only_when_told(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "file"
    copy.write_bytes(hostile.letter() + hostile.random_bytes(2048))
    sanitized = remove_hidden(copy)
    assert sanitized == Sanitized(changed=True, removed=("after_end",))
    assert list(tmp_path.iterdir()) == [copy], "no side file: the value is the record"
    told = codes(inspect_file(copy, name="brev.pdf", removed=sanitized.removed))
    assert "file.hidden_after_end_removed" in told
    assert "file.hidden_after_end_removed" not in codes(inspect_file(copy, name="brev.pdf"))
    # A word that is not a kind of hidden content is not believed (a restored draft's
    # list, or a worker's answer, is read as data).
    found = {
        c
        for c in codes(inspect_file(copy, name="brev.pdf", removed=("anything", "after_end")))
        if "hidden" in c
    }
    assert found == {"file.hidden_after_end_removed"}


def test_hidden_content_left_in_a_file_that_was_not_staged_blocks_it(tmp_path: Path) -> None:
    """inspect_file on a file that never went through the rewrite (a caller that forgot)
    refuses what it carries unseen, with what to do."""
    path = tmp_path / "brev.pdf"
    path.write_bytes(hostile.letter_revised() + hostile.random_bytes(2048))
    report = inspect_file(path)
    assert report.blocked
    assert {"file.hidden_after_end", "pdf.hidden_old_revisions"} <= codes(report)


def test_no_file_in_the_corpus_reads_as_a_second_format() -> None:
    """Compressed streams, photos and scans hold every byte value: the signatures must
    need more than a few bytes by chance (a false alarm would refuse a good file)."""
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".pdf", ".png", ".jpg", ".gif"):
            assert second_format(path.read_bytes()) is None, path.name
            assert find_hidden(path).second_format is None, path.name


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"x<!DOCTYPE html><p>", "HTML"),
        (b"x< SCRIPT src=a.js>", "HTML"),
        (b"<svg onload=alert(1)>", "HTML"),
        (b"ein <b>fetter</b> Text", None),  # markup that no browser sniffs as a page
        (hostile.zip_archive(), "ZIP"),
        (b"x" + hostile.windows_executable(), "EXE"),
        (b"MZ" + b"\0" * 62 + b"no PE header here", None),
        (b"x" + hostile.elf_executable(), "ELF"),
        (b"\x7fELF\x09\x09\x09", None),  # not a class or byte order a loader accepts
        (b"x\xcf\xfa\xed\xfe\x07\x00\x00\x01 mach-o for x86-64", "Mach-O"),
        (b"\xcf\xfa\xed\xfe\x99\x99\x99\x99", None),  # no CPU type
        (b"text\n#!/bin/sh\n", "script"),
        (b"a comment #!/bin/sh in a line", None),
        (b"\r\n<?PHP system($x);", "script"),
        (b"\n@ECHO OFF\r\ndel *", "script"),
        (b"mail me@echo off-line", None),
    ],
)
def test_second_formats_are_told_by_more_than_a_few_bytes(
    data: bytes, expected: str | None
) -> None:
    assert second_format(data) == expected
