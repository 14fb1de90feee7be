"""F1: the region's rules in short, whom to call, and every keyboard shortcut."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.config.settings import Contact
from app.deviation.contacts import ContactRole, is_placeholder, reach
from ui.common.i18n import strip_mnemonic, tr
from ui.common.shortcuts import PREVIEW_KEYS, SHORTCUTS

#: The sections, in the order a clinician meets them.
SECTIONS = (
    "help.attach",
    "help.preview",
    "help.colleague",
    "help.drafts",
    "help.wrong_file",
    "help.storage",
    "help.shared_computer",
)


def _contact_line(contact: Contact) -> str:
    """Name and number (never broken across lines); the shipped example's "Fyll i: ..."
    is not a person: the region has not filled in who it is."""
    if is_placeholder(contact.name):
        known = contact.role in {role.value for role in ContactRole}
        role = tr(f"deviation.contact.role.{contact.role}") if known else contact.role
        return tr("help.contacts.not_filled_in", role=role)
    how = reach(contact)
    return contact.name + (f": {how}" if how else "")


def help_html(contacts: Sequence[Contact]) -> str:
    parts = [f"<h1>{html.escape(tr('help.title'))}</h1>"]
    for code in SECTIONS:
        parts.append(f"<h2>{html.escape(tr(code + '.heading'))}</h2>")
        parts.append(f"<p>{html.escape(tr(code + '.text'))}</p>")
    parts.append(f"<h2>{html.escape(tr('help.contacts.heading'))}</h2><ul>")
    for contact in contacts:
        parts.append(f"<li>{html.escape(_contact_line(contact))}</li>")
    parts.append("</ul>")
    parts.append(f"<h2>{html.escape(tr('help.shortcuts.heading'))}</h2><table>")
    for code, keys in (*SHORTCUTS, *PREVIEW_KEYS):
        text = html.escape(strip_mnemonic(tr(code)))
        parts.append(f"<tr><td><b>{html.escape(key_names(keys))}</b></td><td>{text}</td></tr>")
    parts.append("</table>")
    return "\n".join(parts)


def key_names(keys: str) -> str:
    """``Ctrl+Return`` as the keyboard's language writes it (``Ctrl+Retur``)."""
    return " / ".join(
        QKeySequence(part.strip()).toString(QKeySequence.SequenceFormat.NativeText) or part
        for part in keys.split(" / ")
    )


class HelpWindow(QDialog):
    def __init__(self, contacts: Sequence[Contact], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("help.window_title"))
        self.setObjectName("help")
        layout = QVBoxLayout(self)
        self.browser = QTextBrowser()
        self.browser.setAccessibleName(tr("help.window_title"))
        self.browser.setOpenExternalLinks(False)
        self.browser.setHtml(help_html(contacts))
        layout.addWidget(self.browser)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(tr("ui.close_button"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if parent is not None:
            self.resize(min(760, parent.width()), min(640, parent.height()))
        self.browser.setFocus()


def about_text() -> str:
    """Hjälp → Om Bifoga: the version (``app.__version__``, written once) and what it is."""
    return tr("help.about.text", version=__version__)


def show_about(parent: QWidget) -> QMessageBox:
    """Hjälp → Om Bifoga, not blocking (it closes itself when its window does)."""
    box = QMessageBox(QMessageBox.Icon.Information, tr("help.about.title"), about_text())
    box.setParent(parent, box.windowFlags())
    box.setObjectName("about")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
