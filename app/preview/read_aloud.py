"""A file as a screen reader takes it, in reading order: the structure tree walked in
document order (pikepdf), each element's marked content turned into text (PDFium's text
objects by marked-content id), headings with their levels, list items, table cells with
their header cells, figures' and formulas' alternative texts, links. An untagged page is
read as PDFium orders its text, which is what a screen reader falls back to.

Runs in the render worker (``app.runtime.worker_ops``: "read_aloud"), on the staged copy, bounded
by element, page and text budgets: the file is untrusted.
"""

from __future__ import annotations

import ctypes
import io
import re
from collections.abc import Iterator
from typing import Any

import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium_c

from app.inspection.pdf_objects import get as _get
from app.inspection.pdf_objects import text as _text
from app.inspection.pdf_structure import standard_role
from app.preview.reading import MAX_TEXT, ReadItem
from app.protocol import filetypes
from app.storage.sealed import read_plain

_MAX_ELEMENTS = 200_000
_MAX_ITEMS = 20_000
_MAX_DEPTH = 128
_MAX_FORM_DEPTH = 6
_HEADING = re.compile(r"H([1-6])")
#: Elements read as one piece of text (their descendants' text joined).
_BLOCKS = {"P", "Caption", "TOCI", "Note", "Code", "BlockQuote", "Quote", "Lbl", "LBody"}
_SPACE = re.compile(r"\s+")


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()[:MAX_TEXT]


class _PageTexts:
    """Marked-content id -> text, per page, read from PDFium once per page."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._pages: dict[int, dict[int, str]] = {}

    def text(self, page: int, mcid: int) -> str:
        if page not in self._pages:
            self._pages[page] = self._read(page)
        return self._pages[page].get(mcid, "")

    def _read(self, index: int) -> dict[int, str]:
        found: dict[int, list[str]] = {}
        if not 0 <= index < len(self._document):
            return {}
        page = self._document[index]
        text_page = page.get_textpage()
        try:
            count = pdfium_c.FPDFPage_CountObjects(page.raw)
            objects = (pdfium_c.FPDFPage_GetObject(page.raw, i) for i in range(count))
            for obj in _flatten(objects, 0):
                mcid = pdfium_c.FPDFPageObj_GetMarkedContentID(obj)
                if mcid >= 0 and pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_TEXT:
                    found.setdefault(mcid, []).append(_object_text(obj, text_page.raw))
        finally:
            text_page.close()
            page.close()
        return {mcid: " ".join(parts) for mcid, parts in found.items()}


def _flatten(objects: Iterator[Any], depth: int) -> Iterator[Any]:
    for obj in objects:
        if pdfium_c.FPDFPageObj_GetType(obj) == pdfium_c.FPDF_PAGEOBJ_FORM:
            if depth < _MAX_FORM_DEPTH:
                count = pdfium_c.FPDFFormObj_CountObjects(obj)
                inner = (pdfium_c.FPDFFormObj_GetObject(obj, i) for i in range(count))
                yield from _flatten(inner, depth + 1)
        else:
            yield obj


def _object_text(obj: Any, text_page: Any) -> str:
    size = pdfium_c.FPDFTextObj_GetText(obj, text_page, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    pdfium_c.FPDFTextObj_GetText(
        obj, text_page, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size
    )
    return buffer.raw[: size - 2].decode("utf-16-le", errors="replace")


class _Reader:
    def __init__(self, pdf: pikepdf.Pdf, texts: _PageTexts) -> None:
        self.pdf = pdf
        self.texts = texts
        self.items: list[ReadItem] = []
        self.pages = {page.obj.objgen: number for number, page in enumerate(pdf.pages)}
        tree = _get(pdf.Root, "/StructTreeRoot")
        self.role_map = _get(tree, "/RoleMap")
        self.budget = _MAX_ELEMENTS
        self.seen: set[object] = set()

    def _page_of(self, node: Any, page: int) -> int:
        objgen = getattr(_get(node, "/Pg"), "objgen", None)
        found = self.pages.get(objgen) if isinstance(objgen, tuple) else None
        return page if found is None else found

    def _add(self, page: int, kind: str, text: str, level: int = 0, header: str = "") -> None:
        text = _clean(text)
        # Nothing is said of an empty paragraph; a figure without alternative text is.
        if (text or kind == "figure") and len(self.items) < _MAX_ITEMS:
            self.items.append(ReadItem(page, kind, text, level, _clean(header)))

    def _elements(self, kids: Any) -> Iterator[Any]:
        values = list(kids) if isinstance(kids, pikepdf.Array) else [kids]
        for value in values:
            if isinstance(value, pikepdf.Dictionary) and _get(value, "/S") is not None:
                key = value.objgen if value.objgen != (0, 0) else id(value)
                if key not in self.seen and self.budget > 0:
                    self.seen.add(key)
                    self.budget -= 1
                    yield value

    def text_of(self, node: Any, page: int, depth: int = 0) -> str:
        """The text a screen reader reads for ``node``: its ActualText, else its content."""
        actual = _get(node, "/ActualText")
        if actual is not None:
            return _text(actual)
        page = self._page_of(node, page)
        parts: list[str] = []
        kids = _get(node, "/K")
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, int):
                parts.append(self.texts.text(page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary) and _get(kid, "/Type") == "/MCR":
                mcid = _get(kid, "/MCID")
                if isinstance(mcid, int):
                    parts.append(self.texts.text(self._page_of(kid, page), int(mcid)))
            elif (
                isinstance(kid, pikepdf.Dictionary)
                and _get(kid, "/S") is not None
                and depth < _MAX_DEPTH
                and self.budget > 0
            ):
                self.budget -= 1
                parts.append(self._inline(kid, page, depth + 1))
        return " ".join(part for part in parts if part)

    def _inline(self, node: Any, page: int, depth: int) -> str:
        role = standard_role(_get(node, "/S"), self.role_map)
        if role in ("Figure", "Formula"):
            return _text(_get(node, "/Alt")) or _text(_get(node, "/ActualText"))
        return self.text_of(node, page, depth)

    def element(self, node: Any, page: int, depth: int) -> None:
        page = self._page_of(node, page)
        role = standard_role(_get(node, "/S"), self.role_map)
        heading = _HEADING.fullmatch(role)
        if heading or role == "H":
            self._add(
                page, "heading", self.text_of(node, page), int(heading.group(1)) if heading else 0
            )
        elif role in ("Figure", "Formula"):
            alternative = _text(_get(node, "/Alt")) or _text(_get(node, "/ActualText"))
            self._add(page, role.lower(), alternative)
        elif role == "LI":
            self._add(page, "list_item", self.text_of(node, page))
        elif role == "Link":
            self._add(page, "link", self.text_of(node, page) or self._link_contents(node))
        elif role == "Table":
            self._table(node, page, depth)
        elif role in _BLOCKS:
            self._add(page, "paragraph", self.text_of(node, page))
        elif depth < _MAX_DEPTH:
            for child in self._elements(_get(node, "/K")):
                self.element(child, page, depth + 1)

    def _link_contents(self, node: Any) -> str:
        kids = _get(node, "/K")
        for kid in list(kids) if isinstance(kids, pikepdf.Array) else [kids]:
            if _get(kid, "/Type") == "/OBJR":
                return _text(_get(_get(kid, "/Obj"), "/Contents"))
        return ""

    def _rows(self, node: Any, depth: int) -> Iterator[Any]:
        for child in self._elements(_get(node, "/K")):
            role = standard_role(_get(child, "/S"), self.role_map)
            if role == "TR":
                yield child
            elif role in ("THead", "TBody", "TFoot") and depth < _MAX_DEPTH:
                yield from self._rows(child, depth + 1)

    def _table(self, node: Any, page: int, depth: int) -> None:
        """Cells row by row, each data cell with its column's header and its row's."""
        columns: list[str] = []
        for row in self._rows(node, depth):
            row_page = self._page_of(row, page)
            cells = [
                (standard_role(_get(cell, "/S"), self.role_map), cell)
                for cell in self._elements(_get(row, "/K"))
            ]
            texts = [_clean(self.text_of(cell, row_page)) for _role, cell in cells]
            if cells and all(role == "TH" for role, _cell in cells) and not columns:
                columns = texts
                for text in texts:
                    self._add(row_page, "header_cell", text)
                continue
            row_header = texts[0] if cells and cells[0][0] == "TH" else ""
            for index, ((role, _cell), text) in enumerate(zip(cells, texts, strict=True)):
                if role == "TH":
                    self._add(row_page, "header_cell", text)
                    continue
                column = columns[index] if index < len(columns) else ""
                header = ", ".join(part for part in (row_header, column) if part)
                self._add(row_page, "cell", text, header=header)


def _untagged(document: Any) -> list[ReadItem]:
    items: list[ReadItem] = []
    for index in range(len(document)):
        page = document[index]
        text_page = page.get_textpage()
        try:
            text = text_page.get_text_range()
        finally:
            text_page.close()
            page.close()
        for line in re.split(r"(?:\r?\n\s*){2,}", text):
            if _clean(line) and len(items) < _MAX_ITEMS:
                items.append(ReadItem(index, "untagged", _clean(line)))
    return items


def read_aloud(path: str) -> tuple[ReadItem, ...]:
    """The file at ``path`` in reading order; empty for images (their alternative text is
    written in the window) and for what cannot be read."""
    data = read_plain(path)
    if filetypes.sniff(data[: filetypes.SNIFF_BYTES]) != filetypes.PDF:
        return ()
    document = pypdfium2.PdfDocument(data)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            tree = _get(pdf.Root, "/StructTreeRoot")
            if _get(tree, "/K") is None:
                return tuple(_untagged(document))
            reader = _Reader(pdf, _PageTexts(document))
            for element in reader._elements(_get(tree, "/K")):
                reader.element(element, 0, 0)
            return tuple(reader.items)
    finally:
        document.close()
