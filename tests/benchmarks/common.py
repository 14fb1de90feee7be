"""The benchmark line format of DESIGN.md, and what every measure gets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BenchContext:
    workdir: Path


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
