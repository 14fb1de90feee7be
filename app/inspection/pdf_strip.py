"""What the resident does not need, out of the PDF that is sent (as EXIF is from pictures).

- Document properties other than the title: author, company, the producer's name, dates,
  custom keys. The title stays: a screen reader announces it (and it is checked for
  personal data like page text). The language is the catalog's ``/Lang``; it stays.
- XMP other than what accessibility needs: the title, the language and the PDF/UA
  identifier are written again in a small packet of our own, byte for byte the same for
  the same values (the cleaned copy must hash the same on every run); the rest goes.
- An action that opens a web address by itself (the document's ``/OpenAction`` or its
  or a page's open/close triggers), a tracker that tells someone when the letter was
  read. JavaScript and launch actions are not removed: they block the file.

Called by ``hidden.remove_hidden`` on the staged copy, in the inspect worker; each kind
removed becomes an information finding (``pdf.metadata_removed``, ``pdf.xmp_removed``,
``pdf.auto_action_removed``).
"""

from __future__ import annotations

import warnings
from typing import Any
from xml.sax.saxutils import escape

import pikepdf

#: The kinds ``strip`` reports (also the removal record's words for them).
KINDS = ("metadata", "xmp", "auto_action")
#: Page and document triggers that fire without a click: open, close (page and document),
#: page visible and invisible, before closing, saving and printing.
_AUTO_TRIGGERS = ("/O", "/C", "/PO", "/PC", "/PV", "/PI", "/WC", "/WS", "/DS", "/WP", "/DP")
_ADDRESS_ACTIONS = ("/URI",)
_UA_NS = "http://www.aiim.org/pdfua/ns/id/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
#: The XMP properties a reader's accessibility needs: title, language, PDF/UA identifier.
_NEEDED = {
    f"{{{_DC_NS}}}title",
    f"{{{_DC_NS}}}language",
    f"{{{_UA_NS}}}part",
    f"{{{_UA_NS}}}amd",
    f"{{{_UA_NS}}}corr",
}


def strip(pdf: pikepdf.Pdf) -> list[str]:
    """Remove what the resident does not need from ``pdf`` (in memory); the kinds removed."""
    removed = []
    if _strip_properties(pdf):
        removed.append("metadata")
    if _strip_xmp(pdf):
        removed.append("xmp")
    if _strip_auto_actions(pdf):
        removed.append("auto_action")
    return removed


def _strip_properties(pdf: pikepdf.Pdf) -> bool:
    info = pdf.trailer.get("/Info")
    if not isinstance(info, pikepdf.Dictionary):
        return False
    extra = [str(key) for key in info if key != "/Title"]
    for key in extra:
        del info[key]
    if extra and len(info) == 0:
        del pdf.trailer["/Info"]
    return bool(extra)


def _xmp_values(pdf: pikepdf.Pdf) -> tuple[set[str], str, list[str], str]:
    """(the properties there, title, languages, PDF/UA part) from the XMP packet; nothing
    where it is missing or broken."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            meta = pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
            keys = {str(key) for key in meta}
            title = meta.get("dc:title")
            languages = meta.get("dc:language")
            part = meta.get(f"{{{_UA_NS}}}part")
    except Exception:  # a broken packet keeps nothing: it goes
        return set(), "", [], ""
    language_list = [str(v) for v in languages] if isinstance(languages, list | set) else []
    if isinstance(languages, str):
        language_list = [languages]
    title_text = str(title) if title else ""
    return keys, title_text, sorted(language_list)[:8], str(part) if part else ""


def minimal_xmp(title: str, languages: list[str], part: str) -> bytes:
    """An XMP packet with only the title, the language and the PDF/UA identifier."""
    fields = []
    if title:
        fields.append(
            '<dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{escape(title)}</rdf:li></rdf:Alt></dc:title>"
        )
    if languages:
        items = "".join(f"<rdf:li>{escape(language)}</rdf:li>" for language in languages)
        fields.append(f"<dc:language><rdf:Bag>{items}</rdf:Bag></dc:language>")
    if part:
        fields.append(f"<pdfuaid:part>{escape(part)}</pdfuaid:part>")
    body = "".join(fields)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        f' xmlns:pdfuaid="{_UA_NS}">{body}</rdf:Description>'
        '</rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    ).encode()


def _strip_xmp(pdf: pikepdf.Pdf) -> bool:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return False
    if not isinstance(metadata, pikepdf.Stream):
        del pdf.Root["/Metadata"]
        return True
    keys, title, languages, part = _xmp_values(pdf)
    if keys and keys <= _NEEDED:
        return False  # only what accessibility needs (Bifoga's own reports among them)
    if not (title or languages or part):
        del pdf.Root["/Metadata"]
        return True
    wanted = minimal_xmp(title, languages, part)
    try:
        if metadata.read_bytes() == wanted:
            return False
    except pikepdf.PdfError:
        pass
    stream = pdf.make_stream(wanted)
    stream["/Type"] = pikepdf.Name.Metadata
    stream["/Subtype"] = pikepdf.Name.XML
    pdf.Root["/Metadata"] = stream
    return True


def _opens_address(action: Any) -> bool:
    """Whether the action (or one chained after it) opens a web address."""
    pending = [action]
    seen = 0
    while pending and seen < 64:
        current = pending.pop()
        seen += 1
        if not isinstance(current, pikepdf.Dictionary):
            continue
        if current.get("/S") in _ADDRESS_ACTIONS:
            return True
        following = current.get("/Next")
        if isinstance(following, pikepdf.Array):
            pending.extend(list(following)[:64])
        elif following is not None:
            pending.append(following)
    return False


def _strip_triggers(holder: Any) -> bool:
    actions = holder.get("/AA") if isinstance(holder, pikepdf.Dictionary) else None
    if not isinstance(actions, pikepdf.Dictionary):
        return False
    removed = False
    for trigger in _AUTO_TRIGGERS:
        if trigger in actions and _opens_address(actions.get(trigger)):
            del actions[trigger]
            removed = True
    return removed


def _strip_auto_actions(pdf: pikepdf.Pdf) -> bool:
    root = pdf.Root
    removed = False
    if "/OpenAction" in root and _opens_address(root.get("/OpenAction")):
        del root["/OpenAction"]
        removed = True
    removed = _strip_triggers(root) or removed
    for page in pdf.pages:
        removed = _strip_triggers(page.obj) or removed
    return removed
