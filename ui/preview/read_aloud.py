""" "Uppläst": the file as a screen reader will take it, in reading order, beside the page.

Headings with their levels, paragraphs, list items, table cells with their headers,
figures' alternative texts (or that there is none), links. The pieces come from the
render worker (``RenderClient.read_aloud``, ``app.preview.read_aloud``), once per file; the
toggle in the preview's tools shows them. The same text is what the page on screen
exposes to a screen reader (its accessible description), so a blind clinician hears the
page they are asked to check: ``page_text`` gives it, ``page_text_ready`` says it came.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QBoxLayout, QTextBrowser, QToolButton, QWidget

from app.drafts.message_draft import Attachment
from app.isolation.worker import IsolatedWorker
from app.preview.reading import ReadItem, on_page
from app.preview.render_client import RenderClient
from app.protocol import filetypes
from ui.common.i18n import tr
from ui.common.workers import run_in_background

_SEPARATOR = "\n\n"


def spoken(item: ReadItem) -> str:
    """One piece as a screen reader announces it, in the window's language."""
    if item.kind == "heading":
        if item.level:
            return tr("ui.preview.read_aloud.heading", level=item.level, text=item.text)
        return tr("ui.preview.read_aloud.heading_no_level", text=item.text)
    if item.kind == "figure" and not item.text:
        return tr("ui.preview.read_aloud.figure_without_alt")
    if item.kind == "cell" and item.header:
        return tr("ui.preview.read_aloud.cell_with_header", header=item.header, text=item.text)
    return tr(f"ui.preview.read_aloud.{item.kind}", text=item.text)


def page_text(items: Sequence[ReadItem], page: int) -> str:
    """What a screen reader reads of ``page`` (0-based), one piece a line."""
    return "\n".join(spoken(item) for item in on_page(items, page))


def as_html(items: Sequence[ReadItem], current: int) -> tuple[str, list[int]]:
    """The view's text, and the page each of its blocks belongs to (one block a part)."""
    parts: list[str] = []
    pages: list[int] = []
    page = -1
    for item in items:
        if item.page != page:
            page = item.page
            pages.append(page)
            title = tr("ui.preview.read_aloud.page", page=page + 1) + (
                " ◀" if page == current else ""
            )
            parts.append(f'<h3><a name="page{page}"></a>{html.escape(title)}</h3>')
        text = html.escape(spoken(item))
        parts.append(f"<h4>{text}</h4>" if item.kind == "heading" else f"<p>{text}</p>")
        pages.append(page)
    if not parts:
        return f"<p>{html.escape(tr('ui.preview.read_aloud.nothing'))}</p>", [-1]
    return "".join(parts), pages


class ReadAloud(QObject):
    """The toggle, the view and the pieces of the file shown in the preview."""

    #: (attachment id, 0-based page) when the page's read-aloud text is known
    page_text_ready = Signal(str, int)
    #: (attachment id, 0-based page) read through to its end in the view: it counts as
    #: seen, as a screen-reader user cannot look at the page's pixels
    page_read = Signal(str, int)

    def __init__(
        self, owner: QWidget, tools: QBoxLayout, worker: IsolatedWorker, page: QWidget
    ) -> None:
        super().__init__(owner)
        self._page_view = page
        self._block_pages: list[int] = []
        self._owner = owner
        self._worker = worker
        self._items: dict[str, tuple[ReadItem, ...]] = {}  # by content hash
        self._asked: set[str] = set()
        self._attachment: Attachment | None = None
        self._page = 0
        self.button = QToolButton()
        self.button.setText(tr("ui.preview.read_aloud.button"))
        self.button.setAccessibleName(tr("ui.preview.read_aloud.button_name"))
        self.button.setToolTip(tr("ui.preview.read_aloud.tip"))
        self.button.setCheckable(True)
        self.button.toggled.connect(self._toggled)
        tools.addWidget(self.button)
        self.view = QTextBrowser()
        self.view.setAccessibleName(tr("ui.preview.read_aloud.view"))
        self.view.setOpenLinks(False)
        self.view.setMinimumWidth(220)
        # A caret to read with, line by line, as a screen reader's review cursor does.
        self.view.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextBrowserInteraction
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.view.cursorPositionChanged.connect(self._caret_moved)
        self.view.hide()

    def items(self, attachment: Attachment) -> tuple[ReadItem, ...] | None:
        return self._items.get(attachment.sha256)

    def page_text(self, attachment: Attachment, page: int) -> str | None:
        """The page's read-aloud text; None while it is not known."""
        items = self._items.get(attachment.sha256)
        return None if items is None else page_text(items, page)

    def follow(self, attachment: Attachment | None, page: int) -> None:
        """The preview shows ``page`` of ``attachment``: show its pieces, fetch them when
        someone will read them (the view is open, or a screen reader is running)."""
        self._attachment, self._page = attachment, page
        readable = attachment is not None and attachment.media_type == filetypes.PDF
        self.button.setEnabled(readable)
        if attachment is None or not readable:
            self.view.setHtml("")
            return
        if attachment.sha256 in self._items:
            self._describe_page(attachment, page)
            self._show()
        elif self.view.isVisible() or QAccessible.isActive():
            self._fetch(attachment)

    def _toggled(self, on: bool) -> None:
        self.view.setVisible(on)
        self.follow(self._attachment, self._page)

    def _fetch(self, attachment: Attachment) -> None:
        key = attachment.sha256
        if key in self._asked:
            return
        self._asked.add(key)
        client, path = RenderClient(self._worker), Path(attachment.staged.path)

        def arrived(items: tuple[ReadItem, ...]) -> None:
            self._items[key] = items
            if self._attachment is not None and self._attachment.sha256 == key:
                self._describe_page(self._attachment, self._page)
            self._show()
            for page in sorted({item.page for item in items} | {0}):
                self.page_text_ready.emit(attachment.id, page)

        def failed(_error: BaseException) -> None:
            self._asked.discard(key)  # a later look may try again

        run_in_background(self._owner, lambda: client.read_aloud(path), arrived, failed)

    def _show(self) -> None:
        attachment = self._attachment
        if attachment is None or not self.view.isVisible():
            return
        items = self._items.get(attachment.sha256)
        if items is not None:
            text, self._block_pages = as_html(items, self._page)
            self.view.setHtml(text)
            self.view.scrollToAnchor(f"page{self._page}")

    def _describe_page(self, attachment: Attachment, page: int) -> None:
        """The page on screen tells a screen reader its text, after where it is."""
        text = self.page_text(attachment, page)
        if not text:
            return
        base = self._page_view.accessibleDescription().split(_SEPARATOR)[0]
        self._page_view.setAccessibleDescription(base + _SEPARATOR + text)

    def _caret_moved(self) -> None:
        """The caret on a page's last line: that page was read through."""
        attachment = self._attachment
        block = self.view.textCursor().blockNumber()
        pages = self._block_pages
        if attachment is None or not 0 <= block < len(pages) or pages[block] < 0:
            return
        last = block + 1 >= len(pages) or pages[block + 1] != pages[block]
        if last:
            self.page_read.emit(attachment.id, pages[block])
