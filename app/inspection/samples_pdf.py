"""PDFs with a text in one place beside their pages each, made with qpdf on the spot: for
``bifoga pd-eval`` (recall per place) and the tests (each place through ``bifoga
inspect``). The page itself says nothing personal, so whatever is found came from the
place named.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pikepdf
from pikepdf import Array, Dictionary, Name, String

#: (case, the place ``pdf_places`` must report it in). ``file_name`` is the name chosen.
CASES: tuple[tuple[str, str], ...] = (
    ("title", "title"),
    ("author", "properties"),
    ("keywords", "properties"),
    ("xmp_description", "xmp"),
    ("sticky_note", "comment"),
    ("free_text", "comment"),
    ("popup", "comment"),
    ("comment_author", "comment"),
    ("form_field", "form_field"),
    ("hidden_form_field", "form_field"),
    ("bookmark", "bookmark"),
    ("link", "link"),
    ("open_action", "link"),
    ("figure_alt", "alt_text"),
    ("actual_text", "alt_text"),
    ("attached_file_name", "attached_file"),
    ("file_name", "file_name"),
)


def _base() -> pikepdf.Pdf:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    page.obj.Resources = Dictionary(Font=Dictionary(F1=font))
    page.obj.Contents = pdf.make_stream(
        b"/P << /MCID 0 >> BDC BT /F1 12 Tf 72 770 Td "
        b"(Kallelse till mottagningen den 12 mars kl 10.15.) Tj ET EMC"
    )
    pdf.Root.Lang = String("sv-SE")
    # Tagged, as the region asks (an untagged file is refused): the text is one paragraph.
    document = pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.Document, K=Array()))
    paragraph = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page.obj, K=0)
    )
    document.K.append(paragraph)
    page.obj.StructParents = 0
    pdf.Root.StructTreeRoot = pdf.make_indirect(
        Dictionary(
            Type=Name.StructTreeRoot,
            K=document,
            ParentTree=Dictionary(Nums=Array([0, Array([paragraph])])),
            ParentTreeNextKey=1,
        )
    )
    document.P = pdf.Root.StructTreeRoot
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    return pdf


def _annotation(pdf: pikepdf.Pdf, **entries: object) -> Dictionary:
    annotation = pdf.make_indirect(Dictionary(Type=Name.Annot, Rect=Array([72, 700, 92, 720])))
    for key, value in entries.items():
        annotation[Name(f"/{key}")] = value
    page = pdf.pages[0].obj
    if "/Annots" not in page:
        page.Annots = pdf.make_indirect(Array())
    page.Annots.append(annotation)
    return annotation


def _field(pdf: pikepdf.Pdf, text: str, flags: int) -> None:
    widget = _annotation(
        pdf,
        Subtype=Name.Widget,
        FT=Name.Tx,
        T=String("anteckning"),
        V=String(text),
        F=flags,
        P=pdf.pages[0].obj,
    )
    pdf.Root.AcroForm = Dictionary(Fields=Array([widget]))


def _struct(pdf: pikepdf.Pdf, role: str, key: str, text: str) -> None:
    document = pdf.Root.StructTreeRoot.K
    element = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name(role), P=document, Pg=pdf.pages[0].obj)
    )
    element[Name(f"/{key}")] = String(text)
    document.K.append(element)


def _xmp(pdf: pikepdf.Pdf, text: str) -> None:
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
        meta["dc:description"] = text


def _outline(pdf: pikepdf.Pdf, text: str) -> None:
    outlines = pdf.make_indirect(Dictionary(Type=Name.Outlines))
    item = pdf.make_indirect(Dictionary(Title=String(text), Parent=outlines))
    outlines.First = outlines.Last = item
    outlines.Count = 1
    pdf.Root.Outlines = outlines


def _attached(pdf: pikepdf.Pdf, text: str) -> None:
    spec = Dictionary(Type=Name.Filespec, F=String(f"{text}.txt"), UF=String(f"{text}.txt"))
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String(text), spec])))


def _uri(text: str) -> Dictionary:
    return Dictionary(S=Name.URI, URI=String(f"https://tracker.example/open?id={text}"))


_BUILD: dict[str, Callable[[pikepdf.Pdf, str], object]] = {
    "title": lambda pdf, t: pdf.docinfo.__setitem__(Name.Title, String(f"Provsvar {t}")),
    "author": lambda pdf, t: pdf.docinfo.__setitem__(Name.Author, String(t)),
    "keywords": lambda pdf, t: pdf.docinfo.__setitem__(Name.Keywords, String(f"provsvar; {t}")),
    "xmp_description": _xmp,
    "sticky_note": lambda pdf, t: _annotation(
        pdf, Subtype=Name.Text, Contents=String(f"Ring dottern {t}")
    ),
    "free_text": lambda pdf, t: _annotation(
        pdf, Subtype=Name.FreeText, Contents=String(t), DA=String("/Helv 10 Tf 0 g")
    ),
    "popup": lambda pdf, t: _annotation(
        pdf,
        Subtype=Name.Highlight,
        Popup=pdf.make_indirect(
            Dictionary(Type=Name.Annot, Subtype=Name.Popup, Contents=String(t))
        ),
    ),
    "comment_author": lambda pdf, t: _annotation(
        pdf, Subtype=Name.Text, T=String(t), Contents=String("Se över")
    ),
    "form_field": lambda pdf, t: _field(pdf, t, 4),
    "hidden_form_field": lambda pdf, t: _field(pdf, t, 2),  # the /F flag 2: hidden
    "bookmark": _outline,
    "link": lambda pdf, t: _annotation(pdf, Subtype=Name.Link, A=_uri(t)),
    "open_action": lambda pdf, t: pdf.Root.__setitem__(Name.OpenAction, _uri(t)),
    "figure_alt": lambda pdf, t: _struct(pdf, "/Figure", "Alt", f"Foto av {t}"),
    "actual_text": lambda pdf, t: _struct(pdf, "/Span", "ActualText", t),
    "attached_file_name": _attached,
    "file_name": lambda pdf, t: None,
}


def pdf_with(case: str, text: str) -> bytes:
    """A one-page PDF carrying ``text`` in the place ``case`` names (``CASES``)."""
    pdf = _base()
    _BUILD[case](pdf, text)
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


def file_name(case: str, text: str) -> str:
    """The name the file is chosen under: the text itself for ``file_name``."""
    return f"Provsvar {text}.pdf" if case == "file_name" else "kallelse.pdf"
