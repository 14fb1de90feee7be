"""Every text a PDF carries beside its pages, for the personal-data and other-resident
checks (issue 19): a Word export titled "Provsvar Karin Berg 19680102-9288", a sticky
note, a hidden form field, a bookmark, a link's address, an alternate text, the name of
an attached file. The page text is read by PDFium (``pdf_pages``); these are read from
the object structure with qpdf.

Every walk is bounded (objects, depth, characters): the file is hostile until proven
otherwise. ``texts_beside_pages`` only reads; what is removed from the sent copy is
``pdf_strip``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import unquote

import pikepdf

# The same bounded reading of dictionaries as the document checks.
from app.inspection.pdf_document import _get, _key
from app.inspection.pdf_objects import MAX_TEXT, readable
from app.inspection.pdf_pages import DetectorLike
from app.inspection.report import OutsideText, PersonalDataHit

#: Where a text sits, in the order the list under the preview shows them.
PLACES = (
    "file_name",
    "title",
    "properties",
    "xmp",
    "comment",
    "form_field",
    "bookmark",
    "link",
    "alt_text",
    "attached_file",
)
#: A journal heading alone ("Provsvar") names what a title or bookmark is about, not whom:
#: the pages it heads are checked as pages.
_HEADING_PLACES = frozenset({"title", "bookmark"})

_MAX_ITEMS = 20_000  # objects looked at per walk
_MAX_LISTED = 200  # texts kept for the list under the preview
_SHOWN_CHARS = 300  # characters of one text kept for the list
_TAG = re.compile(r"<[^>]{0,2000}>")
#: Annotations whose /Contents is a comment; a link's or a widget's is its alternate text.
_NOT_COMMENTS = {"/Link", "/Widget"}


@dataclass(frozen=True, slots=True)
class PlacedText:
    place: str
    page: int | None
    text: str


def _items(value: Any, limit: int = _MAX_ITEMS) -> list[Any]:
    """An array's first ``limit`` items; a single object as one item; nothing for none."""
    if isinstance(value, pikepdf.Array):
        return list(value)[:limit]
    return [] if value is None else [value]


def _walk(
    start: list[Any], following: Callable[[Any], list[Any]], limit: int = _MAX_ITEMS
) -> Iterator[Any]:
    """Dictionaries reached from ``start`` through ``following``, each once, at most
    ``limit``: a hostile file's loops and floods end here."""
    pending = list(start)
    seen: set[object] = set()
    while pending and len(seen) < limit:
        node = pending.pop()
        if not isinstance(node, pikepdf.Dictionary) or _key(node) in seen:
            continue
        seen.add(_key(node))
        yield node
        pending.extend(following(node))


def _markup(text: str) -> str:
    """Rich text (an annotation's /RC) and XMP without their tags."""
    return unescape(_TAG.sub(" ", text[:MAX_TEXT]))


class _Reader:
    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.root = pdf.Root
        self.out: list[PlacedText] = []
        self._pages: dict[object, int] = {}
        for number, page in enumerate(pdf.pages, start=1):
            self._pages[page.obj.objgen] = number

    def add(self, place: str, page: int | None, text: str) -> None:
        text = text.strip()
        if text and len(self.out) < _MAX_ITEMS:
            self.out.append(PlacedText(place, page, text))

    def page_of(self, obj: Any) -> int | None:
        objgen = getattr(obj, "objgen", None)
        return self._pages.get(objgen) if objgen else None

    # -- the document's properties --------------------------------------------------

    def properties(self) -> None:
        info = self.pdf.trailer.get("/Info")
        if isinstance(info, pikepdf.Dictionary):
            for key, value in list(info.items())[:200]:
                self.add("title" if key == "/Title" else "properties", None, readable(value))
        metadata = _get(self.root, "/Metadata")
        if isinstance(metadata, pikepdf.Stream):
            try:
                packet = metadata.read_bytes()[: 4 * MAX_TEXT].decode("utf-8", "replace")
            except (pikepdf.PdfError, ValueError):
                return
            # Tags out, text nodes and attribute values in: whatever a property holds.
            self.add("xmp", None, _markup(re.sub(r'="([^"]{0,2000})"', r" \1 ", packet)))

    # -- annotations, links and actions ---------------------------------------------

    def annotations(self) -> None:
        for number, page in enumerate(self.pdf.pages, start=1):
            annotations = _get(page.obj, "/Annots")
            if not isinstance(annotations, pikepdf.Array):
                continue
            for annotation in list(annotations)[:_MAX_ITEMS]:
                self._annotation(annotation, number)
            self._actions(_get(page.obj, "/AA"), number)
        self._action(_get(self.root, "/OpenAction"), None)
        self._actions(_get(self.root, "/AA"), None)

    def _annotation(self, annotation: Any, page: int) -> None:
        subtype = str(_get(annotation, "/Subtype") or "")
        contents = readable(_get(annotation, "/Contents"))
        if subtype in _NOT_COMMENTS:
            self.add("alt_text", page, contents)
        else:
            self.add("comment", page, contents)
            for key in ("/T", "/Subj"):
                self.add("comment", page, readable(_get(annotation, key)))
            self.add("comment", page, _markup(readable(_get(annotation, "/RC"))))
        popup = _get(annotation, "/Popup")
        if isinstance(popup, pikepdf.Dictionary):
            self.add("comment", page, readable(_get(popup, "/Contents")))
        if subtype == "/FileAttachment":
            self._file_spec(_get(annotation, "/FS"), page)
        self._action(_get(annotation, "/A"), page)
        self._actions(_get(annotation, "/AA"), page)

    def _actions(self, actions: Any, page: int | None) -> None:
        if isinstance(actions, pikepdf.Dictionary):
            for _trigger, action in list(actions.items())[:32]:
                self._action(action, page)

    def _action(self, action: Any, page: int | None) -> None:
        """An action and every one chained after it with ``/Next``."""
        for current in _walk([action], lambda a: _items(_get(a, "/Next"), 64), 64):
            uri = readable(_get(current, "/URI"))
            if uri:
                # An address carries its query percent-encoded: "id%3D19680102%2D9288".
                self.add("link", page, unquote(uri))
            self._file_spec(_get(current, "/F"), page, place="link")

    def _file_spec(self, spec: Any, page: int | None, place: str = "attached_file") -> None:
        if isinstance(spec, pikepdf.String):
            self.add(place, page, readable(spec))
            return
        names = {readable(_get(spec, key)) for key in ("/UF", "/F", "/Unix", "/DOS", "/Mac")}
        for name in sorted(names - {""}):
            self.add(place, page, name)
        self.add(place, page, readable(_get(spec, "/Desc")))

    # -- forms, bookmarks, attached files, structure ---------------------------------

    def fields(self) -> None:
        fields = _items(_get(_get(self.root, "/AcroForm"), "/Fields"))
        for field in _walk(fields, lambda f: _items(_get(f, "/Kids"))):
            page = self.page_of(_get(field, "/P"))
            # Hidden or not (the /F flags): the value travels with the file either way.
            for key in ("/V", "/DV", "/TU"):
                for value in _items(_get(field, key), 64):
                    self.add("form_field", page, readable(value))

    def bookmarks(self) -> None:
        first = _get(_get(self.root, "/Outlines"), "/First")
        for item in _walk([first], lambda i: [_get(i, "/Next"), _get(i, "/First")]):
            self.add("bookmark", None, readable(_get(item, "/Title")))
            self._action(_get(item, "/A"), None)

    def attached_files(self) -> None:
        tree = _get(_get(self.root, "/Names"), "/EmbeddedFiles")
        for node in _walk([tree], lambda n: _items(_get(n, "/Kids"))):
            items = _items(_get(node, "/Names"), 2 * _MAX_ITEMS)
            for index in range(0, len(items) - 1, 2):
                self.add("attached_file", None, readable(items[index]))
                self._file_spec(items[index + 1], None)
        for spec in _items(_get(self.root, "/AF")):
            self._file_spec(spec, None)

    def alternate_texts(self, alternates: Sequence[tuple[int | None, str]]) -> None:
        # Read in the one walk of the structure tree (``pdf_structure``), not again here.
        for page, text in alternates[:_MAX_ITEMS]:
            self.add("alt_text", page, text)


def texts_beside_pages(
    pdf: pikepdf.Pdf, alternates: Sequence[tuple[int | None, str]]
) -> list[PlacedText]:
    """Every text the PDF carries outside its page content, with its place and page;
    ``alternates``: the structure's text alternatives (``StructureFacts.alternate_texts``)."""
    reader = _Reader(pdf)
    reader.properties()
    reader.annotations()
    reader.fields()
    reader.bookmarks()
    reader.attached_files()
    reader.alternate_texts(alternates)
    return reader.out


def find_beside_pages(
    texts: Sequence[PlacedText], detector: DetectorLike
) -> tuple[list[PersonalDataHit], list[OutsideText]]:
    """The personal data in ``texts`` (hits with their place), and the texts holding it,
    for the list under the preview."""
    hits: list[PersonalDataHit] = []
    listed: list[OutsideText] = []
    seen: set[tuple[str, int | None, str]] = set()
    for placed in texts:
        found = [
            PersonalDataHit(
                kind=str(hit.kind),
                page=placed.page,
                masked=str(hit.masked),
                identifier=getattr(hit, "identifier", None),
                place=placed.place,
            )
            for hit in detector.find(placed.text)
            if not (hit.kind == "health" and placed.place in _HEADING_PLACES)
        ]
        hits.extend(found)
        key = (placed.place, placed.page, placed.text)
        # Listed where it holds personal data: a list of every bookmark and link would
        # bury the one that matters, and take the page's room.
        if found and key not in seen:
            seen.add(key)
            if len(listed) < _MAX_LISTED:
                masked = tuple(hit.masked for hit in found)
                shown = placed.text[:_SHOWN_CHARS]
                listed.append(OutsideText(placed.place, placed.page, shown, masked))
    order = {place: index for index, place in enumerate(PLACES)}
    # Texts with personal data first, then by place as the list shows them.
    listed.sort(key=lambda t: (not t.masked, order.get(t.place, len(order)), t.page or 0))
    return hits, listed
