"""The case's conversation above the message: the resident's messages and answers and
what staff sent, newest at the bottom (:mod:`app.gateway.case_thread`). The window gives it a
fixed height, so nothing below it moves when another case is chosen; it scrolls."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from app.gateway.case_thread import CaseThread, ThreadEntry
from ui.common.i18n import tr, tr_plain


class ThreadView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(tr("ui.thread.heading"))
        layout.addWidget(self.heading)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(tr("ui.thread.heading"))
        self.browser.setOpenLinks(False)
        self.heading.setBuddy(self.browser)
        layout.addWidget(self.browser)
        self.shown: CaseThread | None = None
        self.show_text(tr("ui.thread.empty"))

    def show_text(self, text: str) -> None:
        self.shown = None
        self.browser.setPlainText(text)

    def show_thread(self, thread: CaseThread) -> None:
        if thread == self.shown:
            return  # a refresh with nothing new leaves the reader where they were
        self.shown = thread
        self.browser.setHtml("".join(_entry_html(e) for e in thread.entries))
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())  # the newest is at the bottom, and in view


def _entry_html(entry: ThreadEntry) -> str:
    when = html.escape(entry.sent_at[:16].replace("T", " "))
    if entry.from_resident:
        who = tr("ui.thread.resident")
    else:
        kind = tr_plain(f"ui.kind.{entry.kind}") if entry.kind else ""
        who = entry.sender_name + (f" ({kind})" if kind else "")
    body = html.escape(entry.body).replace("\n", "<br>")
    files = ""
    if entry.filenames:
        names = ", ".join(entry.filenames)
        files = f"<br><i>{html.escape(tr('ui.thread.files', names=names))}</i>"
    colour = "#eef3fb" if entry.from_resident else "#f4f4f4"
    return (
        f'<div style="background:{colour}; margin-bottom:6px;">'
        f"<b>{html.escape(who)}</b>, {when}<br>{body}{files}</div>"
    )
