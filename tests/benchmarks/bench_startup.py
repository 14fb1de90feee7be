"""``startup``: from process start to the first window shown, Bifoga against a bare
PySide6 window, each the median of a few runs, alternated so both see the same noise."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.common import BenchContext, line

ROOT = Path(__file__).resolve().parents[2]
RUNS = 5


def _time_to_window(kind: str) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.startup_probe", kind],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for output in process.stdout:
        if output.strip() == "shown":
            elapsed = time.perf_counter() - started
            break
    else:
        raise RuntimeError(f"{kind} window never shown")
    process.wait(timeout=60)
    return elapsed


def run(ctx: BenchContext) -> list[str]:
    bare, bifoga = [], []
    for _ in range(ctx.repeat(RUNS)):
        bare.append(_time_to_window("bare"))
        bifoga.append(_time_to_window("bifoga"))
    value, baseline = statistics.median(bifoga), statistics.median(bare)
    return [line("startup", value, "s", baseline, value / baseline, "ratio<=3.0")]


if __name__ == "__main__":
    for result in run(BenchContext(Path("."))):
        print(result)
