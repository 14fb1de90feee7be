"""The sandbox's web pages: the start page and a resident's inbox, in Swedish.

Every value that comes from data (names, subjects, message text, file names) goes through
``html.escape``; links are built from ids the server made or validated, and quoted too.
"""

from __future__ import annotations

import html
import sqlite3
from collections.abc import Iterable, Mapping
from urllib.parse import quote

from sandbox.demo import StaffMember

_KIND_LABELS = {
    "reply": "Svar",
    "partial_reply": "Delsvar",
    "counter_question": "Motfråga",
    "new_case": "Nytt ärende",
}
_ROLE_LABELS = {"sender": "avsändare", "reviewer": "granskare"}

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem;
       line-height: 1.45; padding: 0 1rem; }
table { border-collapse: collapse; } td, th { border: 1px solid #bbb; padding: .3rem .6rem; }
th { text-align: left; background: #eee; }
.message { border: 1px solid #bbb; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
.text { white-space: pre-wrap; }
.retracted { color: #666; font-style: italic; }
.note { background: #fff6d6; padding: .5rem 1rem; border-radius: 6px; }
.question { border: 2px solid #c90; border-radius: 6px; padding: .8rem 1rem; margin: 1rem 0; }
textarea { width: 100%; min-height: 6rem; font: inherit; }
"""


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="sv"><head><meta charset="utf-8">'
        f"<title>{_e(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def _answer_form(case: sqlite3.Row) -> str:
    action = f"/sandbox/cases/{quote(case['case_id'], safe='')}/resident-answers"
    return (
        f'<section class="question" id="svara-{_e(case["case_id"])}">'
        f"<h2>Vårdcentralen väntar på ditt svar: {_e(case['subject'])}</h2>"
        f"<p>Ärende {_e(case['case_id'])}. Svara på motfrågan här.</p>"
        f'<form method="post" action="{_e(action)}">'
        '<label>Ditt svar<br><textarea name="body" required maxlength="20000"></textarea>'
        '</label><p><button type="submit">Skicka svar</button></p></form></section>'
    )


def _answers_list(answers: Iterable[sqlite3.Row]) -> str:
    items = "".join(
        f"<li>Ärende {_e(a['case_id'])} · <time>{_e(a['answered_at'])}</time>"
        f'<div class="text">{_e(a["body"])}</div></li>'
        for a in answers
    )
    return f"<h2>Dina svar</h2><ul>{items}</ul>" if items else ""


def start_page(
    staff: Iterable[StaffMember],
    pins: Mapping[str, str],
    residents: Iterable[tuple[str, str]],
    issuer: str,
    client_id: str,
) -> str:
    staff_rows = "".join(
        f"<tr><td><code>{_e(s.staff_id)}</code></td>"
        f"<td><code>{_e(pins.get(s.staff_id, ''))}</code></td>"
        f"<td>{_e(s.name)}</td><td>{_e(s.unit)}</td>"
        f"<td>{_e(', '.join(_ROLE_LABELS.get(r, r) for r in s.roles))}</td></tr>"
        for s in staff
    )
    resident_rows = "".join(
        f"<tr><td>{_e(name)}</td><td><code>{_e(rid)}</code></td>"
        f'<td><a href="/sandbox/inbox/{quote(rid)}">Inkorg</a></td></tr>'
        for rid, name in residents
    )
    body = (
        "<h1>Bifoga – sandlåda (testmiljö)</h1>"
        '<p class="note">Det här är en testgateway. Inga riktiga meddelanden skickas; '
        "personnumren är Skatteverkets testpersonnummer.</p>"
        "<h2>Personal och deras demokort</h2>"
        "<p>Logga in i Bifoga med sandlådans identitetsleverantör: välj kortet och skriv "
        "dess PIN-kod på inloggningssidan.</p>"
        "<table><tr><th>Användar-id (HSA-id)</th><th>PIN-kod</th><th>Namn</th>"
        f"<th>Enhet</th><th>Roller</th></tr>{staff_rows}</table>"
        f"<h2>Identitetsleverantör</h2><p>Utfärdare (issuer): <code>{_e(issuer)}</code>, "
        f"klient-id <code>{_e(client_id)}</code> · "
        f'<a href="{_e(issuer)}/.well-known/openid-configuration">OpenID-konfiguration</a></p>'
        "<h2>Invånare</h2><table><tr><th>Namn</th><th>Person-/samordningsnummer</th>"
        f"<th></th></tr>{resident_rows}</table>"
        '<p><a href="/sandbox/ledger">Leveranslogg (JSON)</a> · '
        '<a href="/v1/openapi.json">Protokollet (OpenAPI)</a></p>'
    )
    return _page("Bifoga – sandlåda", body)


def inbox_page(
    resident_id: str,
    name: str | None,
    deliveries: Iterable[tuple[sqlite3.Row, list[sqlite3.Row]]],
    awaiting: Iterable[sqlite3.Row] = (),
    answers: Iterable[sqlite3.Row] = (),
) -> str:
    """``deliveries``: each delivery row (joined with its message) and its attachments;
    ``awaiting``: the resident's cases waiting for an answer to a counter-question (each
    gets a form); ``answers``: what the resident has answered."""
    items = []
    for delivery, attachments in deliveries:
        files = []
        for a in attachments:
            if a["retracted_at"] is not None:
                files.append(
                    f'<li class="retracted">{_e(a["filename"])} – filen har återkallats</li>'
                )
                continue
            href = (
                f"/sandbox/deliveries/{quote(delivery['delivery_id'])}"
                f"/attachments/{quote(a['sha256'])}"
            )
            files.append(
                f"<li>{_e(a['filename'])} "
                f'(<a href="{_e(href)}" target="_blank" rel="noopener">Öppna</a> · '
                f'<a href="{_e(href)}?download=1">Ladda ner</a>)</li>'
            )
        file_list = f"<ul>{''.join(files)}</ul>" if files else ""
        case = f" · ärende {_e(delivery['case_id'])}" if delivery["case_id"] else ""
        items.append(
            f'<article class="message" id="{_e(delivery["delivery_id"])}">'
            f"<h2>{_e(delivery['subject'])}</h2>"
            f"<p>{_e(_KIND_LABELS.get(delivery['kind'], delivery['kind']))}{case} · "
            f"från {_e(delivery['sender_name'])}, {_e(delivery['unit'])} · "
            f"<time>{_e(delivery['delivered_at'])}</time></p>"
            f'<div class="text">{_e(delivery["body"])}</div>{file_list}</article>'
        )
    heading = f"Inkorg för {name}" if name else "Inkorg"
    body = (
        f"<h1>{_e(heading)}</h1><p><code>{_e(resident_id)}</code> · "
        '<a href="/sandbox/">Till sandlådans startsida</a></p>'
        + "".join(_answer_form(case) for case in awaiting)
        + ("".join(items) if items else "<p>Inga meddelanden.</p>")
        + _answers_list(answers)
    )
    return _page(heading, body)
