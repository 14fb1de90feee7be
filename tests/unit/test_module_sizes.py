"""Small modules by responsibility: no file of the window over 500 lines, none of the core
or the sandbox over 600 (issue 22). A file that grows past it has two jobs; split it by
responsibility rather than raise the number."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMITS = {"ui": 500, "app": 600, "sandbox": 600}


def too_long(folder: Path, limit: int) -> list[str]:
    return [
        f"{path.relative_to(folder.parent)}: {count} lines"
        for path in sorted(folder.rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > limit
    ]


@pytest.mark.parametrize(("package", "limit"), LIMITS.items())
def test_no_module_is_over_its_limit(package: str, limit: int) -> None:
    assert too_long(ROOT / package, limit) == []


def test_the_size_check_finds_a_long_module(tmp_path: Path) -> None:
    package = tmp_path / "package"
    (package / "room").mkdir(parents=True)
    (package / "room" / "long.py").write_text("x = 1\n" * 11, encoding="utf-8")
    (package / "short.py").write_text("x = 1\n" * 10, encoding="utf-8")
    assert too_long(package, 10) == ["package/room/long.py: 11 lines"]
