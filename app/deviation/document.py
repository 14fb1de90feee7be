"""The report as a document in one language: headings, paragraphs, tables and lists.

Composed once from the report (codes and data) and the text catalogue, then drawn by two
renderers: plain text for the region's deviation system (``plain_text.py``) and the
tagged PDF (``report_pdf.py``). Keeping the words here means both say the same thing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from app.config.settings import Contact
from app.config.texts import LANGUAGES, message
from app.deviation.contacts import ContactAdvice, contacts_for_report, names_only_its_role
from app.deviation.deadline import imy_deadline
from app.deviation.deletion import deletion_portal_line
from app.deviation.formatting import format_time, person, retraction_line
from app.deviation.report import DeviationReport, RetractionStatus, SentFile

#: BCP 47 tags for the PDF's /Lang, one per language of the text catalogue.
LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-GB"}


@dataclass(frozen=True, slots=True)
class Heading:
    level: int  # 1 for the title, 2 for a section
    text: str


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """Two columns: each row a label (a row header) and its value."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ItemList:
    """A list; an item's lines (``\\n``) belong together, e.g. one file's facts."""

    items: tuple[str, ...]


Block = Heading | Paragraph | Table | ItemList


@dataclass(frozen=True, slots=True)
class ReportDocument:
    title: str
    lang: str  # "sv" or "en", for words a renderer adds (the PDF's page numbers)
    language_tag: str
    blocks: tuple[Block, ...]


def _checked_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    return lang


def _file_item(file: SentFile, lang: str) -> str:
    purpose = "deviation.file.wrong" if file.sent_by_mistake else "deviation.file.meant"
    lines = [
        file.name,
        message("deviation.file.sha256", lang, {"sha256": file.sha256}),
        message(purpose, lang),
        message(f"deviation.data.{file.data.value}", lang),
    ]
    if file.sent_by_mistake or file.retraction.status is not RetractionStatus.NOT_REQUESTED:
        lines.append(retraction_line(file, lang))
    return "\n".join(lines)


def contact_line(advice: ContactAdvice, lang: str) -> str:
    """One contact by role and name, and why. Phone numbers and e-mail addresses stay in
    the window: in the report they would make the report itself a file with personal data."""
    params = {
        "role": message(f"deviation.contact.role.{advice.role.value}", lang),
        "reason": message(advice.reason, lang),
    }
    if advice.contact is None:
        return message("deviation.contact.not_configured", lang, params)
    if names_only_its_role(advice.contact, params["role"]):
        return message("deviation.contact.role_only", lang, params)
    return message("deviation.contact.named", lang, {**params, "name": advice.contact.name})


def _sent_table(report: DeviationReport, lang: str) -> Table:
    sign_off = message("deviation.sign_off.none", lang)
    if report.sign_off is not None:
        reviewer = person(report.sign_off.reviewer, lang)
        signed_at = report.sign_off.signed_at
        sign_off = (
            message(
                "deviation.sign_off.by",
                lang,
                {"person": reviewer, "time": format_time(signed_at, lang)},
            )
            if signed_at is not None
            else reviewer
        )
    rows = (
        ("deviation.field.message_id", report.message_id),
        ("deviation.field.kind", message(f"deviation.kind.{report.kind.value}", lang)),
        ("deviation.field.case", report.case_id or message("deviation.case.none", lang)),
        ("deviation.field.subject", report.subject),
        ("deviation.field.sent_at", format_time(report.sent_at, lang)),
        ("deviation.field.sender", person(report.sender, lang)),
        ("deviation.field.sign_off", sign_off),
        ("deviation.field.recipient_count", str(report.recipient_count)),
    )
    return Table(tuple((message(code, lang), value) for code, value in rows))


def _found_blocks(report: DeviationReport, now: dt.datetime, lang: str) -> list[Block]:
    blocks: list[Block] = [
        Paragraph(message("deviation.found_at", lang, {"time": format_time(report.found_at, lang)}))
    ]
    deadline = imy_deadline(report)
    if deadline is None:
        blocks.append(Paragraph(message("deviation.imy.not_needed", lang)))
        return blocks
    blocks.append(
        Paragraph(
            message(
                "deviation.imy.deadline",
                lang,
                {"deadline": format_time(deadline.deadline, lang)},
            )
        )
    )
    left = deadline.time_left(now)
    code = "deviation.imy.overdue" if left.overdue else "deviation.imy.time_left"
    blocks.append(Paragraph(message(code, lang, {"hours": left.hours, "minutes": left.minutes})))
    return blocks


def compose(
    report: DeviationReport,
    *,
    contacts: Sequence[Contact],
    portal_url: str,
    now: dt.datetime,
    lang: str,
) -> ReportDocument:
    """The whole report in ``lang`` ("sv" or "en"), as made at ``now``."""
    lang = _checked_language(lang)
    title = message("deviation.title", lang)
    recipients_code = (
        "deviation.recipients.many" if report.recipient_count > 1 else "deviation.recipients.one"
    )
    blocks: list[Block] = [
        Heading(1, title),
        Paragraph(message("deviation.times_note", lang, {"time": format_time(now, lang)})),
        Heading(2, message("deviation.section.sent", lang)),
        _sent_table(report, lang),
        Heading(2, message("deviation.section.recipients", lang)),
        Paragraph(message(recipients_code, lang, {"count": report.recipient_count})),
        ItemList(report.recipients_masked),
        Heading(2, message("deviation.section.files", lang)),
        ItemList(tuple(_file_item(f, lang) for f in report.files)),
        Heading(2, message("deviation.section.found", lang)),
        *_found_blocks(report, now, lang),
        Heading(2, message("deviation.section.contacts", lang)),
        ItemList(tuple(contact_line(a, lang) for a in contacts_for_report(report, contacts))),
        Heading(2, message("deviation.section.deletion", lang)),
        Paragraph(deletion_portal_line(report, portal_url, lang)),
    ]
    return ReportDocument(title, lang, LANGUAGE_TAGS[lang], tuple(blocks))
