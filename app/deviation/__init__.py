"""After a wrong file: the deviation report, the IMY deadline, whom to contact, the
deletion request, and the report as plain text and as a tagged PDF (docs/requirements.md R9, R10).

The domain side only: codes and data, sentences from ``resources/texts/deviation.json``.
See docs/deviation.md. ``report_pdf`` loads pikepdf and fontTools, so it is imported from
``app.deviation.report_pdf`` where a PDF is wanted.
"""

from __future__ import annotations

from app.deviation.contacts import ContactAdvice, ContactRole, contacts_for_report, contacts_to_make
from app.deviation.deadline import IMY_REPORTING_WINDOW, ImyDeadline, TimeLeft, imy_deadline
from app.deviation.deletion import DeletionRequest, deletion_request
from app.deviation.document import ReportDocument, compose
from app.deviation.plain_text import plain_text, render_plain_text
from app.deviation.report import (
    DeviationInputError,
    DeviationReport,
    Retraction,
    RetractionStatus,
    SensitiveData,
    SentFile,
    SignOff,
    StaffMember,
    build_report,
)

__all__ = [
    "IMY_REPORTING_WINDOW",
    "ContactAdvice",
    "ContactRole",
    "DeletionRequest",
    "DeviationInputError",
    "DeviationReport",
    "ImyDeadline",
    "ReportDocument",
    "Retraction",
    "RetractionStatus",
    "SensitiveData",
    "SentFile",
    "SignOff",
    "StaffMember",
    "TimeLeft",
    "build_report",
    "compose",
    "contacts_for_report",
    "contacts_to_make",
    "deletion_request",
    "imy_deadline",
    "plain_text",
    "render_plain_text",
]
