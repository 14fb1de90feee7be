"""Issue 21: a 1 MB PDF whose stream inflates to 1 GiB is refused as
``pdf.too_large_unpacked`` before the worker's memory grows: the check inflates through
a bounded buffer and counts, with no PDF parser (app/inspection/pdf_unpacked.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from app.inspection.pdf_unpacked import unpacked_beyond
from tests.support import inspection_samples as samples
from tests.support.pdfgen import assemble_pdf

ROOT = Path(__file__).resolve().parents[2]
GIB = 1 << 30
#: What the worker may reach for this file: Python, PDFium and qpdf loaded, the 1 MB
#: file and one buffer. Before the check it went to 1.1 GB.
BOUND_MB = 300


def bomb_pdf(unpacked: int = GIB) -> bytes:
    """A one-page PDF whose content stream is ``unpacked`` bytes of spaces, compressed
    (about 1 MB for 1 GiB); built in pieces so the test does not hold 1 GiB either."""
    packer = zlib.compressobj(9)
    piece = b" " * (1 << 24)
    stream = b"".join(packer.compress(piece) for _ in range(unpacked // len(piece)))
    stream += packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    return assemble_pdf(objects, root=1)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "provsvar.pdf"
    path.write_bytes(bomb_pdf())
    return path


def test_the_count_stops_past_the_limit_and_ordinary_pdfs_stay_under_it(bomb: Path) -> None:
    data = bomb.read_bytes()
    assert len(data) < 2 * 1024 * 1024
    assert unpacked_beyond(data, 512 * 1024 * 1024)
    assert not unpacked_beyond(data, 2 * GIB)
    assert not unpacked_beyond(samples.letter_pdf(), 1024 * 1024)
    assert not unpacked_beyond(b"stream\nnot zlib at all\nendstream", 0)


# Inspected as `bifoga inspect` does it (the hidden-content rewrite, then the inspection,
# in one worker); the parent then reads the largest resident size its children reached.
_INSPECT_AND_MEASURE = """
import json, resource, sys
from app.commands.inspect_cli import inspect_as_staged
from app.isolation.worker import IsolatedWorker

with IsolatedWorker(timeout_s=120) as worker:
    report = inspect_as_staged(worker, sys.argv[1])
peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"codes": [f.code for f in report.findings], "peak_mb": peak_kb // 1024}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="ru_maxrss of children is POSIX")
def test_a_bomb_is_refused_before_the_worker_grows(bomb: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _INSPECT_AND_MEASURE, str(bomb)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    result = json.loads(child.stdout)
    assert result["codes"] == ["pdf.too_large_unpacked"]
    assert result["peak_mb"] < BOUND_MB, result
