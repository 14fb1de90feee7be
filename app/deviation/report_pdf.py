"""The report as a tagged, accessible PDF (PDF/UA's main requirements).

What makes it accessible, and what Bifoga's own inspection checks for: every line of
text is marked content (an MCID) owned by a structure element (``H1``, ``H2``, ``P``,
``Table``/``TR``/``TH``/``TD``, ``L``/``LI``/``Lbl``/``LBody``) in reading order, with a
parent tree back from each page; ``/MarkInfo /Marked true``; the document language
(``/Lang``); a title in the Info dictionary and XMP, shown by the viewer
(``DisplayDocTitle``); an embedded font with a ToUnicode map (``pdf_font.py``). The
text is the composed document's (``document.py``), so it holds masked identifiers only.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pikepdf

from app.config.settings import Contact
from app.config.texts import message
from app.deviation.document import (
    Heading,
    ItemList,
    Paragraph,
    ReportDocument,
    Table,
    compose,
)
from app.deviation.pdf_font import SubsetFont, drawable
from app.deviation.report import DeviationReport

PAGE_WIDTH, PAGE_HEIGHT = 595.0, 842.0  # A4 in points
MARGIN = 56.0
BODY_SIZE = 10.0
HEADING_SIZES = {1: 18.0, 2: 13.0}
LEADING = 1.4  # line height as a multiple of the font size
LABEL_COLUMN = 150.0
COLUMN_GAP = 12.0
BULLET_INDENT = 14.0
BULLET = "•"
FONT_RESOURCE_NAME = "/F1"
FOOTER_SIZE = 8.0


@dataclass(slots=True)
class _Element:
    role: str
    kids: list[_Element | tuple[int, int]] = field(default_factory=list)  # (page, mcid)
    attributes: pikepdf.Dictionary | None = None


@dataclass(slots=True)
class _Page:
    operations: list[bytes] = field(default_factory=list)
    #: The element that owns each MCID, in MCID order (the parent tree's entry).
    owners: list[_Element] = field(default_factory=list)


class _Layout:
    """Places lines top to bottom over as many pages as needed."""

    def __init__(self, font: SubsetFont) -> None:
        self.font = font
        self.pages: list[_Page] = []
        self.y = 0.0
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append(_Page())
        self.y = PAGE_HEIGHT - MARGIN

    def make_room(self, height: float) -> None:
        """A new page unless ``height`` fits on this one; a fresh page is used as it is,
        even by something taller than a page (its lines then run on)."""
        if self.y - height < MARGIN and self.y < PAGE_HEIGHT - MARGIN:
            self._new_page()

    def wrap(self, text: str, size: float, width: float) -> list[str]:
        """Lines of at most ``width``: broken at spaces, a word too long at any letter."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.font.width(candidate, size) <= width:
                    line = candidate
                    continue
                if line:
                    lines.append(line)
                line = word
                while self.font.width(line, size) > width and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and self.font.width(line[:cut], size) > width:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        return lines

    def draw(self, owner: _Element, text: str, x: float, y: float, size: float) -> None:
        """One line of text at baseline ``y``, as marked content owned by ``owner``."""
        page = self.pages[-1]
        mcid = len(page.owners)
        page.owners.append(owner)
        owner.kids.append((len(self.pages) - 1, mcid))
        role = owner.role.encode("ascii")
        page.operations.append(
            b"/%s <</MCID %d>> BDC BT %s %s Tf %.2f %.2f Td %s Tj ET EMC"
            % (
                role,
                mcid,
                FONT_RESOURCE_NAME.encode("ascii"),
                _number(size),
                x,
                y,
                self.font.encode(text),
            )
        )

    def lines(self, owner: _Element, lines: Sequence[str], x: float, size: float) -> None:
        height = size * LEADING
        for line in lines:
            self.make_room(height)
            self.y -= height
            self.draw(owner, line, x, _baseline(self.y + height, size), size)


def _baseline(top: float, size: float) -> float:
    """The baseline of a line whose box starts at ``top``: the text centred in its leading."""
    height = size * LEADING
    return top - height + (height - size) / 2 + size * 0.2


def _number(value: float) -> bytes:
    return (b"%.2f" % value).rstrip(b"0").rstrip(b".")


def _lay_out(document: ReportDocument, font: SubsetFont) -> tuple[_Element, list[_Page]]:
    layout = _Layout(font)
    root = _Element("Document")
    width = PAGE_WIDTH - 2 * MARGIN
    for block in document.blocks:
        if isinstance(block, Heading):
            size = HEADING_SIZES.get(block.level, BODY_SIZE)
            element = _Element(f"H{block.level}")
            root.kids.append(element)
            layout.y -= size * 0.6  # space above a heading
            layout.make_room(size * LEADING * 2)  # never the last line of a page
            layout.lines(element, layout.wrap(drawable(block.text), size, width), MARGIN, size)
        elif isinstance(block, Paragraph):
            element = _Element("P")
            root.kids.append(element)
            lines = layout.wrap(drawable(block.text), BODY_SIZE, width)
            layout.lines(element, lines, MARGIN, BODY_SIZE)
            layout.y -= BODY_SIZE * 0.4
        elif isinstance(block, Table):
            root.kids.append(_table(layout, block, width))
        elif isinstance(block, ItemList):
            root.kids.append(_item_list(layout, block, width))
    return root, layout.pages


def _table(layout: _Layout, table: Table, width: float) -> _Element:
    element = _Element("Table")
    value_x = MARGIN + LABEL_COLUMN + COLUMN_GAP
    value_width = width - LABEL_COLUMN - COLUMN_GAP
    row_scope = pikepdf.Dictionary(O=pikepdf.Name.Table, Scope=pikepdf.Name.Row)
    height = BODY_SIZE * LEADING
    for label, value in table.rows:
        row = _Element("TR")
        header = _Element("TH", attributes=row_scope)
        cell = _Element("TD")
        row.kids += [header, cell]
        element.kids.append(row)
        label_lines = layout.wrap(drawable(label), BODY_SIZE, LABEL_COLUMN)
        value_lines = layout.wrap(drawable(value), BODY_SIZE, value_width) or [""]
        layout.make_room(height * max(len(label_lines), len(value_lines)))
        top, page = layout.y, len(layout.pages)
        layout.lines(header, label_lines, MARGIN, BODY_SIZE)
        below_label = layout.y
        layout.y = top
        layout.lines(cell, value_lines, value_x, BODY_SIZE)
        if len(layout.pages) == page:  # a value longer than a page went on to the next
            layout.y = min(layout.y, below_label)
        layout.y -= BODY_SIZE * 0.25
    layout.y -= BODY_SIZE * 0.4
    return element


def _item_list(layout: _Layout, items: ItemList, width: float) -> _Element:
    bullets = pikepdf.Dictionary(O=pikepdf.Name.List, ListNumbering=pikepdf.Name.Disc)
    element = _Element("L", attributes=bullets)
    height = BODY_SIZE * LEADING
    for item in items.items:
        entry = _Element("LI")
        label = _Element("Lbl")
        body = _Element("LBody")
        entry.kids += [label, body]
        element.kids.append(entry)
        lines = layout.wrap(drawable(item), BODY_SIZE, width - BULLET_INDENT)
        layout.make_room(height)  # the bullet and the first line stay on one page
        layout.draw(label, BULLET, MARGIN, _baseline(layout.y, BODY_SIZE), BODY_SIZE)
        layout.lines(body, lines, MARGIN + BULLET_INDENT, BODY_SIZE)
        layout.y -= BODY_SIZE * 0.3
    layout.y -= BODY_SIZE * 0.3
    return element


def _footer(document: ReportDocument, page: int, pages: int) -> str:
    return message(
        "deviation.page_footer",
        document.lang,
        {"title": document.title, "page": page, "pages": pages},
    )


def _draw_footer(font: SubsetFont, text: str) -> bytes:
    """The page's number as an artifact: a screen reader skips it, the printout has it."""
    artifact = b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
    return b"%s BT %s %s Tf %.2f %.2f Td %s Tj ET EMC" % (
        artifact,
        FONT_RESOURCE_NAME.encode("ascii"),
        _number(FOOTER_SIZE),
        MARGIN,
        MARGIN / 2,
        font.encode(drawable(text)),
    )


def _all_text(document: ReportDocument) -> Iterator[str]:
    yield BULLET
    yield _footer(document, 0, 0) + "0123456789"  # every page's footer, whatever its digits
    for block in document.blocks:
        if isinstance(block, Heading | Paragraph):
            yield block.text
        elif isinstance(block, Table):
            for label, value in block.rows:
                yield label
                yield value
        elif isinstance(block, ItemList):
            yield from block.items


def _structure(
    pdf: pikepdf.Pdf, root: _Element, pages: list[pikepdf.Page], owners: list[list[_Element]]
) -> pikepdf.Dictionary:
    tree = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    made: dict[int, pikepdf.Dictionary] = {}

    def make(element: _Element, parent: pikepdf.Object) -> pikepdf.Dictionary:
        node = pdf.make_indirect(
            pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + element.role), P=parent
            )
        )
        if element.attributes is not None:
            node.A = element.attributes
        made[id(element)] = node
        kids = pikepdf.Array()
        for kid in element.kids:
            if isinstance(kid, _Element):
                kids.append(make(kid, node))
            else:
                page_index, mcid = kid
                kids.append(
                    pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=pages[page_index].obj, MCID=mcid)
                )
        node.K = kids
        return node

    tree.K = make(root, tree)
    numbers = pikepdf.Array()
    for index, page_owners in enumerate(owners):
        numbers.append(index)
        numbers.append(pikepdf.Array([made[id(owner)] for owner in page_owners]))
    tree.ParentTree = pdf.make_indirect(pikepdf.Dictionary(Nums=numbers))
    tree.ParentTreeNextKey = len(owners)
    return tree


def render_pdf(document: ReportDocument) -> bytes:
    """The document as a tagged PDF (bytes), the same bytes for the same document."""
    font = SubsetFont.for_text(_all_text(document))
    root, laid_out = _lay_out(document, font)
    pdf = pikepdf.new()
    font_object = font.to_pdf(pdf)
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary({FONT_RESOURCE_NAME: font_object}))
    for index, page in enumerate(laid_out):
        pdf.add_blank_page(page_size=(PAGE_WIDTH, PAGE_HEIGHT))
        added = pdf.pages[-1]
        added.obj.Resources = resources
        footer = _draw_footer(font, _footer(document, index + 1, len(laid_out)))
        added.obj.Contents = pdf.make_stream(b"\n".join([*page.operations, footer]))
        added.obj.StructParents = index
        added.obj.Tabs = pikepdf.Name.S
    catalog = pdf.Root
    catalog.StructTreeRoot = _structure(pdf, root, list(pdf.pages), [p.owners for p in laid_out])
    catalog.MarkInfo = pikepdf.Dictionary(Marked=True)
    catalog.Lang = pikepdf.String(document.language_tag)
    catalog.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    pdf.docinfo[pikepdf.Name.Title] = pikepdf.String(document.title)
    # No producer or other properties: the copy a resident is sent keeps only the title
    # (app/inspection/pdf_strip.py), and so does this report.
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:title"] = document.title
        meta["dc:language"] = [document.language_tag]
        # Tagged, titled, in its language, fonts embedded and mapped: it is PDF/UA-1, and
        # Bifoga's own inspection checks it is (tests/unit/test_deviation_pdf.py).
        meta["pdfuaid:part"] = "1"
    out = io.BytesIO()
    # Tagged PDF and Type 0 fonts with ToUnicode need PDF 1.4 at least; 1.7 is ISO 32000-1.
    pdf.save(out, deterministic_id=True, compress_streams=True, min_version="1.7")
    return out.getvalue()


def report_pdf(
    report: DeviationReport,
    *,
    contacts: Sequence[Contact],
    portal_url: str,
    now: dt.datetime,
    lang: str,
) -> bytes:
    """The report in ``lang`` as a tagged, accessible PDF, as made at ``now``."""
    document = compose(report, contacts=contacts, portal_url=portal_url, now=now, lang=lang)
    return render_pdf(document)
