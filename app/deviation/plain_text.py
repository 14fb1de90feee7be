"""The report as plain text, to copy into the region's deviation system.

Lines are not wrapped (the receiving form wraps them); headings are underlined so the
structure survives a paste into a plain text field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.config.settings import Contact
from app.deviation.document import Heading, ItemList, Paragraph, ReportDocument, Table, compose
from app.deviation.report import DeviationReport


def render_plain_text(document: ReportDocument) -> str:
    out: list[str] = []
    for block in document.blocks:
        if isinstance(block, Heading):
            if out:
                out.append("")
            out += [block.text, ("=" if block.level == 1 else "-") * len(block.text)]
        elif isinstance(block, Paragraph):
            out.append(block.text)
        elif isinstance(block, Table):
            out += [f"{label}: {value}" for label, value in block.rows]
        elif isinstance(block, ItemList):
            for item in block.items:
                first, *rest = item.split("\n")
                out.append(f"- {first}")
                out += [f"  {line}" for line in rest]
    return "\n".join(out) + "\n"


def plain_text(
    report: DeviationReport,
    *,
    contacts: Sequence[Contact],
    portal_url: str,
    now: dt.datetime,
    lang: str,
) -> str:
    """The report in ``lang`` ("sv" or "en") as plain text, as made at ``now``."""
    document = compose(report, contacts=contacts, portal_url=portal_url, now=now, lang=lang)
    return render_plain_text(document)
