"""The structure tree as a screen reader meets it: the Matterhorn Protocol's machine-
checkable conditions that a listener would hear (PDF/UA-1, ISO 14289-1).

One walk of the tree (bounded by ``max_struct_elements``, depth and role-map chains)
collects everything: the standard role of each element after the RoleMap, headings in
order, figures and formulas without a text alternative, list items outside lists, tables
without header cells, whether every element with content has a language, which
annotations the tree holds, and every text alternative (Alt, ActualText, E) for the
personal-data check of the texts beside the pages (``pdf_places``), so that the tree is
walked once per inspection. Each element's entries are read from qpdf once (pikepdf's
lookups are the walk's cost). The annotations, tab order and form fields are read from the
pages and the form afterwards, each page once. Runs in the inspect worker, within the
document checks that already opened the file with qpdf (``pdf_document.check_document``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pikepdf

from app.inspection.findings import FindingSink
from app.inspection.pdf_objects import each_once, readable
from app.inspection.pdf_objects import get as _get
from app.inspection.pdf_objects import key as _key
from app.inspection.pdf_objects import text as _text
from app.inspection.pdf_tables import Table

#: PDF 1.7's standard structure types (ISO 32000-1, 14.8.4), which PDF/UA-1 requires
#: every element to be, directly or through the RoleMap.
STANDARD_TYPES = frozenset(
    {
        "Document",
        "Part",
        "Art",
        "Sect",
        "Div",
        "BlockQuote",
        "Caption",
        "TOC",
        "TOCI",
        "Index",
        "NonStruct",
        "Private",
        "P",
        "H",
        "H1",
        "H2",
        "H3",
        "H4",
        "H5",
        "H6",
        "L",
        "LI",
        "Lbl",
        "LBody",
        "Table",
        "TR",
        "TH",
        "TD",
        "THead",
        "TBody",
        "TFoot",
        "Span",
        "Quote",
        "Note",
        "Reference",
        "BibEntry",
        "Code",
        "Link",
        "Annot",
        "Ruby",
        "RB",
        "RT",
        "RP",
        "Warichu",
        "WT",
        "WP",
        "Figure",
        "Formula",
        "Form",
    }
)
_HEADING = re.compile(r"H([1-6])")
_MAX_ROLE_CHAIN = 16
_MAX_DEPTH = 256
_MAX_FIELDS = 10_000
_LIST_PARENTS = frozenset({"L"})
#: The keys holding an element's text alternatives (PDF 1.7, 14.9.3 to 14.9.5).
_ALTERNATES = ("/Alt", "/ActualText", "/E")
#: Annotations a screen reader never meets, so PDF/UA asks no tag or description of them.
_UNTAGGED_ANNOTATIONS = frozenset({"/Popup", "/PrinterMark"})
_HIDDEN_FLAG = 2


def _int(value: Any) -> int:
    try:
        return int(value) if isinstance(value, int) else 0
    except (TypeError, ValueError):
        return 0


@dataclass(frozen=True, slots=True)
class _Parent:
    key: object
    role: str
    described: bool


@dataclass
class StructureFacts:
    """What the walk found, before it becomes findings."""

    tagged: bool = False
    #: Roles neither standard nor mapped to a standard one, with a page they are on.
    unmapped: dict[str, int | None] = field(default_factory=dict)
    #: Text alternatives (Alt, ActualText, an annotation's Contents) without a language,
    #: on their element or above it.
    without_language: int = 0
    #: Whether any element states a language (the tests' corpus sets it on elements).
    any_language: bool = False
    #: Annotations (their object ids) the tree refers to with an OBJR: the standard role
    #: of the element holding each, and whether that element describes it (``Alt``).
    tagged_annotations: dict[object, tuple[str, bool]] = field(default_factory=dict)
    #: Every element's text alternatives (Alt, ActualText, E) with their page, read in
    #: this walk for the personal-data check of the texts beside the pages.
    alternate_texts: list[tuple[int | None, str]] = field(default_factory=list)


class StructureWalk:
    """One walk of the structure tree; ``findings`` then reads pages and the form."""

    def __init__(self, pdf: pikepdf.Pdf, sink: FindingSink, pages: dict[Any, int]) -> None:
        self.pdf = pdf
        self.sink = sink
        self.pages = pages  # page objgen -> 1-based number
        self.facts = StructureFacts()
        self._role_map: Any = None
        self._figures: dict[tuple[str, int | None], int] = {}
        self._tables: list[Table] = []
        self._previous_heading = 0
        self._numbered = False
        #: Unnumbered headings (``H``): the element holding each, and its page.
        self._unnumbered: list[tuple[object, int | None]] = []

    # -- the tree ---------------------------------------------------------------------

    def walk(self, tree: Any, document_language: bool) -> StructureFacts:
        facts = self.facts
        if not isinstance(tree, pikepdf.Dictionary):
            return facts
        self._role_map = _get(tree, "/RoleMap")
        budget = self.sink.policy.limits.max_struct_elements
        pages = self.pages
        alternates = facts.alternate_texts
        # (node, page, parent element, language above, nearest table, depth)
        pending: list[tuple[Any, int | None, _Parent, bool, Table | None, int]] = [
            (_get(tree, "/K"), None, _Parent(0, "", False), document_language, None, 0)
        ]
        seen: set[object] = set()
        while pending and budget > 0:
            node, page, parent, language, table, depth = pending.pop()
            if isinstance(node, pikepdf.Array):
                pending.extend(
                    (child, page, parent, language, table, depth) for child in reversed(list(node))
                )
                continue
            beyond = depth > _MAX_DEPTH  # below the depth checked: only text alternatives
            if isinstance(node, int):
                facts.tagged = facts.tagged or not beyond
                continue
            if not isinstance(node, pikepdf.Dictionary):
                continue
            objgen = node.objgen
            if objgen != (0, 0):
                if objgen in seen:
                    continue
                seen.add(objgen)
            budget -= 1
            # A direct object is in one place only, so it cannot make a loop; it is told
            # apart by the budget left (an id() may be reused once its object is freed).
            node_key: object = objgen if objgen != (0, 0) else budget
            # pikepdf's lookups are slow: each key present is read once, the rest not at all.
            entries = _entries(node)
            page_object = entries.get("/Pg")
            if page_object is not None:
                page = pages.get(getattr(page_object, "objgen", None), page)
            # Every text alternative, for the personal-data check (``pdf_places``).
            for name in _ALTERNATES:
                value = readable(entries.get(name))
                if value:
                    alternates.append((page, value))
            kids = entries.get("/K")
            if beyond:
                if kids is not None:
                    pending.append((kids, page, parent, language, table, depth + 1))
                continue
            kind = entries.get("/Type")
            if kind == "/OBJR":
                target = entries.get("/Obj")
                if target is not None:
                    facts.tagged_annotations[_key(target)] = (parent.role, parent.described)
                    if not language and _text(_get(target, "/Contents")):
                        facts.without_language += 1
                continue
            if kind == "/MCR":
                facts.tagged = True
                continue
            alt, actual = _text(entries.get("/Alt")), _text(entries.get("/ActualText"))
            role = self._element(entries, page, parent.role, alt, actual)
            stated = bool(_text(entries.get("/Lang")))
            language = language or stated
            facts.any_language = facts.any_language or stated
            if role == "H":
                self._unnumbered.append((parent.key, page))
            described = bool(alt or actual)
            if described and not language:
                facts.without_language += 1  # a text alternative read in no known language
            if role == "Table":
                table = Table(page)
                self._tables.append(table)
            elif table is not None and role == "TR":
                table.row()
            elif table is not None and role in ("TH", "TD"):
                table.cell(role, node)
            if kids is not None:
                pending.append(
                    (kids, page, _Parent(node_key, role, described), language, table, depth + 1)
                )
        return facts

    def _element(
        self, entries: dict[str, Any], page: int | None, parent: str, alt: str, actual: str
    ) -> str:
        raw = entries.get("/S")
        role = self.standard_role(raw)
        if role not in STANDARD_TYPES:
            name = str(raw).lstrip("/") if isinstance(raw, pikepdf.Name) else "?"
            self.facts.unmapped.setdefault(name[:40], page)
            return role
        if role in ("Figure", "Formula"):
            # Present ActualText (even empty) is accepted, as veraPDF does (7.3-t01-pass-c).
            if not alt and "/ActualText" not in entries:
                self._figures[(role, page)] = self._figures.get((role, page), 0) + 1
        elif role == "LI" and parent not in _LIST_PARENTS:
            self.sink.add("pdf.list_item_outside_list", page)
        heading = _HEADING.fullmatch(role)
        if heading:
            level = int(heading.group(1))
            if level > self._previous_heading + 1:
                self.sink.add(
                    "pdf.heading_skipped", page, level=level, previous=self._previous_heading
                )
            self._previous_heading = level
            self._numbered = True
        return role

    def standard_role(self, role: Any) -> str:
        return standard_role(role, self._role_map)

    def tree_findings(self) -> None:
        for (role, page), count in self._figures.items():
            code = "pdf.figure_without_alt" if role == "Figure" else "pdf.formula_without_alt"
            self.sink.add(code, page, count=count)
        for table in self._tables:
            problem = table.problem()
            if problem:
                self.sink.add(problem, table.page)
        self._unnumbered_headings()
        for name, page in self.facts.unmapped.items():
            self.sink.add("pdf.role_not_mapped", page, role=name)

    def _unnumbered_headings(self) -> None:
        """``H`` headings get their level from nesting, so one section may hold one, and
        they cannot be mixed with numbered ones (PDF/UA 7.4.4): a listener would hear
        levels that do not match the document's outline."""
        holders: dict[object, int] = {}
        for holder, page in self._unnumbered:
            holders[holder] = holders.get(holder, 0) + 1
            if self._numbered or holders[holder] > 1:
                self.sink.add("pdf.heading_unnumbered", page)

    # -- pages and form -----------------------------------------------------------------

    def annotations(self) -> None:
        """Links and form fields a screen reader cannot name, annotations outside the
        tree (a listener never reaches them) and pages whose tab order is not the
        structure's."""
        tagged = self.facts.tagged
        for number, page in enumerate(self.pdf.pages, start=1):
            annotations = _get(page.obj, "/Annots")
            if not isinstance(annotations, pikepdf.Array):
                continue
            box = _box(_get(page.obj, "/CropBox")) or _box(_get(page.obj, "/MediaBox"))
            shown = [a for a in annotations if _shown(a, box)]
            if not shown:
                continue
            if tagged and _get(page.obj, "/Tabs") != "/S":
                self.sink.add("pdf.tab_order", number)
            for annotation in shown:
                self._annotation(annotation, number, tagged)

    def _annotation(self, annotation: Any, page: int, tagged: bool) -> None:
        subtype = _get(annotation, "/Subtype")
        holder = self.facts.tagged_annotations.get(_key(annotation))
        if tagged and (holder is None or (subtype == "/Link" and holder[0] != "Link")):
            # Outside the tree, or a link not in a Link element: not where it is read.
            self.sink.add("pdf.annotation_not_tagged", page)
        if subtype == "/Widget":
            return  # named by its field's TU (fields())
        described = bool(_text(_get(annotation, "/Contents"))) or bool(holder and holder[1])
        if not described:
            code = (
                "pdf.link_without_description"
                if subtype == "/Link"
                else ("pdf.annotation_without_description")
            )
            self.sink.add(code, page)

    def fields(self) -> None:
        """Form fields without a name a screen reader says (``TU``)."""
        fields = _get(_get(self.pdf.Root, "/AcroForm"), "/Fields")
        pending = list(fields) if isinstance(fields, pikepdf.Array) else []
        unnamed = 0
        for item in each_once(pending, _MAX_FIELDS):
            kids = _get(item, "/Kids")
            children = (
                [k for k in kids if _get(k, "/T") is not None]
                if isinstance(kids, pikepdf.Array)
                else []
            )
            if children:
                pending.extend(children)
            elif not _text(_get(item, "/TU")) and not self._widgets_described(item, kids):
                unnamed += 1
        if unnamed:
            self.sink.add("pdf.field_without_name", count=unnamed)

    def _widgets_described(self, field: Any, kids: Any) -> bool:
        """Whether the field's widgets are hidden or described by the element that
        holds them (``Alt``, which PDF/UA accepts instead of ``TU``)."""
        widgets = list(kids) if isinstance(kids, pikepdf.Array) else [field]
        for widget in widgets:
            holder = self.facts.tagged_annotations.get(_key(widget))
            if _shown(widget) and not (holder and holder[1]):
                return False
        return True


def _entries(node: pikepdf.Dictionary) -> dict[str, Any]:
    """The dictionary's entries, each read once (a damaged value reads as missing)."""
    try:
        return dict(node.items())
    except (pikepdf.PdfError, ValueError, TypeError):
        return {}


def _box(value: Any) -> tuple[float, float, float, float] | None:
    try:
        if isinstance(value, pikepdf.Array) and len(value) == 4:
            x0, y0, x1, y1 = (float(v) for v in value)
            return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)
    except (TypeError, ValueError):
        return None
    return None


def standard_role(role: Any, role_map: Any) -> str:
    """``role`` (a structure type) followed through the RoleMap to a standard type
    (bounded: a map may loop); without the slash. Unmapped: the role itself."""
    name = str(role) if isinstance(role, pikepdf.Name) else ""
    for _ in range(_MAX_ROLE_CHAIN):
        if name.lstrip("/") in STANDARD_TYPES:
            break
        mapped = _get(role_map, name) if name else None
        if not isinstance(mapped, pikepdf.Name) or str(mapped) == name:
            break
        name = str(mapped)
    return name.lstrip("/")


def _shown(annotation: Any, page_box: tuple[float, float, float, float] | None = None) -> bool:
    """Whether a reader shows the annotation: not hidden, not a popup or printer's mark,
    with an area, on the page (PDF/UA asks nothing of annotations outside it)."""
    if not isinstance(annotation, pikepdf.Dictionary):
        return False
    if _get(annotation, "/Subtype") in _UNTAGGED_ANNOTATIONS:
        return False
    if _int(_get(annotation, "/F")) & _HIDDEN_FLAG:
        return False
    rect = _box(_get(annotation, "/Rect"))
    if rect is None:
        return True
    if rect[0] == rect[2] or rect[1] == rect[3]:
        return False
    if page_box is None:
        page_box = _box(_get(_get(annotation, "/P"), "/CropBox")) or _box(
            _get(_get(annotation, "/P"), "/MediaBox")
        )
    if page_box is None:
        return True
    return (
        rect[0] < page_box[2]
        and rect[2] > page_box[0]
        and rect[1] < page_box[3]
        and (rect[3] > page_box[1])
    )


def check_structure(pdf: pikepdf.Pdf, sink: FindingSink, pages: dict[Any, int]) -> StructureFacts:
    """Every structure, annotation, form and declaration check that a listener notices;
    the facts for the repairs (``pdf_repair``)."""
    root = pdf.Root
    marked = bool(_get(_get(root, "/MarkInfo"), "/Marked") is True)
    tree = _get(root, "/StructTreeRoot")
    language = bool(_text(_get(root, "/Lang")))
    walk = StructureWalk(pdf, sink, pages)
    facts = walk.walk(tree, language)
    if not facts.tagged:
        sink.add("pdf.untagged")
    elif not marked:
        sink.add("pdf.not_marked")
    # Without a document language, each element may state its own: content in one that
    # does not may still get one in the page's marked content, which is not read here,
    # but a text alternative has no other place to get it from.
    if not language and (not facts.any_language or facts.without_language):
        sink.add("pdf.no_language")
    walk.tree_findings()
    walk.annotations()
    walk.fields()
    return facts
