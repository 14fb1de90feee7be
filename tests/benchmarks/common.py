"""The benchmark line format of docs/design.md, and what every measure gets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchContext:
    workdir: Path
    #: ``--quick``: every benchmark runs the same code paths with fewer repetitions, so
    #: CI notices a benchmark that breaks; its numbers are not to be judged.
    quick: bool = False

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
