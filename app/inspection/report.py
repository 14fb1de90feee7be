"""What inspection says about one file: facts the UI and the send gate act on.

The inspector returns codes and data; sentences for people come from the text
catalogue (``resources/texts``) in the UI and the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"


class Verdict(StrEnum):
    OK = "ok"  # may be sent
    REVIEW = "review"  # may be sent after a second colleague's sign-off
    BLOCKED = "blocked"  # may not be sent


@dataclass(frozen=True, slots=True)
class Finding:
    code: str  # stable, e.g. "pdf.scanned_page"
    severity: Severity
    page: int | None = None  # 1-based; None for the whole file
    params: tuple[tuple[str, str | int], ...] = ()  # values for the message template

    @property
    def param_dict(self) -> dict[str, str | int]:
        return dict(self.params)


@dataclass(frozen=True, slots=True)
class PersonalDataHit:
    kind: str  # "personnummer", "samordningsnummer", "phone", "email", ...
    page: int | None  # 1-based
    masked: str  # what may be shown and logged, e.g. "19121212-****"
    #: (left, top, right, bottom) in PDF points from the page's top-left corner, if known.
    rect: tuple[float, float, float, float] | None = None
    #: The canonical identifier, kept for the identity match against recipients.
    #: Never shown or logged (repr=False keeps it out of tracebacks and debug output).
    identifier: str | None = field(default=None, repr=False)
    #: Where beside the pages the hit sits (``app.inspection.pdf_places.PLACES``:
    #: "title", "comment", "file_name", ...); None for a page's or a picture's text.
    place: str | None = None


@dataclass(frozen=True, slots=True)
class OutsideText:
    """A text a file carries beside its pages (a comment, a bookmark, a form field's
    value, the file's own name...), shown to the sender and the colleague as it is."""

    place: str  # as ``PersonalDataHit.place``
    page: int | None  # 1-based, when the text belongs to a page (an annotation)
    #: The text itself, shortened; it may hold personal data, so it stays out of repr.
    text: str = field(repr=False)
    #: What the detector found in it, masked (as the hits say).
    masked: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InspectionReport:
    sha256: str | None
    media_type: str | None
    pages: int | None
    findings: tuple[Finding, ...] = ()
    #: True: personal data found; False: looked and found none; None: cannot tell (image).
    personal_data_found: bool | None = None
    hits: tuple[PersonalDataHit, ...] = ()
    #: Texts beside the pages (PDF) and the file's name that hold personal data; see
    #: ``app.inspection.pdf_places``.
    outside: tuple[OutsideText, ...] = ()

    @property
    def page_hits(self) -> tuple[PersonalDataHit, ...]:
        """The hits on a page or in a picture (those the preview draws)."""
        return tuple(hit for hit in self.hits if hit.place is None)

    @property
    def blocked(self) -> bool:
        return any(f.severity is Severity.BLOCK for f in self.findings)

    @property
    def verdict(self) -> Verdict:
        if self.blocked:
            return Verdict.BLOCKED
        if self.personal_data_found is not False:
            return Verdict.REVIEW
        return Verdict.OK
