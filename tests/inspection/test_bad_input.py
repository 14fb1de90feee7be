"""Hostile and broken input: every file gets a verdict, in bounded time, never a traceback.

The property tests mutate real files (bit flips, truncation, spliced bytes) and feed
them to the inspector in this process, with the policy's limits as the only guard.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.inspection import inspect_file
from app.inspection.report import InspectionReport, Verdict
from tests.inspection.conftest import CORPUS
from tests.support import inspection_samples as samples

Write = Callable[[str, bytes], Path]

BAD_INPUTS = {
    "zero.pdf": b"",
    "truncated.pdf": samples.truncated(samples.letter_pdf(), 0.3),
    "truncated-scan.pdf": samples.truncated(samples.scanned_pdf(), 0.6),
    "header-then-garbage.pdf": samples.header_then_garbage(),
    "text-named.pdf": b"Detta \xe4r en textfil.\n" * 50,
    "pdf-named.png": samples.letter_pdf(),
    "polyglot.pdf": samples.polyglot_pdf_zip(),
    "bomb.png": samples.decompression_bomb_png(),
    "frames.gif": samples.many_frames_gif(3000),
    "truncated.gif": samples.truncated(samples.flashing_gif(), 0.5),
    "truncated.jpg": samples.truncated(samples.jpeg(), 0.5),
    "only-magic.png": b"\x89PNG\r\n\x1a\n",
    "only-magic.jpg": b"\xff\xd8\xff",
    "only-magic.gif": b"GIF89a",
    "only-header.pdf": b"%PDF-",
}

_SEEDS = [
    CORPUS / "ocrmypdf" / "tagged.pdf",
    CORPUS / "ocrmypdf" / "graph_ocred.pdf",
    CORPUS / "verapdf-pdfua1" / "7.3-t01-fail-b.pdf",
]


def _assert_sane(report: InspectionReport) -> None:
    assert isinstance(report, InspectionReport)
    assert report.verdict in (Verdict.OK, Verdict.REVIEW, Verdict.BLOCKED)
    for finding in report.findings:
        assert finding.code and "." in finding.code
        assert finding.page is None or finding.page >= 1


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_a_verdict_quickly(write: Write, name: str) -> None:
    started = time.monotonic()
    report = inspect_file(write(name, BAD_INPUTS[name]))
    assert time.monotonic() - started < 10
    _assert_sane(report)
    assert report.verdict is Verdict.BLOCKED
    assert not {f.code for f in report.findings} & {"file.inspection_failed"}


def test_every_corpus_file_gets_a_verdict() -> None:
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.suffix != ".json":
            _assert_sane(inspect_file(path))


def _mutate(data: bytes, flips: list[tuple[int, int]], cut: int | None, splice: bytes) -> bytes:
    buffer = bytearray(data)
    for position, value in flips:
        buffer[position % len(buffer)] = value
    if cut is not None:
        del buffer[cut % len(buffer) :]
    middle = len(buffer) // 2
    return bytes(buffer[:middle]) + splice + bytes(buffer[middle:])


_MUTATION = st.tuples(
    st.lists(st.tuples(st.integers(0, 1 << 30), st.integers(0, 255)), max_size=40),
    st.one_of(st.none(), st.integers(1, 1 << 30)),
    st.binary(max_size=64),
)


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(_SEEDS), mutation=_MUTATION)
def test_mutated_pdfs_never_crash_the_inspector(
    tmp_path_factory: pytest.TempPathFactory, seed: Path, mutation: tuple
) -> None:
    path = tmp_path_factory.mktemp("mutated") / "mutated.pdf"
    path.write_bytes(_mutate(seed.read_bytes(), *mutation))
    _assert_sane(inspect_file(path))


@pytest.mark.slow
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.sampled_from(
        [
            samples.png_with_text_chunks(),
            samples.jpeg(exif_data=samples.exif()),
            samples.flashing_gif(),
        ]
    ),
    mutation=_MUTATION,
)
def test_mutated_images_never_crash_the_inspector_or_the_sanitizer(
    tmp_path_factory: pytest.TempPathFactory, seed: bytes, mutation: tuple
) -> None:
    from app.inspection.image_sanitize import strip_image_metadata

    data = _mutate(seed, *mutation)
    suffix = {b"\x89P": ".png", b"\xff\xd8": ".jpg", b"GI": ".gif"}.get(data[:2], ".bin")
    path = tmp_path_factory.mktemp("mutated") / f"mutated{suffix}"
    path.write_bytes(data)
    _assert_sane(inspect_file(path))
    assert isinstance(strip_image_metadata(data), bytes)
