"""The benchmark line format of docs/design.md, and what every measure gets."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.storage import storage_key


@dataclass(frozen=True)
class BenchContext:
    workdir: Path
    #: ``--quick``: every benchmark runs the same code paths with fewer repetitions, so
    #: CI notices a benchmark that breaks; its numbers are not to be judged.
    quick: bool = False

    def __post_init__(self) -> None:
        # No benchmark reads or writes the machine's own settings, audit trail, outbox or
        # staging area (as tests/conftest.py keeps the tests out): a sign-in measured on
        # a damaged trail of earlier runs showed its warning box instead of writing the
        # trail's record, and left records in the user's own trail.
        home = self.workdir / "bifoga-home"
        os.environ["BIFOGA_CONFIG_DIR"] = str(home / "config")
        os.environ["BIFOGA_DATA_DIR"] = str(home / "data")
        os.environ["BIFOGA_POLICY_FILE"] = str(home / "no-policy.json")
        # Sealing at rest costs what it costs with a real key; a benchmark machine has no
        # keyring, so a key for this run (each bench_*.py also runs on its own).
        if storage_key.installed() is None:
            storage_key.install(storage_key.for_this_run())

    def repeat(self, full: int, quick: int = 1) -> int:
        """How many repetitions (or pages, turns) a measure takes in this run."""
        return min(full, quick) if self.quick else full


def line(
    name: str,
    value: float,
    unit: str,
    baseline: float | None = None,
    ratio: float | None = None,
    target: str = "-",
) -> str:
    def fmt(x: float | None) -> str:
        return "-" if x is None else f"{x:.4g}"

    return (
        f"BENCH {name} value={fmt(value)} unit={unit} baseline={fmt(baseline)} "
        f"ratio={fmt(ratio)} target={target}"
    )
