"""One PDF as the checks of one inspection share it: its plain bytes, read once, and qpdf's
reading of them, opened once.

qpdf parses an object when it is first used. The hidden-content scan (``pdf_hidden``) uses
every object in the file, and the document checks (``pdf_document``) most of them again:
opened twice, a 500-page tagged letter was parsed twice (docs/inspection.md, "Speed").
The checks only read the opened file; none may change it (a rewrite opens its own:
``hidden.remove_hidden``). Runs in the inspect worker only.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from app.lifecycle import ClosedOnExit

if TYPE_CHECKING:
    import pikepdf


class PdfSource(ClosedOnExit):
    """The bytes of one PDF and, on first use, one ``pikepdf.Pdf`` of them; a ``with``
    block closes it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self._pdf: pikepdf.Pdf | None = None
        self._error: Exception | None = None

    def qpdf(self) -> pikepdf.Pdf:
        """qpdf's reading of the bytes, opened on the first call; raises what opening it
        raised (every call: each check reports it in its own way)."""
        if self._error is not None:
            raise self._error
        if self._pdf is None:
            import pikepdf  # here: whoever only passes the bytes on needs no parser

            try:
                self._pdf = pikepdf.open(io.BytesIO(self.data))
            except Exception as error:
                self._error = error
                raise
        return self._pdf

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
