"""What a file carries that its preview never shows, and removing it from the staged copy.

The clinician previews a document; the resident receives bytes. Bytes that no viewer
draws (data after the end of the file, a second format in the same bytes, objects no
page uses, earlier revisions kept by incremental updates) would ride along unseen. So
the staged copy is rewritten before anyone previews it (``remove_hidden``, in the
inspect worker: qpdf and the image walkers parse untrusted input), and what was removed
comes back as a value (``jobs.Sanitized``) that the caller hands to the copy's
inspection (``InspectRequest.removed``), so its report says so. What cannot be
removed is found again by ``find_hidden`` when the rewritten copy is inspected, and
blocks the file (``iter_findings``). The PDF checks are in ``pdf_hidden``, the
signatures of other formats in ``polyglot``. See docs/inspection.md, "Hidden content",
for the choice per case.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.inspection import pdf_hidden
from app.inspection.jobs import UNCHANGED, Sanitized
from app.inspection.polyglot import second_format
from app.protocol import filetypes
from app.storage.sealed import read_plain, replace_plain

if TYPE_CHECKING:
    from app.inspection.pdf_source import PdfSource

# -- what is hidden ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hidden:
    """What a file carries that no viewer shows; empty when nothing."""

    after_end: bool = False
    old_revisions: bool = False
    unreferenced: bool = False
    #: "HTML", "ZIP", "EXE", "ELF", "Mach-O" or "script"
    second_format: str | None = None

    def __bool__(self) -> bool:
        return self.after_end or self.old_revisions or self.unreferenced or bool(self.second_format)

    def kinds(self) -> list[str]:
        found = [
            kind
            for kind, present in (
                ("after_end", self.after_end),
                ("old_revisions", self.old_revisions),
                ("unreferenced", self.unreferenced),
            )
            if present
        ]
        if self.second_format:
            found.append(f"second_format:{self.second_format}")
        return found


def find_hidden(
    path: Path, media_type: str | None = None, source: PdfSource | None = None
) -> Hidden:
    """What the file at ``path`` carries that no viewer shows (PDF, PNG, JPEG, GIF).
    ``source``: the PDF at ``path`` as the inspection already read and opened it."""
    return _hidden_in(source.data if source else read_plain(path), media_type, source)


def _hidden_in(
    data: bytes, media_type: str | None = None, source: PdfSource | None = None
) -> Hidden:
    media_type = media_type or filetypes.sniff(data[: filetypes.SNIFF_BYTES])
    other = second_format(data)
    if media_type == filetypes.PDF:
        revisions, unreferenced = _pdf_structure(data, source)
        return Hidden(pdf_hidden.after_end(data), revisions, unreferenced, other)
    if filetypes.is_image(media_type):
        from app.inspection.image_sanitize import image_end

        end = image_end(data)
        after_end = end is not None and not pdf_hidden.padding_only(data[end:])
        return Hidden(after_end=after_end, second_format=other)
    return Hidden(second_format=other)


def _pdf_structure(data: bytes, source: PdfSource | None) -> tuple[bool, bool]:
    """(old revisions, unreferenced objects), in the inspection's opened file or, when
    there is none (sanitising), in one opened for this look."""
    if source is None:
        from app.inspection.pdf_source import PdfSource

        with PdfSource(data) as own:
            return _pdf_structure(data, own)
    return pdf_hidden.structure(source) or (False, False)


# -- removing it ---------------------------------------------------------------------


def _rewrite_pdf(data: bytes, hidden: bool) -> tuple[bytes | None, list[str]]:
    """The PDF written again with qpdf, without what the resident does not need
    (``pdf_strip``: the kinds removed are returned) and, when ``hidden``, without what no
    viewer shows: only the objects the current revision uses, no earlier revisions,
    nothing after the end, comments dropped and plain streams compressed (so no text in
    them reads as another format). None when qpdf cannot, or when nothing is to go.

    The file's /ID is derived from its content (``deterministic_id``), not from the clock
    and chance: the same chosen file gives the same bytes, and the same SHA-256, on every
    run (``bifoga inspect`` names the hash the window sends)."""
    import pikepdf

    from app.inspection.pdf_strip import strip

    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PasswordError, pikepdf.PdfError, OSError, ValueError, RuntimeError):
        return None, []
    with pdf:
        if pdf.is_encrypted:
            return None, []
        try:
            stripped = strip(pdf)
        except (pikepdf.PdfError, ValueError, RuntimeError, TypeError):
            stripped = []  # a broken structure: the inspection says what it finds
        if not stripped and not hidden:
            return None, []
        rewritten = io.BytesIO()
        try:
            pdf.save(
                rewritten,
                compress_streams=True,
                fix_metadata_version=False,
                deterministic_id=True,
                object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            )
        except (pikepdf.PdfError, ValueError, RuntimeError):
            return None, []
    return rewritten.getvalue(), stripped


def _bomb(data: bytes, media_type: str) -> bool:
    if media_type != filetypes.PDF:
        return False
    from app.inspection.pdf_unpacked import unpacked_beyond
    from app.inspection.policy import default_policy

    return unpacked_beyond(data, default_policy().limits.max_unpacked_bytes)


def remove_hidden(path: Path) -> Sanitized:
    """Rewrite the staged copy at ``path`` without what no viewer shows, and make the
    safe accessibility repairs (``pdf_repair``); return whether it changed and what was
    removed (``Hidden.kinds`` and ``pdf_strip``'s kinds) and repaired (``pdf.repaired_*``),
    for its inspection (``InspectRequest.removed``).

    Images always lose their metadata here too. Runs in the inspect worker (qpdf and
    the image walkers parse untrusted input). What a rewrite cannot remove stays, and
    the inspection refuses the file for it.
    """
    data = read_plain(path)  # once: a working copy is opened (decrypted) in memory
    media_type = filetypes.sniff(data[: filetypes.SNIFF_BYTES])
    if media_type is None or _bomb(data, media_type):
        return UNCHANGED  # a bomb is left as it is: the inspection refuses it unparsed
    before = _hidden_in(data, media_type)
    rewritten: bytes | None
    stripped: list[str] = []
    if media_type == filetypes.PDF:
        # A PDF with nothing hidden and nothing to strip stays byte for byte the file
        # that was chosen.
        rewritten, stripped = _rewrite_pdf(data, bool(before))
    else:
        from app.inspection.image_sanitize import strip_image_metadata

        rewritten = strip_image_metadata(data)  # metadata, and what follows the image's end
    repaired: list[str] = []
    if media_type == filetypes.PDF:
        from app.inspection.pdf_repair import repair_pdf

        # Accessibility repairs on the cleaned bytes, so the preview shows the result.
        outcome = repair_pdf(rewritten or data)
        if outcome is not None:
            rewritten, repaired = outcome
    if rewritten is None or rewritten == data:
        return UNCHANGED
    # In memory until here: a sealed working copy is written sealed again, atomically.
    replace_plain(path, rewritten)
    after = _hidden_in(rewritten, media_type) if before else before
    removed = [kind for kind in before.kinds() if kind not in after.kinds()] + stripped
    return Sanitized(changed=True, removed=tuple(removed) + tuple(repaired))


def known_removed(removed: tuple[str, ...] | list[str]) -> list[str]:
    """The kinds in ``removed`` that name hidden content (anything else is not believed:
    the list came from a worker, or from a draft restored from disk)."""
    return [kind for kind in removed if isinstance(kind, str) and _known(kind)]


def _known(kind: str) -> bool:
    base, _, detail = kind.partition(":")
    if base == "second_format":
        return detail in {"HTML", "ZIP", "EXE", "ELF", "Mach-O", "script"}
    return base in {"after_end", "old_revisions", "unreferenced", *pdf_strip_kinds()}


def pdf_strip_kinds() -> tuple[str, ...]:
    from app.inspection.pdf_strip import KINDS

    return KINDS


def iter_findings(hidden: Hidden, removed: list[str]) -> Iterator[tuple[str, str | None]]:
    """(code, the other format's name or None) for what was removed (information) and
    what is still there (refusals: the rewrite could not remove it)."""
    for kind in removed:
        base, _, detail = kind.partition(":")
        if base == "second_format":
            yield "file.hidden_format_removed", detail
        elif base == "after_end":
            yield "file.hidden_after_end_removed", None
        elif base in pdf_strip_kinds():
            yield f"pdf.{base}_removed", None
        else:
            yield f"pdf.hidden_{base}_removed", None
    if hidden.after_end:
        yield "file.hidden_after_end", None
    if hidden.old_revisions:
        yield "pdf.hidden_old_revisions", None
    if hidden.unreferenced:
        yield "pdf.hidden_unreferenced", None
    if hidden.second_format:
        yield "file.polyglot", hidden.second_format
