"""Every piece of text a person can see or hear in a window: labels, buttons, fields'
placeholders, list rows, table headers, menus, tooltips, accessible names and
descriptions, and window titles."""

from __future__ import annotations

import re
from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QPlainTextEdit,
    QTextBrowser,
    QTreeView,
    QWidget,
)


def texts_of(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for ``root`` and every widget in it, shown or not yet shown."""
    for widget in [root, *root.findChildren(QWidget)]:
        where = f"{type(widget).__name__}:{widget.objectName()}"
        yield from _own_texts(widget, where)


def _own_texts(widget: QWidget, where: str) -> Iterator[tuple[str, str]]:
    if widget.isWindow():
        yield where, widget.windowTitle()
    yield where, widget.toolTip()
    yield where, widget.accessibleName()
    yield where, widget.accessibleDescription()
    if isinstance(widget, (QLabel, QAbstractButton)):
        yield where, widget.text()
    elif isinstance(widget, (QLineEdit, QPlainTextEdit)):
        yield where, widget.placeholderText()
    elif isinstance(widget, QGroupBox):
        yield where, widget.title()
    elif isinstance(widget, QComboBox):
        for index in range(widget.count()):
            yield where, widget.itemText(index)
    if isinstance(widget, QTextBrowser):
        yield where, widget.toPlainText()
    if isinstance(widget, QListWidget):
        for row in range(widget.count()):
            yield where, widget.item(row).text()
    if isinstance(widget, QTreeView) and widget.model() is not None:
        header = widget.header()
        for column in range(header.count()):
            title = widget.model().headerData(column, Qt.Orientation.Horizontal)
            if isinstance(title, str):
                yield where, title
    if isinstance(widget, QMenu):
        yield where, widget.title()
    for action in widget.actions():
        yield where, action.text()
        yield where, action.toolTip()


#: Words of English user interfaces that are no Swedish words (checked case-insensitively,
#: whole words). User content in these tests is Swedish, so any hit is the program's own.
ENGLISH = frozenset(
    [
        "cancel",
        "open",
        "look",
        "file",
        "files",
        "name",
        "size",
        "type",
        "date",
        "modified",
        "send",
        "reply",
        "sign",
        "secret",
        "page",
        "pages",
        "preview",
        "attach",
        "attached",
        "remove",
        "delete",
        "close",
        "help",
        "yes",
        "no",
        "back",
        "forward",
        "folder",
        "computer",
        "the",
        "and",
        "of",
        "to",
        "is",
        "not",
        "with",
        "for",
        "your",
        "please",
        "error",
        "refused",
        "try",
        "again",
        "draft",
        "drafts",
        "case",
        "cases",
        "recipient",
        "recipients",
        "subject",
        "message",
        "review",
        "reviewer",
        "approve",
        "decline",
        "detail",
        "view",
        "list",
        "parent",
        "directory",
        "create",
        "new",
        "show",
        "hidden",
        "sidebar",
        "places",
        "undo",
        "redo",
        "cut",
        "copy",
        "paste",
        "select",
        "all",
        "zoom",
        "width",
        "whole",
        "rotate",
        "previous",
        "next",
        "lock",
        "unlock",
        "quit",
        "settings",
        "waiting",
        "sent",
        "loading",
        "checking",
        "unknown",
        "found",
        "none",
    ]
)

#: Keys are named as printed on the keyboard, in Swedish windows too.
_KEY_NAMES = re.compile(r"\b(?:Page Up|Page Down|PgUp|PgDown|Home|End|Ctrl|Alt|Esc|Tab)\b")
#: A file path shown to the clinician is theirs, not the program's words.
_PATH = re.compile(r"(?:[A-Za-z]:)?[/\\][^\s)]+")
_WORD = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")
#: A raw code from the domain or the gateway shown as it is (``send.page_unseen``).
_RAW_CODE = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z]+_[a-z_]+\b")


def english_in(texts: Iterator[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """(where, text, why) for every text that reads as English or as a raw code."""
    found = []
    for where, text in texts:
        if not text:
            continue
        plain = _KEY_NAMES.sub(" ", _PATH.sub(" ", text.replace("&", "")))
        words = {w.lower() for w in _WORD.findall(plain)}
        english = sorted(words & ENGLISH)
        if english:
            found.append((where, text, ", ".join(english)))
        elif _RAW_CODE.search(plain):
            found.append((where, text, "raw code"))
    return found
