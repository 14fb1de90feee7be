"""The request to delete a wrongly sent file (docs/requirements.md R10).

A file with personal data sent by mistake is deleted by the support for digital services
("verksamhetsstödet för digitala tjänster") once a case is registered in the region's
service portal. Bifoga cannot register it (the portal has no API here), so it prepares
the text to paste: what, when, which message, which files by name and SHA-256, which
residents (masked) and how far the retraction in 1177 has come. The portal's address is
region configuration, given by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from app.config.texts import message
from app.deviation.formatting import format_time, person, retraction_line
from app.deviation.report import DeviationReport, SentFile


@dataclass(frozen=True, slots=True)
class DeletionRequest:
    #: The files to ask deletion of: sent by mistake and holding personal data.
    files: tuple[SentFile, ...]
    #: The text to paste into the portal's case; empty when no file needs deleting.
    text: str
    #: The portal's address when it is a usable http(s) address, else ``None``.
    portal_url: str | None
    #: A text code when the portal's address is missing or unusable.
    portal_problem: str | None

    @property
    def needed(self) -> bool:
        return bool(self.files)


def usable_portal_url(portal_url: str) -> str | None:
    """``portal_url`` if a browser can open it as a web page, else ``None``."""
    candidate = portal_url.strip()
    parts = urlsplit(candidate)
    has_space = any(c.isspace() for c in candidate)
    if parts.scheme in ("https", "http") and parts.netloc and not has_space:
        return candidate
    return None


def files_to_delete(report: DeviationReport) -> tuple[SentFile, ...]:
    return tuple(f for f in report.wrong_files if f.holds_personal_data)


def _field(code: str, value: str, lang: str) -> str:
    return f"{message(code, lang)}: {value}"


def _request_text(report: DeviationReport, files: tuple[SentFile, ...], lang: str) -> str:
    intro = (
        message("deviation.deletion.intro", lang)
        if len(files) == 1
        else message("deviation.deletion.intro_many", lang, {"count": len(files)})
    )
    case = report.case_id or message("deviation.case.none", lang)
    lines = [
        message("deviation.deletion.heading", lang),
        "",
        intro,
        "",
        _field("deviation.field.message_id", report.message_id, lang),
        _field("deviation.field.kind", message(f"deviation.kind.{report.kind.value}", lang), lang),
        _field("deviation.field.case", case, lang),
        _field("deviation.field.sent_at", format_time(report.sent_at, lang), lang),
        _field("deviation.field.sender", person(report.sender, lang), lang),
        message("deviation.found_at", lang, {"time": format_time(report.found_at, lang)}),
        "",
        message("deviation.deletion.recipients", lang, {"count": report.recipient_count}) + ":",
        *report.recipients_masked,
    ]
    for file in files:
        lines += [
            "",
            _field("deviation.deletion.file", file.name, lang),
            message("deviation.file.sha256", lang, {"sha256": file.sha256}),
            message(f"deviation.data.{file.data.value}", lang),
            retraction_line(file, lang),
        ]
    return "\n".join(lines) + "\n"


def deletion_request(report: DeviationReport, *, portal_url: str, lang: str) -> DeletionRequest:
    """The deletion request in ``lang``; ``needed`` is false when no wrong file held
    personal data (the retraction in 1177 is then enough)."""
    url = usable_portal_url(portal_url)
    problem = None if url else "deviation.deletion.portal_missing"
    files = files_to_delete(report)
    text = _request_text(report, files, lang) if files else ""
    return DeletionRequest(files, text, url, problem)


def deletion_portal_line(report: DeviationReport, portal_url: str, lang: str) -> str:
    """One sentence for the report: where to ask for deletion, or why none is needed."""
    if not files_to_delete(report):
        return message("deviation.deletion.not_needed", lang)
    url = usable_portal_url(portal_url)
    if url is None:
        return message("deviation.deletion.portal_missing", lang)
    return message("deviation.deletion.where", lang, {"url": url})
