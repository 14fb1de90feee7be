"""Tables as a screen reader reads them: each data cell is announced with its header
cells, which it finds from ``TH`` cells and their ``Scope``, or from a cell's ``Headers``
naming header cells by ``ID`` (PDF/UA-1 7.5, Matterhorn 15). Fed by the structure walk
(``pdf_structure``), one cell at a time, in document order."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pikepdf

_SCOPES = frozenset({"/Row", "/Column", "/Both"})


def _attributes(node: Any) -> list[Any]:
    try:
        value = node.get("/A")
    except (pikepdf.PdfError, ValueError, TypeError):
        return []
    items = list(value) if isinstance(value, pikepdf.Array) else [value]
    return [item for item in items if isinstance(item, pikepdf.Dictionary)]


def _attribute(node: Any, key: str) -> Any:
    for item in _attributes(node):
        if key in item:
            return item.get(key)
    return None


@dataclass
class Table:
    page: int | None
    rows: int = 0
    #: Rows holding header cells without a Scope.
    unscoped_rows: set[int] = field(default_factory=set)
    headers: int = 0
    data_cells: int = 0
    cells_naming_headers: int = 0

    def row(self) -> None:
        self.rows += 1

    def cell(self, role: str, node: Any) -> None:
        names = _attribute(node, "/Headers")
        if role == "TH":
            self.headers += 1
            if _attribute(node, "/Scope") not in _SCOPES:
                self.unscoped_rows.add(self.rows)
        else:
            self.data_cells += 1
            self.cells_naming_headers += names is not None

    def problem(self) -> str | None:
        """The finding this table deserves, if any."""
        if self.headers == 0 and self.cells_naming_headers == 0:
            return "pdf.table_without_headers"
        # Header cells without Scope both in the first row and further down (row and
        # column headers): which one a data cell belongs to is a guess.
        if len(self.unscoped_rows) > 1 and self.cells_naming_headers < self.data_cells:
            return "pdf.table_headers_unclear"
        return None
