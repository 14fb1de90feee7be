"""Document-level PDF checks through pikepdf (qpdf): what PDFium cannot see or that is
easier to read from the object structure. Security (encryption, permissions, active
content, embedded files, XFA) and accessibility (tags, structure, language, title,
figures, headings, fonts).

Every walk here is bounded (elements, depth, pages), because the file is hostile
until proven otherwise.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from typing import Any

import pikepdf

from app.inspection.findings import FindingSink
from app.inspection.pdf_objects import get as _get
from app.inspection.pdf_objects import key as _key
from app.inspection.pdf_objects import text as _text
from app.inspection.pdf_structure import StructureFacts, check_structure

_LANGUAGE_TAG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_MAX_ACTION_CHAIN = 64
_MAX_FORM_DEPTH = 6
_MAX_FIELDS = 10_000
_MAX_OUTLINES = 10_000

_ACTIVE_ANNOTATIONS = {"/Movie", "/Sound", "/Screen", "/RichMedia", "/3D"}
#: Actions that run code, start programs, play media or move data out of the document.
_ACTION_CODES = {
    "/JavaScript": "pdf.javascript",
    "/Launch": "pdf.launch_action",
    "/SubmitForm": "pdf.active_content",
    "/ImportData": "pdf.active_content",
    "/Rendition": "pdf.active_content",
    "/RichMediaExecute": "pdf.active_content",
    "/Sound": "pdf.active_content",
    "/Movie": "pdf.active_content",
    "/GoTo3DView": "pdf.active_content",
    "/GoToE": "pdf.embedded_file",
}
#: GoToR (and a Thread with /F) opens another file: on Windows a UNC path there sends
#: the resident's credentials to whoever runs that host.
#: Link schemes a resident's reader opens in a browser or mail program; listed as
#: information so the clinician sees where they lead. Any other scheme (file:, smb:,
#: an application's own) and a path without a scheme reach outside the document.
_WEB_SCHEMES = ("https:", "http:", "mailto:")
_MAX_TARGET = 120
#: CID collections whose character codes have a predefined Unicode mapping.
_KNOWN_COLLECTIONS = {"GB1", "CNS1", "Japan1", "Korea1", "KR"}
_STANDARD_ENCODINGS = {
    "/WinAnsiEncoding",
    "/MacRomanEncoding",
    "/StandardEncoding",
    "/MacExpertEncoding",
    "/PDFDocEncoding",
}
#: Glyph names made up by PDF producers; nothing maps them to letters.
_MADE_UP_GLYPH = re.compile(r"/(?:g|glyph|cid|gid|index|G|c|C|x)?[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*")


def _is_true(value: Any) -> bool:
    try:
        return value is not None and bool(value) is True and not isinstance(value, pikepdf.Name)
    except (TypeError, ValueError):
        return False


class DocumentChecks:
    def __init__(self, pdf: pikepdf.Pdf, sink: FindingSink) -> None:
        self.pdf = pdf
        self.sink = sink
        self.root = pdf.Root
        self.limits = sink.policy.limits
        self._page_numbers: dict[tuple[int, int], int] = {}
        #: Web links by page, listed once per page after every action was read.
        self._links: dict[int | None, list[str]] = {}

    # -- security -------------------------------------------------------------------

    def security(self) -> None:
        if not self.pdf.is_encrypted:
            return
        if _owner_password_only(self.pdf):
            self.sink.add("pdf.owner_password_only")
            return
        self.sink.add("pdf.encrypted")
        if not self.pdf.allow.accessibility:
            self.sink.add("pdf.accessibility_denied")

    def active_content(self) -> None:
        root = self.root
        names = _get(root, "/Names")
        if _get(names, "/JavaScript") is not None:
            self.sink.add("pdf.javascript")
        if _get(names, "/EmbeddedFiles") is not None or _get(root, "/AF") is not None:
            self.sink.add("pdf.embedded_file")
        open_action = _get(root, "/OpenAction")
        if isinstance(open_action, pikepdf.Dictionary):
            self._action(open_action, None)
        self._additional_actions(_get(root, "/AA"), None)
        self._outlines()
        acroform = _get(root, "/AcroForm")
        if _is_true(_get(root, "/NeedsRendering")):
            self.sink.add("pdf.dynamic_xfa")
        elif _get(acroform, "/XFA") is not None:
            self.sink.add("pdf.xfa_form")
        self._fields(acroform)
        for number, page in enumerate(self.pdf.pages, start=1):
            page_obj = page.obj
            self._additional_actions(_get(page_obj, "/AA"), number)
            annotations = _get(page_obj, "/Annots")
            if not isinstance(annotations, pikepdf.Array):
                continue
            for annotation in annotations:
                subtype = _get(annotation, "/Subtype")
                if subtype == "/FileAttachment":
                    self.sink.add("pdf.embedded_file", number)
                elif subtype in _ACTIVE_ANNOTATIONS:
                    self.sink.add("pdf.active_content", number)
                action = _get(annotation, "/A")
                if action is not None:
                    self._action(action, number)
                self._additional_actions(_get(annotation, "/AA"), number)

    def _additional_actions(self, actions: Any, page: int | None) -> None:
        if isinstance(actions, pikepdf.Dictionary):
            for _trigger, action in actions.items():
                self._action(action, page)

    def _action(self, action: Any, page: int | None) -> None:
        """Classify an action and everything chained after it with ``/Next``."""
        pending = [action]
        seen: set[object] = set()
        while pending and len(seen) < _MAX_ACTION_CHAIN:
            current = pending.pop()
            if not isinstance(current, pikepdf.Dictionary) or _key(current) in seen:
                continue
            seen.add(_key(current))
            kind_name = _get(current, "/S")
            kind = str(kind_name) if isinstance(kind_name, pikepdf.Name) else ""
            code = _ACTION_CODES.get(kind)
            if code is None and _get(current, "/JS") is not None:
                code = "pdf.javascript"
            if code:
                self.sink.add(code, page)
            target = _file_spec(_get(current, "/F"))
            if kind == "/GoToR" or (kind == "/Thread" and target is not None):
                self.sink.add("pdf.external_link", page, target=(target or "?")[:_MAX_TARGET])
            elif kind == "/URI":
                self._uri(_text(_get(current, "/URI")), page)
            following = _get(current, "/Next")
            if isinstance(following, pikepdf.Array):
                pending.extend(following)
            elif following is not None:
                pending.append(following)

    def _uri(self, uri: str, page: int | None) -> None:
        lowered = uri.lower()
        if lowered.startswith("javascript:"):
            self.sink.add("pdf.javascript", page)
        elif lowered.startswith(_WEB_SCHEMES):
            links = self._links.setdefault(page, [])
            if uri not in links:
                links.append(uri)
        else:
            self.sink.add("pdf.external_link", page, target=(uri or "?")[:_MAX_TARGET])

    def links(self) -> None:
        """Web links, one finding per page, so the clinician sees where they lead."""
        for page, targets in self._links.items():
            shown = ", ".join(target[:_MAX_TARGET] for target in targets[:10])
            if len(targets) > 10:
                shown += f" (+{len(targets) - 10})"
            self.sink.add("pdf.web_link", page, targets=shown)

    def _fields(self, acroform: Any) -> None:
        fields = _get(acroform, "/Fields")
        pending = list(fields) if isinstance(fields, pikepdf.Array) else []
        seen: set[object] = set()
        while pending and len(seen) < _MAX_FIELDS:
            field = pending.pop()
            if not isinstance(field, pikepdf.Dictionary) or _key(field) in seen:
                continue
            seen.add(_key(field))
            self._additional_actions(_get(field, "/AA"), None)
            if _get(field, "/A") is not None:
                self._action(_get(field, "/A"), None)
            kids = _get(field, "/Kids")
            if isinstance(kids, pikepdf.Array):
                pending.extend(kids)

    def _outlines(self) -> None:
        outlines = _get(self.root, "/Outlines")
        pending = [_get(outlines, "/First")]
        seen: set[object] = set()
        while pending and len(seen) < _MAX_OUTLINES:
            item = pending.pop()
            if not isinstance(item, pikepdf.Dictionary) or _key(item) in seen:
                continue
            seen.add(_key(item))
            if _get(item, "/A") is not None:
                self._action(_get(item, "/A"), None)
            pending.extend((_get(item, "/Next"), _get(item, "/First")))

    # -- accessibility --------------------------------------------------------------

    def metadata(self) -> None:
        root = self.root
        # A missing language is judged with the structure: elements may carry their own.
        language = _text(_get(root, "/Lang"))
        if language and not _LANGUAGE_TAG.fullmatch(language):
            self.sink.add("pdf.language_invalid", language=language[:20])
        title = _text(_get(self.pdf.trailer.get("/Info"), "/Title"))
        if not title:
            title = self._xmp_title()
        if not title:
            self.sink.add("pdf.no_title")
        elif not _is_true(_get(_get(root, "/ViewerPreferences"), "/DisplayDocTitle")):
            self.sink.add("pdf.title_not_displayed", title=title[:80])

    def _xmp_title(self) -> str:
        if _get(self.root, "/Metadata") is None:
            return ""
        try:
            # Read only: outside a ``with`` block nothing is written back to the file.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = self.pdf.open_metadata(
                    set_pikepdf_as_editor=False, update_docinfo=False
                ).get("dc:title")
        except Exception:  # broken XMP is the producer's problem; the Info title decides
            return ""
        return str(value).strip() if value else ""

    def structure(self) -> StructureFacts:
        """The structure tree, annotations and form as a screen reader meets them
        (``pdf_structure``), walked once."""
        return check_structure(self.pdf, self.sink, self._page_map())

    def _page_map(self) -> dict[Any, int]:
        if not self._page_numbers:
            for number, each in enumerate(self.pdf.pages, start=1):
                self._page_numbers[each.obj.objgen] = number
        return self._page_numbers

    def fonts(self) -> None:
        """Fonts not embedded and fonts whose text cannot be turned into Unicode."""
        seen: set[object] = set()
        for number, page in enumerate(self.pdf.pages, start=1):
            for font in self._fonts_of(_get(page.obj, "/Resources"), seen, 0):
                name = str(_get(font, "/BaseFont") or "?").lstrip("/")
                name = name.split("+", 1)[-1][:60]
                if not _embedded(font):
                    self.sink.add("pdf.font_not_embedded", number, font=name)
                if not _maps_to_unicode(font):
                    self.sink.add("pdf.text_not_unicode", number, font=name)

    def _fonts_of(self, resources: Any, seen: set[object], depth: int) -> Iterator[Any]:
        if not isinstance(resources, pikepdf.Dictionary) or depth > _MAX_FORM_DEPTH:
            return
        fonts = _get(resources, "/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for _name, font in fonts.items():
                if isinstance(font, pikepdf.Dictionary) and _key(font) not in seen:
                    seen.add(_key(font))
                    yield font
        xobjects = _get(resources, "/XObject")
        if isinstance(xobjects, pikepdf.Dictionary):
            for _name, xobject in xobjects.items():
                if _get(xobject, "/Subtype") == "/Form" and _key(xobject) not in seen:
                    seen.add(_key(xobject))
                    yield from self._fonts_of(_get(xobject, "/Resources"), seen, depth + 1)


def _file_spec(spec: Any) -> str | None:
    """The file a file specification names (a string, or a dictionary's /UF or /F)."""
    if isinstance(spec, pikepdf.String):
        return str(spec)
    for key in ("/UF", "/F", "/Unix", "/DOS", "/Mac"):
        value = _get(spec, key)
        if isinstance(value, pikepdf.String):
            return str(value)
    return None


def _descriptor(font: Any) -> Any:
    if _get(font, "/Subtype") == "/Type0":
        descendants = _get(font, "/DescendantFonts")
        if isinstance(descendants, pikepdf.Array) and len(descendants) > 0:
            return _get(descendants[0], "/FontDescriptor")
        return None
    return _get(font, "/FontDescriptor")


def _embedded(font: Any) -> bool:
    if _get(font, "/Subtype") == "/Type3":
        return True  # its glyphs are drawn by the document itself
    descriptor = _descriptor(font)
    files = ("/FontFile", "/FontFile2", "/FontFile3")
    return any(_get(descriptor, key) is not None for key in files)


def _maps_to_unicode(font: Any) -> bool:
    """Whether a reader can turn this font's codes into letters (PDF/UA 7.21.7)."""
    to_unicode = _get(font, "/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        return not _maps_to_nothing(to_unicode)
    if to_unicode is not None:
        return True
    subtype = _get(font, "/Subtype")
    encoding = _get(font, "/Encoding")
    if subtype == "/Type0":
        if isinstance(encoding, pikepdf.Name) and encoding not in ("/Identity-H", "/Identity-V"):
            return True  # a predefined CMap such as UniJIS-UCS2-H
        descendants = _get(font, "/DescendantFonts")
        system = (
            _get(descendants[0], "/CIDSystemInfo")
            if isinstance(descendants, pikepdf.Array) and len(descendants) > 0
            else None
        )
        return _text(_get(system, "/Registry")) == "Adobe" and (
            _text(_get(system, "/Ordering")) in _KNOWN_COLLECTIONS
        )
    if isinstance(encoding, pikepdf.Name):
        return str(encoding) in _STANDARD_ENCODINGS
    if isinstance(encoding, pikepdf.Dictionary):
        differences = _get(encoding, "/Differences")
        if isinstance(differences, pikepdf.Array):
            for item in differences:
                if isinstance(item, pikepdf.Name) and _MADE_UP_GLYPH.fullmatch(str(item)):
                    return False
        return True
    if subtype == "/Type3":
        return False
    flags = _get(_descriptor(font), "/Flags")
    symbolic = isinstance(flags, int) and bool(int(flags) & 4)
    # A symbolic TrueType font without an encoding is drawn by glyph index: no letters.
    return not (symbolic and subtype == "/TrueType")


#: A ToUnicode destination that is no letter: NUL, or a byte-order mark (PDF/UA 7.21.7).
_NO_LETTER = re.compile(rb"<[0-9A-Fa-f]{2,8}>\s*<(?:0000|[Ff][Ff][Ff][Ee]|[Ff][Ee][Ff][Ff])>")
_MAPPINGS = re.compile(rb"beginbf(?:char|range)(.*?)endbf", re.DOTALL)
_MAX_CMAP_BYTES = 1024 * 1024


def _maps_to_nothing(cmap: pikepdf.Stream) -> bool:
    """Whether a ToUnicode CMap maps a code to nothing a screen reader can say."""
    try:
        data = cmap.read_bytes()[:_MAX_CMAP_BYTES]
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return False
    return any(_NO_LETTER.search(section) for section in _MAPPINGS.findall(data))


def _owner_password_only(pdf: pikepdf.Pdf) -> bool:
    """Encrypted with an owner password alone (as lab systems often do): it opened here
    without a password, as it will for the resident, and it lets text be extracted for
    accessibility (a screen reader) and in general. Such a file is inspected and sent as
    it is; only the restrictions on editing or printing stay, which harm no reader."""
    return pdf.user_password_matched and pdf.allow.accessibility and pdf.allow.extract


def check_document(pdf: pikepdf.Pdf, sink: FindingSink) -> StructureFacts:
    checks = DocumentChecks(pdf, sink)
    checks.security()
    checks.active_content()
    checks.links()
    checks.metadata()
    facts = checks.structure()
    checks.fonts()
    return facts
