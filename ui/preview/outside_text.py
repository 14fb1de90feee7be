"""The list under the preview: "Text i filen utanför sidorna".

A PDF carries text beside its pages (its title, comments and their pop-ups, form
fields' values, bookmarks, links, alternate texts, attached files' names), and the file
has a name; a resident's reader shows them. Those that hold personal data (which counts
for the sign-off and the other-resident rules like a hit on a page) are listed here for
the clinician and the colleague signing off, each with its place, page and hits. From
the file's inspection report (``InspectionReport.outside``); hidden when there is none.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QVBoxLayout, QWidget

from app.inspection.report import InspectionReport, OutsideText
from ui.common.i18n import tr

#: Entries shown; the rest are counted in one last line.
MAX_SHOWN = 50
_ROWS = 4  # rows the list shows before it scrolls


def entry_text(outside: OutsideText) -> str:
    """One line: where the text is, the text, and the personal data in it."""
    place = tr(f"ui.outside.place.{outside.place}")
    text = " ".join(outside.text.split())
    line = (
        tr("ui.outside.entry_on_page", place=place, page=outside.page, text=text)
        if outside.page
        else tr("ui.outside.entry", place=place, text=text)
    )
    if outside.masked:
        line += " — " + tr("ui.outside.hits", hits=", ".join(dict.fromkeys(outside.masked)))
    return line


class OutsideTextList(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._report: InspectionReport | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(tr("ui.outside.heading"))
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        layout.addWidget(self.heading)
        self.list = QListWidget()
        self.list.setAccessibleName(tr("ui.outside.heading"))
        self.list.setWordWrap(True)
        self.heading.setBuddy(self.list)
        layout.addWidget(self.list)
        self.hide()

    def entries(self) -> list[str]:
        return [self.list.item(row).text() for row in range(self.list.count())]

    def show_report(self, report: InspectionReport | None) -> None:
        """Show what ``report`` lists beside the pages (nothing: hidden)."""
        if report is self._report:
            return
        self._report = report
        self.list.clear()
        outside = report.outside if report is not None else ()
        for item in outside[:MAX_SHOWN]:
            self.list.addItem(entry_text(item))
        if len(outside) > MAX_SHOWN:
            self.list.addItem(tr("ui.outside.more", count=len(outside) - MAX_SHOWN))
        row = self.list.sizeHintForRow(0) if self.list.count() else 0
        rows = min(self.list.count(), _ROWS)
        self.list.setMaximumHeight(rows * max(row, 1) + 2 * self.list.frameWidth() + 2)
        self.setVisible(bool(outside))
