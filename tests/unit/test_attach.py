"""The attach pipeline without Qt: a real staging area, a real inspect worker process and
real files, from the chosen file to a typed outcome and an inspected attachment."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from app.config import texts
from app.drafts.attach import (
    CHANGED_AFTER_STAGING,
    HIDDEN_NOT_REMOVED,
    INSPECTION_FAILED,
    AttachPipeline,
    Duplicate,
    Refused,
    Staged,
    Turns,
    inspection_not_run,
)
from app.inspection.report import Verdict
from app.isolation.worker import IsolatedWorker
from app.protocol.model import MessageKind
from app.storage.sealed import replace_plain
from app.storage.staging import StagedFile, StagingArea, read_staged
from tests.support.inspection_samples import exif, jpeg
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.workers import worker_process

TAGGED = Path(__file__).resolve().parents[1] / "files" / "corpus" / "ocrmypdf" / "tagged.pdf"


@pytest.fixture(scope="module")
def worker() -> Iterator[IsolatedWorker]:
    yield from worker_process()


@pytest.fixture
def staging(tmp_path: Path) -> StagingArea:
    return StagingArea(tmp_path / "staging", max_bytes=8 * 1024 * 1024)


@pytest.fixture
def pipeline(staging: StagingArea, worker: IsolatedWorker) -> AttachPipeline:
    return AttachPipeline(staging, worker)


class _Sabotaged:
    """The real worker, with its "sanitize" job replaced by a self-test that crashes it."""

    def __init__(self, worker: IsolatedWorker) -> None:
        self._worker = worker

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        if op == "sanitize":
            return self._worker.call("selftest.crash", timeout_s=timeout_s)
        return self._worker.call(op, *args, timeout_s=timeout_s)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _copy_sha256(path: Path) -> str:
    """The hash of a working copy's plain bytes (it is sealed on disk)."""
    return hashlib.sha256(read_staged(path)).hexdigest()


def _staged(outcome: object) -> Staged:
    assert isinstance(outcome, Staged), outcome
    return outcome


def test_a_pdf_is_staged_with_its_original_path_and_the_hash_of_its_copy(
    pipeline: AttachPipeline, staging: StagingArea, tmp_path: Path
) -> None:
    source = shutil.copy(TAGGED, tmp_path / "Provsvar.pdf")
    attachment = _staged(pipeline.attach(Path(source), set())).attachment
    assert attachment.original == Path(source).absolute()
    assert attachment.filename == "Provsvar.pdf"
    assert attachment.media_type == "application/pdf"
    assert staging.held() == [attachment.staged.path.parent]
    assert attachment.sha256 == _copy_sha256(attachment.staged.path)
    assert attachment.report is None  # inspected in its turn, not here


def test_an_images_location_leaves_the_copy_and_the_hash_is_taken_again(
    pipeline: AttachPipeline, tmp_path: Path
) -> None:
    source = tmp_path / "Foto.jpg"
    source.write_bytes(jpeg(exif_data=exif(gps=True)))
    attachment = _staged(pipeline.attach(source, set())).attachment
    assert attachment.sha256 == _copy_sha256(attachment.staged.path)
    assert attachment.sha256 != _sha256(source)
    assert attachment.original_sha256 == _sha256(source)  # what an offer to delete checks
    with Image.open(io.BytesIO(read_staged(attachment.staged.path))) as image:
        assert 0x8825 not in image.getexif()  # no GPS block in what is previewed and sent
    assert source.read_bytes() == jpeg(exif_data=exif(gps=True))  # the original untouched


def test_a_file_the_draft_already_holds_is_a_duplicate_and_its_copy_is_gone(
    pipeline: AttachPipeline, staging: StagingArea, tmp_path: Path
) -> None:
    source = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(2))
    first = _staged(pipeline.attach(source, set())).attachment
    again = tmp_path / "Brev igen.pdf"
    again.write_bytes(source.read_bytes())
    asked: list[StagedFile] = []

    def confirm(staged: StagedFile) -> bool:
        asked.append(staged)
        return True

    outcome = pipeline.attach(again, {first.sha256}, confirm)
    assert outcome == Duplicate("Brev igen.pdf")
    assert asked == []  # a duplicate's first page is never taken
    assert staging.held() == [first.staged.path.parent]


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("Provsvar.pdf", b"Det har ar bara text.\n", "file.type_not_allowed"),
        ("Tom.pdf", b"", "file.empty"),
        ("Bild.pdf", jpeg(), "file.extension_mismatch"),
    ],
)
def test_a_file_that_is_not_what_it_says_is_refused_with_a_code_that_has_a_sentence(
    pipeline: AttachPipeline,
    staging: StagingArea,
    tmp_path: Path,
    name: str,
    content: bytes,
    code: str,
) -> None:
    source = tmp_path / name
    source.write_bytes(content)
    outcome = pipeline.attach(source, set())
    assert isinstance(outcome, Refused) and outcome.code == code
    assert outcome.params["name"] == name
    assert texts.has_message(outcome.code)
    assert staging.held() == []


def test_a_file_whose_hidden_content_cannot_be_removed_is_refused_and_not_kept(
    worker: IsolatedWorker, staging: StagingArea, tmp_path: Path
) -> None:
    pipeline = AttachPipeline(staging, _Sabotaged(worker))  # type: ignore[arg-type]
    source = write_text_pdf(tmp_path / "Remiss.pdf", numbered_pages(1))
    outcome = pipeline.attach(source, set())
    assert outcome == Refused(HIDDEN_NOT_REMOVED, {"name": "Remiss.pdf"})
    assert "Remiss.pdf" in texts.message(HIDDEN_NOT_REMOVED, "sv", outcome.params)
    assert texts.has_message(HIDDEN_NOT_REMOVED)
    assert staging.held() == []
    assert isinstance(pipeline.attach(source, set()), Refused)  # the worker is up again


class _CopyGoneWhileCleaned:
    """The real worker cleans the copy, which is then deleted before it is hashed again
    (what a purge or a hand in the staging folder would do)."""

    def __init__(self, worker: IsolatedWorker) -> None:
        self._worker = worker

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        removed = self._worker.call(op, *args, timeout_s=timeout_s)
        if op == "sanitize":
            Path(args[0]).unlink()
        return removed


def test_a_working_copy_gone_while_it_was_cleaned_is_refused_as_unreadable(
    worker: IsolatedWorker, staging: StagingArea, tmp_path: Path
) -> None:
    pipeline = AttachPipeline(staging, _CopyGoneWhileCleaned(worker))  # type: ignore[arg-type]
    source = tmp_path / "Foto.jpg"
    source.write_bytes(jpeg(exif_data=exif(gps=True)))  # cleaned, so hashed again
    outcome = pipeline.attach(source, set())
    assert outcome == Refused("file.unreadable", {"name": "Foto.jpg"})
    assert texts.has_message(outcome.code)
    assert staging.held() == []


def test_the_first_page_hook_is_asked_once_about_the_cleaned_copy(
    pipeline: AttachPipeline, tmp_path: Path
) -> None:
    source = tmp_path / "Foto.jpg"
    source.write_bytes(jpeg(exif_data=exif(gps=True)))
    asked: list[tuple[str, str]] = []

    def confirm(staged: StagedFile) -> bool:
        asked.append((staged.sha256, _copy_sha256(staged.path)))
        return False

    attachment = _staged(pipeline.attach(source, set(), confirm)).attachment
    # About the bytes that will be previewed and sent, and with their hash, not the file's.
    assert asked == [(attachment.sha256, attachment.sha256)]


def test_an_unexpected_error_is_raised_with_the_copy_already_discarded(
    pipeline: AttachPipeline, staging: StagingArea, tmp_path: Path
) -> None:
    source = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(1))

    def broken(_staged: StagedFile) -> bool:
        raise RuntimeError("a worker went away")

    with pytest.raises(RuntimeError):
        pipeline.attach(source, set(), broken)
    assert staging.held() == []


def test_inspection_reports_on_the_staged_copy(pipeline: AttachPipeline, tmp_path: Path) -> None:
    source = shutil.copy(TAGGED, tmp_path / "Provsvar.pdf")
    attachment = _staged(pipeline.attach(Path(source), set())).attachment
    report = pipeline.inspect(attachment, ["191212121212"], MessageKind.REPLY)
    assert report.sha256 == attachment.sha256
    assert report.pages == 2
    assert report.verdict is not Verdict.BLOCKED


def test_a_working_copy_changed_after_staging_is_refused_by_its_inspection(
    pipeline: AttachPipeline, tmp_path: Path
) -> None:
    source = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(1))
    attachment = _staged(pipeline.attach(source, set())).attachment
    other = write_text_pdf(tmp_path / "Annat.pdf", [["Ett annat brev"]])
    replace_plain(attachment.staged.path, other.read_bytes())  # changed, still sealed
    report = pipeline.inspect(attachment, [], MessageKind.REPLY)
    assert report.verdict is Verdict.BLOCKED
    assert [f.code for f in report.findings] == [CHANGED_AFTER_STAGING]
    assert report.sha256 == _sha256(other)  # what the copy holds now, not what was staged


def test_an_inspection_that_cannot_run_blocks_the_file_with_the_reason(
    staging: StagingArea, worker: IsolatedWorker, tmp_path: Path
) -> None:
    source = write_text_pdf(tmp_path / "Brev.pdf", numbered_pages(1))
    attachment = _staged(AttachPipeline(staging, worker).attach(source, set())).attachment

    class _Gone:
        def call(self, *_args: object, **_kwargs: object) -> object:
            raise BrokenPipeError

    report = AttachPipeline(staging, _Gone()).inspect(  # type: ignore[arg-type]
        attachment, [], MessageKind.REPLY
    )
    assert report.blocked
    assert [(f.code, f.param_dict) for f in report.findings] == [
        (INSPECTION_FAILED, {"reason": "BrokenPipeError"})
    ]
    assert report.sha256 == attachment.sha256  # hashed here, off the GUI thread
    unrun = inspection_not_run(TimeoutError())
    assert unrun.blocked and unrun.sha256 is None  # made without reading the file


def test_turns_go_one_at_a_time_in_order_and_skip_what_is_no_longer_wanted() -> None:
    removed = {"b"}
    turns: Turns[str] = Turns(lambda item: item not in removed)
    for item in ("a", "b", "c"):
        turns.add(item)
    assert turns.next() == "a"
    assert turns.busy and turns.next() is None  # one at a time
    assert "c" in turns and list(turns) == ["b", "c"]
    turns.done()
    assert turns.next() == "c"  # "b" was removed while it waited
    turns.done()
    assert turns.next() is None and not turns.busy and len(turns) == 0


def test_the_clinics_own_number_is_not_a_residents_as_the_settings_say_now(
    staging: StagingArea, worker: IsolatedWorker, tmp_path: Path
) -> None:
    """The clinic's numbers (a live setting) are asked for at each inspection: a number
    saved in the settings stops counting as the resident's at the next one."""
    clinic: list[str] = []
    pipeline = AttachPipeline(staging, worker, lambda: clinic)
    source = write_text_pdf(
        tmp_path / "Kallelse.pdf", [["Kallelse till mottagningen", "Frågor? Ring 046-17 10 00"]]
    )
    attachment = _staged(pipeline.attach(source, set())).attachment
    before = pipeline.inspect(attachment, [], MessageKind.NEW_CASE)
    assert [hit.kind for hit in before.hits] == ["phone"]
    clinic.append("046-171000")  # saved in the settings dialog meanwhile
    after = pipeline.inspect(attachment, [], MessageKind.NEW_CASE)
    assert [hit.kind for hit in after.hits] == []
