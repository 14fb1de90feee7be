"""Benchmark ``ocr_screenshot``: a 1920×1080 screenshot of a journal-like page, inspected as
the window inspects a picture (the isolated worker: decoding, the image checks, OCR and
the personal-data check), on one core (the worker and the Tesseract it starts are pinned
to one CPU where the OS allows). Target: two seconds (issue 19). Side by side with the
bare ``tesseract`` command on the same file, one thread, as the baseline: the ratio is
what Bifoga adds around the engine (decoding, straightening, the checks).

    python -m tests.benchmarks.bench_ocr
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.common import BenchContext, line

ROUNDS = 5
TARGET = "value<=2"


def _time(action: Any) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def screenshot(path: Path) -> Path:
    from app.inspection import samples

    image, _labels = samples.screenshot(random.Random(19), (1920, 1080), "DejaVuSans", 14)
    image.save(path)
    return path


def _one_core(pid: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(pid, {cpu})


def run(ctx: BenchContext) -> list[str]:
    from app.inspection.isolated import inspect_isolated
    from app.isolation.worker import IsolatedWorker

    workdir = Path(ctx.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    picture = screenshot(workdir / "journal-1920x1080.png")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RuntimeError("tesseract is not installed (packaging/dev.sh installs it)")
    bare = [tesseract, str(picture), "stdout", "-l", "swe", "--oem", "1", "--psm", "3", "tsv"]
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    with IsolatedWorker(timeout_s=120) as worker:
        _one_core(int(worker.call("ping")))
        warm = inspect_isolated(worker, picture, ["191212121212"], "reply")
        if not any(hit.kind == "personnummer" for hit in warm.hits):
            raise RuntimeError(f"no personnummer read in the screenshot: {warm.findings}")
        ours: list[float] = []
        theirs: list[float] = []
        for _ in range(ctx.repeat(ROUNDS)):
            ours.append(_time(lambda: inspect_isolated(worker, picture, ["191212121212"])))
            theirs.append(
                _time(
                    lambda: subprocess.run(
                        bare,
                        env=env,
                        capture_output=True,
                        check=True,
                        preexec_fn=lambda: _one_core(0),  # the same one core
                    )
                )
            )
    value, baseline = min(ours), min(theirs)
    return [line("ocr_screenshot", value, "s", baseline, value / baseline, TARGET)]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bifoga-bench-") as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
