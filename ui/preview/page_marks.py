"""What the preview marks on a page: personal data where it is, findings as banners, and
the same in words for a screen reader. From the file's inspection report."""

from __future__ import annotations

from PySide6.QtCore import QRectF

from app.inspection.report import InspectionReport, Severity
from app.preview.rendered_page import RenderedPage
from app.preview.seen_tracking import rotate_rect
from ui.common.i18n import tr
from ui.preview.page_view import Overlay


def banners(report: InspectionReport | None, number: int) -> list[tuple[str, str]]:
    """(severity, sentence) of what is shown as a banner on 1-based page ``number``."""
    if report is None:
        return []
    # Advice (info) stays in the attachment list; what must be acted on is on the page.
    shown = [
        (finding.severity.value, tr(finding.code, **finding.param_dict))
        for finding in report.findings
        if finding.page == number and finding.severity is not Severity.INFO
    ]
    # Hits beside the pages (a comment on this page) are in the list under the preview.
    unplaced = [h.masked for h in report.page_hits if h.page == number and h.rect is None]
    if unplaced:
        shown.append(("info", tr("ui.preview.pane.hits_on_page", hits=", ".join(unplaced))))
    return shown


def overlay(
    report: InspectionReport | None, page: RenderedPage, scale: float, rotation: int
) -> Overlay:
    """The page's highlights (in pixels at ``scale``, turned with the page) and banners."""
    if report is None:
        return Overlay()
    number = page.page_index + 1
    rects: list[QRectF] = []
    for hit in report.page_hits:
        if hit.page != number or hit.rect is None:
            continue
        left, top, right, bottom = rotate_rect(
            hit.rect, page.page_width, page.page_height, rotation
        )
        rects.append(
            QRectF(left * scale, top * scale, (right - left) * scale, (bottom - top) * scale)
        )
    return Overlay(rects, banners(report, number))


def describe(report: InspectionReport | None, page: int, count: int | None) -> str:
    """What a screen reader says about 0-based ``page``: where, and what is marked."""
    number = page + 1
    parts = [tr("ui.preview.pane.page_of", page=number, pages=count or "?")]
    if report is not None:
        hits = [h.masked for h in report.page_hits if h.page == number]
        if hits:
            parts.append(tr("ui.preview.pane.hits_on_page", hits=", ".join(hits)))
        parts += [tr(f.code, **f.param_dict) for f in report.findings if f.page == number]
    return " ".join(parts)
