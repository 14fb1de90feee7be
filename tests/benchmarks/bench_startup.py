"""``startup``: from process start to the first window shown, Bifoga against a bare
PySide6 window, each the median of a few runs, alternated so both see the same noise.

Each is timed to the end of the window's first paint. ``startup`` is the clinician's
start: the sign-in window on a configured gateway. Two more lines without a target say
what comes around it: ``startup_ready``, until that window can sign in (its services,
opened once it is painted, are open), and ``startup_sandbox``, ``bifoga --sandbox`` (the
demo and the developer's run).

Both are timed as installed programs start: with their bytecode compiled (pip and
PyInstaller compile it at install), written to a cache folder of this run by one round
that is not measured, even where ``PYTHONDONTWRITEBYTECODE`` is set.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tests.benchmarks.common import BenchContext, line

ROOT = Path(__file__).resolve().parents[2]
RUNS = 9


def _time_to_window(kind: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.benchmarks.startup_probe", kind],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(ctx.workdir / "startup-bytecode")
    times: dict[str, list[float]] = {"bare": [], "bifoga": [], "ready": [], "sandbox": []}
    for kind in times:  # compiles and caches the bytecode, as an install does
        _time_to_window(kind, env)
    for _ in range(ctx.repeat(RUNS)):
        for kind, measured in times.items():
            measured.append(_time_to_window(kind, env))
    baseline = statistics.median(times["bare"])
    bifoga, ready, sandbox = (statistics.median(times[k]) for k in ("bifoga", "ready", "sandbox"))
    return [
        line("startup", bifoga, "s", baseline, bifoga / baseline, "ratio<=1.5"),
        line("startup_ready", ready, "s", baseline, ready / baseline),
        line("startup_sandbox", sandbox, "s", baseline, sandbox / baseline),
    ]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bifoga-bench-") as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
