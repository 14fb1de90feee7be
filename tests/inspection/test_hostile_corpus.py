"""A generated hostile corpus, each kind with its expected verdict, taken as the window
takes a file: staged (copied), rewritten without hidden content, then inspected.

"removed" kinds pass (with an information finding whose code says ``hidden``) and the
payload is gone from the copy that would be sent; "refused" kinds are blocked with the
code that tells the clinician what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest

from app.inspection import inspect_file
from app.inspection.report import Severity, Verdict
from tests.inspection.conftest import codes, staged_copy
from tests.support import hostile as h
from tests.support import inspection_samples as samples


@dataclass(frozen=True)
class Kind:
    id: str
    build: Callable[[], bytes]
    verdict: Verdict
    #: Codes the report must hold (for "removed" kinds: the information that says so).
    expected: frozenset[str]
    name: str = "brev.pdf"
    #: The payload must be gone from the copy that would be sent.
    payload_removed: bool = False
    #: Nothing is hidden: the copy stays byte for byte the chosen file.
    untouched: bool = False


def _kind(
    id: str,
    build: Callable[[], bytes],
    verdict: Verdict,
    *expected: str,
    name: str = "brev.pdf",
    payload_removed: bool = False,
    untouched: bool = False,
) -> Kind:
    return Kind(id, build, verdict, frozenset(expected), name, payload_removed, untouched)


OK, REVIEW, BLOCKED = Verdict.OK, Verdict.REVIEW, Verdict.BLOCKED
AFTER_END = "file.hidden_after_end_removed"
FORMAT = "file.hidden_format_removed"
UNC = rb"\\\\vardcentral\\delat\\x.pdf"


def _gotor(target: bytes) -> bytes:
    return b"<< /S /GoToR /F (" + target + b") /D [0 /Fit] >>"


_IMAGES = {
    "png": (lambda: samples.png(), "bild.png"),
    "jpeg": (lambda: h.jpeg_with_comment(b"foto"), "bild.jpg"),
    "gif": (lambda: h.gif_with_comment(b"gif"), "bild.gif"),
}
_APPENDED = {"html": h.html, "zip": h.zip_archive, "exe": h.windows_executable}


def _image_polyglots() -> list[Kind]:
    kinds = []
    for image, (build, name) in _IMAGES.items():
        for payload_name, payload in _APPENDED.items():
            kinds.append(
                _kind(
                    f"{image}+{payload_name}",
                    lambda build=build, payload=payload: build() + payload(),  # type: ignore[misc]
                    REVIEW,  # an image: the sender says whether it shows personal data
                    AFTER_END,
                    FORMAT,
                    name=name,
                    payload_removed=True,
                )
            )
    return kinds


KINDS: list[Kind] = [
    # -- data after the end, and a second format in the same bytes (PDF) --------------
    _kind("pdf+random-100k", lambda: h.letter() + h.random_bytes(), OK, AFTER_END,
          payload_removed=True),
    _kind("pdf+whitespace-padding", lambda: h.letter() + b"\r\n  \x00\n" * 8, OK,
          untouched=True),
    _kind("pdf-linearized", h.linearized_letter, OK, untouched=True),
    _kind("pdf-linearized-then-updated", h.linearized_then_updated, OK,
          "pdf.hidden_old_revisions_removed"),
    _kind("pdf+html-after-eof", lambda: h.letter() + h.html(), OK, AFTER_END, FORMAT,
          payload_removed=True),
    _kind("pdf+html-comment-after-header", lambda: h.with_header_comment(h.letter(), h.html()),
          OK, FORMAT, payload_removed=True),
    _kind("pdf+zip", lambda: h.letter() + h.zip_archive(), OK, AFTER_END, FORMAT,
          payload_removed=True),
    _kind("pdf+exe", lambda: h.letter() + h.windows_executable(), OK, AFTER_END, FORMAT,
          payload_removed=True),
    _kind("pdf+elf", lambda: h.letter() + h.elf_executable(), OK, AFTER_END, FORMAT,
          payload_removed=True),
    _kind("pdf+shell-script", lambda: h.letter() + h.shell_script(), OK, AFTER_END, FORMAT,
          payload_removed=True),
    _kind("pdf+html-in-metadata-stream",
          lambda: h.letter_with_xmp(b"<x:xmpmeta>" + h.html() + b"</x:xmpmeta>"),
          OK, FORMAT, "pdf.xmp_removed"),  # the XMP is written again without it (issue 19)
    # -- unused objects and earlier revisions -----------------------------------------
    _kind("pdf+unreferenced-stream", h.letter_with_unused_stream, OK,
          "pdf.hidden_unreferenced_removed", payload_removed=True),
    _kind("pdf+earlier-revision", h.letter_revised, OK, "pdf.hidden_old_revisions_removed",
          payload_removed=True),
    # -- actions that reach outside the document ---------------------------------------
    _kind("gotor-unc-open-action", lambda: h.letter(catalog=b"/OpenAction " + _gotor(UNC)),
          BLOCKED, "pdf.external_link"),
    _kind("gotor-link", lambda: h.letter(annotations=[h.link(_gotor(b"annan.pdf"))]),
          BLOCKED, "pdf.external_link"),
    _kind("goto-embedded", lambda: h.letter(
        catalog=b"/OpenAction << /S /GoToE /T << /R /C /N (a.pdf) >> >>"),
          BLOCKED, "pdf.embedded_file"),
    _kind("submit-form", lambda: h.letter(annotations=[h.link(
        b"<< /S /SubmitForm /F (https://example.org/in) >>")]), BLOCKED, "pdf.active_content"),
    _kind("import-data", lambda: h.letter(catalog=b"/OpenAction << /S /ImportData /F (d.fdf) >>"),
          BLOCKED, "pdf.active_content"),
    _kind("sound-action", lambda: h.letter(annotations=[h.link(b"<< /S /Sound >>")]),
          BLOCKED, "pdf.active_content"),
    _kind("movie-action", lambda: h.letter(annotations=[h.link(b"<< /S /Movie >>")]),
          BLOCKED, "pdf.active_content"),
    _kind("rich-media-annotation", lambda: h.letter(annotations=[h.annotation(b"RichMedia")]),
          BLOCKED, "pdf.active_content"),
    _kind("3d-annotation", lambda: h.letter(annotations=[h.annotation(b"3D")]),
          BLOCKED, "pdf.active_content"),
    _kind("file-uri", lambda: h.letter(annotations=[h.link(
        b"<< /S /URI /URI (file:///C:/Users/Public/x.exe) >>")]), BLOCKED, "pdf.external_link"),
    _kind("unc-uri", lambda: h.letter(annotations=[h.link(b"<< /S /URI /URI (" + UNC + b") >>")]),
          BLOCKED, "pdf.external_link"),
    _kind("smb-uri", lambda: h.letter(annotations=[h.link(
        b"<< /S /URI /URI (smb://vardcentral/delat) >>")]), BLOCKED, "pdf.external_link"),
    _kind("javascript-uri", lambda: h.letter(annotations=[h.link(
        b"<< /S /URI /URI (javascript:alert\\(1\\)) >>")]), BLOCKED, "pdf.javascript"),
    _kind("thread-to-other-file", lambda: h.letter(
        catalog=b"/OpenAction << /S /Thread /F (annan.pdf) /D 0 >>"),
          BLOCKED, "pdf.external_link"),
    _kind("gotor-after-goto-next", lambda: h.letter(
        catalog=b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next " + _gotor(UNC) + b" >>"),
          BLOCKED, "pdf.external_link"),
    _kind("https-link-is-information", lambda: h.letter(annotations=[h.link(
        b"<< /S /URI /URI (https://www.1177.se/) >>")]), OK, "pdf.web_link"),
    # -- ... inside object streams -----------------------------------------------------
    _kind("gotor-in-object-stream", lambda: h.in_object_stream({"/OpenAction": pikepdf.Dictionary(
        S=pikepdf.Name.GoToR, F=pikepdf.String(UNC.decode()),
        D=pikepdf.Array([0, pikepdf.Name.Fit]))}), BLOCKED, "pdf.external_link"),
    _kind("submit-in-object-stream", lambda: h.in_object_stream({"/OpenAction": pikepdf.Dictionary(
        S=pikepdf.Name.SubmitForm, F=pikepdf.String("https://example.org/in"))}),
          BLOCKED, "pdf.active_content"),
    # -- ... and in incremental updates ------------------------------------------------
    _kind("gotor-in-update", lambda: h.update_adding_to_catalog(b"/OpenAction " + _gotor(UNC)),
          BLOCKED, "pdf.external_link", "pdf.hidden_old_revisions_removed"),
    _kind("file-link-in-update", lambda: h.incremental_update(
        h.letter(annotations=[h.link(b"<< /S /URI /URI (https://www.1177.se/) >>")]),
        {5: h.link(b"<< /S /URI /URI (file:///etc/passwd) >>")}),
          BLOCKED, "pdf.external_link", "pdf.hidden_old_revisions_removed"),
    _kind("launch-in-update", lambda: h.update_adding_to_catalog(
        b"/OpenAction << /S /Launch /F (calc.exe) >>"), BLOCKED, "pdf.launch_action"),
    # -- images: polyglots with HTML, ZIP and an executable, and hidden in the picture --
    *_image_polyglots(),
    _kind("png+html-text-chunk", lambda: h.png_with_text(h.html()), REVIEW, FORMAT,
          name="bild.png", payload_removed=True),
    _kind("jpeg+html-comment", lambda: h.jpeg_with_comment(h.html()), REVIEW, FORMAT,
          name="bild.jpg", payload_removed=True),
    _kind("gif+html-comment", lambda: h.gif_with_comment(h.html()), REVIEW, FORMAT,
          name="bild.gif", payload_removed=True),
    _kind("png+html-in-pixels", h.png_with_html_pixels, BLOCKED, "file.polyglot",
          name="bild.png"),
]  # fmt: skip


def _stream_contents(path: Path) -> bytes:
    """Every stream of the PDF, decoded: a payload must not hide behind compression."""
    with pikepdf.open(path) as pdf:
        parts = []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    parts.append(obj.read_bytes())
                except pikepdf.PdfError:
                    parts.append(obj.read_raw_bytes())
        return b"".join(parts)


def test_the_corpus_has_at_least_thirty_kinds_with_unique_names() -> None:
    assert len(KINDS) >= 30
    assert len({kind.id for kind in KINDS}) == len(KINDS)


#: What the resident does not need, removed from every PDF sent (app.inspection.pdf_strip).
STRIPPED = {"pdf.metadata_removed", "pdf.xmp_removed", "pdf.auto_action_removed"}


@pytest.mark.parametrize("kind", KINDS, ids=[kind.id for kind in KINDS])
def test_hostile_kind_gets_its_verdict(kind: Kind, tmp_path: Path) -> None:
    source = tmp_path / kind.name
    source.write_bytes(kind.build())
    copy, removed = staged_copy(source, tmp_path / "staged")
    report = inspect_file(copy, name=kind.name, removed=removed)
    found = codes(report)
    if kind.untouched:
        assert removed == ()
        assert copy.read_bytes() == source.read_bytes()
        assert not {code for code in found if "hidden" in code or code == "file.polyglot"}
    assert report.verdict is kind.verdict, report.findings
    assert kind.expected <= found, report.findings
    for finding in report.findings:
        if finding.code.endswith("_removed"):
            assert "hidden" in finding.code or finding.code in STRIPPED
            assert finding.severity is Severity.INFO
    if kind.payload_removed:
        assert removed, "the copy was rewritten"
        data = copy.read_bytes()
        assert h.MARKER not in data
        if kind.name.endswith(".pdf"):
            assert h.MARKER not in _stream_contents(copy)
    if kind.verdict is not BLOCKED:
        # Nothing hidden is left in what would be sent: inspecting the copy again (as a
        # restored draft is) finds nothing more to remove.
        assert staged_copy(copy, tmp_path / "again")[1] == ()
