"""Small tagged PDFs made in the test (pikepdf): one page, a structure tree whose leaves
hold real marked text, so the structure checks and the read-aloud view see a file as a
word processor would write it.

An element is ``El(role, text_or_children, **entries)``: a leaf's text is drawn on the
page in marked content (its MCID) and the element points to it; ``entries`` are written
into the element (``Alt="..."``, ``A=...``). ``link`` adds a link annotation, tagged in a
``Link`` element unless ``tag_link`` is false.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@dataclass
class El:
    role: str
    content: str | Sequence[El] = ""
    entries: dict[str, Any] = field(default_factory=dict)

    def __init__(self, role: str, content: str | Sequence[El] = "", **entries: Any) -> None:
        self.role = role
        self.content = content
        self.entries = entries


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def tagged_pdf(
    elements: Sequence[El],
    *,
    lang: str | None = "sv-SE",
    title: str | None = "Brev",
    display_title: bool = True,
    marked: bool = True,
    tagged: bool = True,
    role_map: dict[str, str] | None = None,
    link: str | None = None,
    link_contents: str | None = "Läs mer på 1177",
    tag_link: bool = True,
    tabs: bool = True,
    field_tooltip: str | bool | None = False,
    embed_font: bool = False,
) -> bytes:
    """A one-page PDF with ``elements`` under a ``Document`` element. ``field_tooltip``:
    False for no form field, else a text field with that ``TU`` (None: without)."""
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(595, 842))
    font = pdf.make_indirect(
        Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica,
                   Encoding=Name.WinAnsiEncoding)
    )  # fmt: skip
    if embed_font:
        # DejaVu Sans (fonts-dejavu-core, in dev.sh's Debian packages): PDF/UA wants
        # every font embedded.
        program = pdf.make_stream(DEJAVU.read_bytes())
        font.Subtype = Name.TrueType
        font.BaseFont = Name("/DejaVuSans")
        font.FirstChar, font.LastChar = 32, 255
        font.Widths = Array([600] * 224)
        font.FontDescriptor = pdf.make_indirect(
            Dictionary(Type=Name.FontDescriptor, FontName=Name("/DejaVuSans"), Flags=32,
                       FontBBox=Array([-1021, -463, 1793, 1232]), ItalicAngle=0, Ascent=928,
                       Descent=-236, CapHeight=729, StemV=80, FontFile2=program)
        )  # fmt: skip
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    ops: list[bytes] = []
    parent_tree: list[Any] = []
    y = [800]

    def element(spec: El, parent: Any) -> Any:
        node = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name("/" + spec.role), P=parent, Pg=page.obj)
        )
        for key, value in spec.entries.items():
            node[Name("/" + key)] = String(value) if isinstance(value, str) else value
        if isinstance(spec.content, str):
            mcid = len(parent_tree)
            parent_tree.append(node)
            text = _escape(spec.content)
            ops.append(
                b"/%s <</MCID %d>> BDC BT /F1 12 Tf 56 %d Td (%s) Tj ET EMC"
                % (spec.role.encode(), mcid, y[0], text)
            )
            y[0] -= 18
            node.K = mcid
        else:
            node.K = Array([element(child, node) for child in spec.content])
        return node

    tree = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    document = element(El("Document", list(elements)), tree)
    annotations = Array()
    if link is not None:
        annotation = Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([56, 100, 300, 120]),
            A=Dictionary(S=Name.URI, URI=String(link)), StructParent=1,
        )  # fmt: skip
        if link_contents is not None:
            annotation.Contents = String(link_contents)
        annotation = pdf.make_indirect(annotation)
        annotations.append(annotation)
        if tag_link:
            holder = pdf.make_indirect(
                Dictionary(Type=Name.StructElem, S=Name.Link, P=document, Pg=page.obj)
            )
            holder.K = Array([Dictionary(Type=Name.OBJR, Obj=annotation, Pg=page.obj)])
            document.K.append(holder)
    if field_tooltip is not False:
        widget = Dictionary(
            Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=String("namn"),
            Rect=Array([56, 60, 300, 80]), P=page.obj, StructParent=2,
        )  # fmt: skip
        if isinstance(field_tooltip, str):
            widget.TU = String(field_tooltip)
        widget = pdf.make_indirect(widget)
        annotations.append(widget)
        pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))
        holder = pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.Form, P=document, Pg=page.obj)
        )
        holder.K = Array([Dictionary(Type=Name.OBJR, Obj=widget, Pg=page.obj)])
        document.K.append(holder)
    if len(annotations):
        page.obj.Annots = annotations
        if tabs:
            page.obj.Tabs = Name.S
    page.obj.Contents = pdf.make_stream(b"\n".join(ops))
    if tagged:
        tree.K = document
        tree.ParentTree = pdf.make_indirect(Dictionary(Nums=Array([0, Array(parent_tree)])))
        page.obj.StructParents = 0
        if role_map:
            tree.RoleMap = Dictionary({"/" + k: Name("/" + v) for k, v in role_map.items()})
        pdf.Root.StructTreeRoot = tree
    if marked:
        pdf.Root.MarkInfo = Dictionary(Marked=True)
    if lang:
        pdf.Root.Lang = String(lang)
    if title:
        pdf.docinfo["/Title"] = title
        if display_title:
            pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def letter(**options: Any) -> bytes:
    """An accessible Swedish letter: a heading, a paragraph, a list, a table with
    header cells and a figure with alternative text."""
    return tagged_pdf(
        [
            El("H1", "Provsvar"),
            El("P", "Vi har tagit emot dina provsvar och går igenom dem med dig."),
            El("L", [El("LI", [El("Lbl", "1."), El("LBody", "Ta med legitimation.")])]),
            El(
                "Table",
                [
                    El("TR", [El("TH", "Prov"), El("TH", "Värde")]),
                    El("TR", [El("TD", "Hb"), El("TD", "140")]),
                ],
            ),
            El("Figure", "", Alt="Diagram över blodvärden"),
        ],
        **options,
    )
