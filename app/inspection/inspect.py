"""``inspect_file``: one file in, one report out, never an exception.

Runs in the isolated worker in the application (``app.runtime.worker_ops``: "inspect"), and
in-process in tests. Safe in-process too: every parser is bounded by the policy's
limits, and whatever goes wrong becomes a blocking finding rather than a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

from app.inspection.findings import FindingSink
from app.inspection.identity import identity_findings
from app.inspection.pdf_places import PlacedText, find_beside_pages
from app.inspection.personal_data import Detector
from app.inspection.policy import Policy, PolicyError, default_policy, load_policy
from app.inspection.report import InspectionReport, OutsideText, PersonalDataHit
from app.inspection.sniff import check_file, read_file
from app.protocol import filetypes
from app.storage.sealed import SealedError, read_plain
from app.storage.storage_key import StorageKeyError

if TYPE_CHECKING:
    from app.inspection.pdf_source import PdfSource

log = logging.getLogger(__name__)


@cache
def _detector(clinic_phone_numbers: tuple[str, ...] = ()) -> Detector:
    """The personal-data detector, built once per process and clinic (it compiles its
    patterns); the clinic's own numbers are not a resident's personal data."""
    return Detector(clinic_phone_numbers=clinic_phone_numbers)


def _policy(policy_path: str | None, sink_holder: list[str]) -> Policy:
    try:
        return load_policy(policy_path)
    except PolicyError as error:
        log.error("inspection policy unusable, default used: %s", error)
        sink_holder.append("policy")
        return default_policy()


def inspect_file(
    path: str | Path,
    recipients: Sequence[str] = (),
    kind: str | None = None,
    policy_path: str | None = None,
    name: str | None = None,
    removed: tuple[str, ...] = (),
    clinic_phone_numbers: tuple[str, ...] = (),
) -> InspectionReport:
    """Inspect the file at ``path`` (its shown name is ``name``, else the file's own).
    ``removed``: what sanitising took out of this copy (``hidden.remove_hidden``).
    ``clinic_phone_numbers``: the clinic's own (the settings'), not counted as found.

    ``recipients`` (canonical identifiers) and ``kind`` (the message kind) let the
    identity check say when a file names a resident other than the recipient.
    """
    problems: list[str] = []
    policy = _policy(policy_path, problems)
    sink = FindingSink(policy)
    if problems:
        sink.add("file.inspection_failed", reason="policy")
    file_path = Path(path)
    try:
        facts = read_file(file_path)
    except (OSError, SealedError, StorageKeyError):  # gone, or a working copy not ours
        sink.add("file.unreadable", name=name or file_path.name)
        return InspectionReport(None, None, None, sink.result(), None)
    shown_name = name or file_path.name
    media_type = check_file(shown_name, facts, sink)
    content = _Content()
    # A PDF is read once and opened with qpdf once for all its checks (pdf_source.py).
    with _pdf_source(file_path, media_type) as source:
        # A decompression bomb is refused before any parser reads it (pdf_unpacked.py).
        if media_type is not None and not _unpacks_too_large(source, sink):
            try:
                hidden = partial(_hidden_findings, file_path, media_type, removed, sink, source)
                detector = _detector(tuple(clinic_phone_numbers))
                content = _inspect_content(file_path, media_type, sink, detector, source, hidden)
                # The name the resident sees is checked like the text in the file.
                content = content.with_beside([PlacedText("file_name", None, shown_name)], detector)
                sink.extend(identity_findings(list(content.hits), list(recipients), kind))
            except MemoryError:
                sink.add("file.inspection_out_of_memory")
            except Exception as error:  # a bug or a parser surprise must refuse, not crash
                log.warning("inspection failed: %s", type(error).__name__)
                sink.add("file.inspection_failed", reason=type(error).__name__)
    return InspectionReport(
        sha256=facts.sha256,
        media_type=media_type,
        pages=content.pages,
        findings=sink.result(),
        personal_data_found=content.found,
        hits=content.hits,
        outside=content.outside,
    )


def _pdf_source(path: Path, media_type: str | None) -> AbstractContextManager[PdfSource | None]:
    """The PDF's bytes (and, on first use, its qpdf reading) for all its checks; None for
    anything else. (A file over the size limit has no media type here: it is refused as
    too large and not read whole.)"""
    if media_type != filetypes.PDF:
        return nullcontext(None)
    from app.inspection.pdf_source import PdfSource

    return PdfSource(read_plain(path))


def _unpacks_too_large(source: PdfSource | None, sink: FindingSink) -> bool:
    """A PDF whose streams inflate past the policy's limit: refused before any parser
    inflates them (a decompression bomb), with ``pdf.too_large_unpacked``."""
    if source is None:
        return False
    from app.inspection.pdf_unpacked import unpacked_beyond

    limit = sink.policy.limits.max_unpacked_bytes
    if not unpacked_beyond(source.data, limit):
        return False
    sink.add("pdf.too_large_unpacked", limit_mb=limit // (1024 * 1024))
    return True


def _hidden_findings(
    path: Path,
    media_type: str,
    removed: tuple[str, ...],
    sink: FindingSink,
    source: PdfSource | None,
) -> None:
    """What was removed from this staged copy before its preview (information), and what
    it still carries that no viewer shows (refused: a rewrite could not remove it)."""
    from app.inspection.hidden import find_hidden, iter_findings, known_removed
    from app.inspection.pdf_repair import known_repairs

    for code in known_repairs(removed):
        sink.add(code)
    for code, other_format in iter_findings(
        find_hidden(path, media_type, source), known_removed(removed)
    ):
        if other_format is None:
            sink.add(code)
        else:
            sink.add(code, format=other_format)


@dataclass(frozen=True, slots=True)
class _Content:
    """What was found in the file's content: pages (frames), personal data, the texts
    beside the pages."""

    pages: int | None = None
    #: True: personal data found; False: looked in the text and found none; None: cannot
    #: tell (no text, or a picture: what it shows beyond its words is the sender's call).
    found: bool | None = None
    hits: tuple[PersonalDataHit, ...] = ()
    outside: tuple[OutsideText, ...] = ()
    beside: tuple[PlacedText, ...] = field(default=(), repr=False)

    def with_beside(self, more: Sequence[PlacedText], detector: Detector) -> _Content:
        """The texts beside the pages (and ``more``) checked: their hits count like a
        page's, for the sign-off, the other-resident and the bulk-send rules."""
        hits, outside = find_beside_pages([*self.beside, *more], detector)
        return _Content(
            self.pages,
            True if hits else self.found,
            self.hits + tuple(hits),
            tuple(outside),
        )


def _inspect_content(
    path: Path,
    media_type: str,
    sink: FindingSink,
    detector: Detector,
    source: PdfSource | None,
    hidden: Callable[[], None],
) -> _Content:
    """What the file shows; ``hidden`` adds what it carries that no viewer shows (for a
    PDF, while a helper process reads its pages)."""
    if source is not None:
        from app.inspection.pdf import inspect_pdf

        result = inspect_pdf(source, sink, detector, meanwhile=hidden)
        return _Content(
            result.pages, result.personal_data_found, result.hits, beside=result.beside_pages
        )
    from app.inspection.image import inspect_image

    hidden()
    image = inspect_image(path, media_type, sink, detector)
    # What a picture shows beyond its words (a wound, a face) no detector can tell: only
    # words read in it decide "found"; otherwise the sender says.
    # A GIF's frames are its pages, as the preview draws them (a hit sits on its frame).
    return _Content(image.frames, True if image.hits else None, image.hits)
