"""Safe accessibility repairs of a staged PDF, made before its preview.

Only what the clinician cannot reasonably fix and where the fix cannot change what the
document says: show the title instead of the file name (``DisplayDocTitle``), mark a
tagged document as tagged (``MarkInfo/Marked``), let the tab order follow the structure
on pages with links or fields (``Tabs /S``), state Swedish (the region's default) when
the text is clearly Swedish and no language is given, and declare PDF/UA (the XMP
``pdfuaid:part``) only once every document check passes. A signed or encrypted file is
never touched (a rewrite breaks a signature; encryption is refused anyway).

Runs in the inspect worker with the hidden-content removal (``hidden.remove_hidden``),
so the previewed, signed-off and sent bytes are the repaired ones. The result is the
same bytes for the same input (no dates, a deterministic ``/ID``). What was repaired is
recorded beside the copy as codes (``pdf.repaired_*``), never with the file's words.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Iterable

import pikepdf

from app.inspection.findings import FindingSink
from app.inspection.pdf_objects import get as _get
from app.inspection.policy import default_policy
from app.inspection.report import Severity

#: The region's document language, set when a document's text is clearly Swedish.
REGION_LANGUAGE = "sv-SE"
PDFUA_NAMESPACE = "http://www.aiim.org/pdfua/ns/id/"
#: Words so common in Swedish, and rare in English and Danish or Norwegian, that a text
#: with many of them is Swedish.
_SWEDISH_WORDS = frozenset(
    {
        "och",
        "att",
        "är",
        "på",
        "för",
        "inte",
        "till",
        "av",
        "om",
        "dig",
        "din",
        "ditt",
        "dina",
        "jag",
        "eller",
        "från",
        "när",
        "efter",
        "vid",
        "här",
        "där",
        "också",
        "bara",
        "får",
        "mig",
        "som",
        "det",
    }
)
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")
_MIN_WORDS = 20
_MIN_SHARE = 0.15
_TEXT_PAGES = 3
_TEXT_CHARS = 20_000
#: Information that still keeps a document from being PDF/UA, or that a repair fixes.
_ALSO_PROBLEMS = frozenset({"pdf.title_not_displayed", "pdf.font_not_embedded"})


def clearly_swedish(text: str) -> bool:
    """Whether ``text`` is clearly Swedish: enough words, enough of them Swedish's most
    common ones. A letter with an English quotation still is; a table of numbers is not."""
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < _MIN_WORDS:
        return False
    return sum(1 for w in words if w in _SWEDISH_WORDS) / len(words) >= _MIN_SHARE


def _page_text(data: bytes) -> str:
    """The first pages' text (PDFium), enough to tell the language."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    try:
        parts: list[str] = []
        for index in range(min(len(document), _TEXT_PAGES)):
            page = document[index]
            text_page = page.get_textpage()
            parts.append(text_page.get_text_range()[:_TEXT_CHARS])
            text_page.close()
            page.close()
        return " ".join(parts)
    finally:
        document.close()


def _signed(pdf: pikepdf.Pdf) -> bool:
    root = pdf.Root
    flags = _get(_get(root, "/AcroForm"), "/SigFlags")
    return _get(root, "/Perms") is not None or (isinstance(flags, int) and int(flags) & 1 == 1)


def _problems(pdf: pikepdf.Pdf) -> set[str]:
    """The codes the document checks raise (a fresh sink, the default policy)."""
    from app.inspection.pdf_document import check_document

    sink = FindingSink(default_policy())
    check_document(pdf, sink)
    return {
        f.code for f in sink.result() if f.severity is not Severity.INFO or f.code in _ALSO_PROBLEMS
    }


def _has_pdfua_identifier(pdf: pikepdf.Pdf) -> bool:
    metadata = _get(pdf.Root, "/Metadata")
    if not isinstance(metadata, pikepdf.Stream):
        return False
    try:
        return PDFUA_NAMESPACE.encode() in metadata.read_bytes()
    except (pikepdf.PdfError, ValueError, RuntimeError):
        return True  # unreadable XMP is left alone


def _declare_pdfua(pdf: pikepdf.Pdf) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                xmp["pdfuaid:part"] = "1"
    except Exception:  # broken XMP: no declaration rather than a broken file
        return False
    return True


def _tab_order(pdf: pikepdf.Pdf) -> None:
    for page in pdf.pages:
        annotations = _get(page.obj, "/Annots")
        if isinstance(annotations, pikepdf.Array) and len(annotations) > 0:
            page.obj.Tabs = pikepdf.Name.S


def _repairs(pdf: pikepdf.Pdf, data: bytes, problems: set[str]) -> list[str]:
    root = pdf.Root
    made: list[str] = []
    if "pdf.title_not_displayed" in problems:
        preferences = _get(root, "/ViewerPreferences")
        if not isinstance(preferences, pikepdf.Dictionary):
            root.ViewerPreferences = preferences = pikepdf.Dictionary()
        preferences.DisplayDocTitle = True
        made.append("pdf.repaired_display_title")
    if "pdf.not_marked" in problems:
        root.MarkInfo = pikepdf.Dictionary(Marked=True)
        made.append("pdf.repaired_marked")
    if "pdf.tab_order" in problems:
        _tab_order(pdf)
        made.append("pdf.repaired_tab_order")
    if "pdf.no_language" in problems and clearly_swedish(_page_text(data)):
        root.Lang = pikepdf.String(REGION_LANGUAGE)
        made.append("pdf.repaired_language")
    return made


def repair_pdf(data: bytes) -> tuple[bytes, list[str]] | None:
    """``data`` repaired, with the ``pdf.repaired_*`` codes of what was done; None when
    nothing was (or the file is signed, encrypted or unreadable)."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PasswordError, pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return None
    with pdf:
        if pdf.is_encrypted or _signed(pdf):
            return None
        try:
            made = _repairs(pdf, data, _problems(pdf))
            if not _has_pdfua_identifier(pdf) and not _problems(pdf) and _declare_pdfua(pdf):
                made.append("pdf.repaired_pdfua_identifier")
            if not made:
                return None
            out = io.BytesIO()
            pdf.save(
                out,
                deterministic_id=True,
                fix_metadata_version=False,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )
        except (pikepdf.PdfError, ValueError, RuntimeError, pikepdf.DataDecodingError):
            return None
    return out.getvalue(), made


def known_repairs(codes: Iterable[object]) -> list[str]:
    """The repair codes among ``codes`` (read back from a record beside the copy)."""
    allowed = {
        "pdf.repaired_display_title",
        "pdf.repaired_marked",
        "pdf.repaired_tab_order",
        "pdf.repaired_language",
        "pdf.repaired_pdfua_identifier",
    }
    return [code for code in codes if isinstance(code, str) and code in allowed]
