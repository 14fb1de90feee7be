"""``python -m tests.benchmarks [--quick] [NAME ...]``: every benchmark, one BENCH line per
measure.

Each ``bench_*.py`` module here has ``run(ctx) -> list[str]``. Measures are compared with
their baselines side by side in the same run, because these machines are noisy.
``--quick`` runs every benchmark through the same code paths with fewer repetitions
(``BenchContext.repeat``): CI runs it so that a benchmark that breaks fails the run; its
timings are not judged. The last line counts the benchmarks that ran and that failed.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import tempfile
import traceback
from pathlib import Path

from tests import benchmarks
from tests.benchmarks.common import BenchContext

ORDER = [
    "startup",
    "sign_in",
    "preview",
    "inspection",
    "personal_data",
    "ocr",
    "bulk_send",
    "resume",
]


def _modules() -> list[str]:
    names = [
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    ]
    return sorted(names, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    wanted = [name for name in argv if name != "--quick"] or _modules()
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bifoga-bench-") as folder:
        ctx = BenchContext(Path(folder), quick=quick)
        for name in wanted:
            try:
                module = importlib.import_module(f"tests.benchmarks.bench_{name}")
                for result in module.run(ctx):
                    print(result, flush=True)
            except Exception:
                failed += 1
                print(f"BENCH {name} failed", flush=True)
                traceback.print_exc()
    print(f"benchmarks: {len(wanted) - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
