"""Docs that stay true: docs/design.md's layout names only what is in the tree, and no
doc names a file path that is not there (a moved test, a renamed module)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: A path the docs name in full: from one of the repository's top folders.
_PATH = re.compile(
    r"(?<![\w./-])((?:app|ui|sandbox|tests|resources|packaging|docs)/[\w./-]+"
    r"\.(?:py|md|json|sh|toml|spec))"
)


def layout_names(text: str) -> list[str]:
    """The paths the layout block of docs/design.md names: the names before a line's
    description (two spaces or more), an indented name inside the folder above it."""
    block = text.split("## Layout", 1)[1].split("```", 2)[1]
    names: list[str] = []
    folder = ""
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if indent >= 8:  # a description's second line
            continue
        head = re.split(r" {2,}", line.strip(), maxsplit=1)[0]
        for name in head.split(", "):
            path = name if indent == 0 else folder + name
            names.append(path)
        if indent == 0:
            folder = head
    return names


def test_the_layout_in_design_md_is_the_tree() -> None:
    names = layout_names((ROOT / "docs" / "design.md").read_text(encoding="utf-8"))
    assert "app/isolation/worker.py" in names and "ui/dialogs/settings.py" in names
    missing = [name for name in names if not (ROOT / name).exists()]
    assert missing == []


def test_the_layout_check_catches_a_name_that_is_gone() -> None:
    layout = "## Layout\n```\napp/  core\n  protocol/model.py  words\n  gone.py  moved away\n```\n"
    names = layout_names(layout)
    assert names == ["app/", "app/protocol/model.py", "app/gone.py"]
    assert [n for n in names if not (ROOT / n).exists()] == ["app/gone.py"]


def test_no_doc_names_a_path_that_is_not_there() -> None:
    docs = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    missing = [
        f"{doc.name}: {path}"
        for doc in docs
        for path in _PATH.findall(doc.read_text(encoding="utf-8"))
        if not (ROOT / path).exists()
    ]
    assert missing == []
