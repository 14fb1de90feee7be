"""What a screen reader will say of a file, in reading order: the answer of the render
worker's ``read_aloud`` job (``app.preview.read_aloud``), checked here before anyone uses it
(the worker parsed an untrusted file). No PDFium and no Qt: the window imports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

#: What a piece is, as a screen reader announces it.
KINDS = frozenset(
    {
        "heading",  # level 1-6 (0: a heading without level)
        "paragraph",
        "list_item",
        "header_cell",
        "cell",  # header: the cell's header cells, as read with it
        "figure",  # text: the alternative text, empty when there is none
        "formula",
        "link",
        "untagged",  # text of an untagged page, in the order it is drawn
    }
)
MAX_TEXT = 4000


class ReadItem(NamedTuple):
    page: int  # 0-based, the page the piece starts on
    kind: str
    text: str
    level: int = 0
    header: str = ""


def checked(answer: object) -> tuple[ReadItem, ...]:
    """``answer`` as read-aloud pieces; raises ``ValueError`` for anything else."""
    if not isinstance(answer, tuple):
        raise ValueError("not a tuple")
    items: list[ReadItem] = []
    for item in answer:
        if not isinstance(item, ReadItem) or item.kind not in KINDS:
            raise ValueError("not a read-aloud piece")
        if not (isinstance(item.page, int) and isinstance(item.level, int) and item.page >= 0):
            raise ValueError("bad page or level")
        if not (isinstance(item.text, str) and isinstance(item.header, str)):
            raise ValueError("bad text")
        items.append(item._replace(text=item.text[:MAX_TEXT], header=item.header[:MAX_TEXT]))
    return tuple(items)


def on_page(items: Sequence[ReadItem], page: int) -> list[ReadItem]:
    return [item for item in items if item.page == page]
