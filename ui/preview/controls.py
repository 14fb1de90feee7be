"""The preview pane's controls: the file name, the viewer's tools above the page and
the paging below it. Views only: each button calls back into the pane."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QToolButton

from app.drafts.message_draft import Attachment
from app.preview.zoom import ZoomMode
from ui.common.i18n import tr


class ElidedLabel(QLabel):
    """A file name that never pushes the counter out: it is shortened in the middle."""

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self._full = text
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(60)
        self.setText(text)

    def setText(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        shown = QFontMetrics(self.font()).elidedText(
            self._full, Qt.TextElideMode.ElideMiddle, max(20, self.width())
        )
        super().setText(shown)


class ViewerTools(QHBoxLayout):
    """Zoom on the left, the page's own tools (turn, highlights) on the right.

    ``highlights_button`` is checkable: its ``toggled`` serves the click and Ctrl+M."""

    def __init__(
        self,
        zoom_by: Callable[[float], None],
        step: float,
        fit_width: Callable[[], None],
        fit_page: Callable[[], None],
        rotate: Callable[[], None],
    ) -> None:
        super().__init__()
        self.setSpacing(4)
        self.zoom_out_button = self._tool(
            "−", tr("ui.preview.pane.zoom_out"), tr("ui.preview.pane.zoom_out") + " (Ctrl+−)",
            lambda: zoom_by(1 / step),
        )  # fmt: skip
        self.zoom_label = QLabel()
        self.zoom_label.setAccessibleName(tr("ui.preview.pane.zoom_level"))
        self.zoom_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom_label.setMinimumWidth(
            QFontMetrics(self.zoom_label.font()).horizontalAdvance("400 %") + 8
        )
        self.addWidget(self.zoom_label)
        self.zoom_in_button = self._tool(
            "+", tr("ui.preview.pane.zoom_in"), tr("ui.preview.pane.zoom_in") + " (Ctrl++)",
            lambda: zoom_by(step),
        )  # fmt: skip
        self.fit_button = self._tool(
            tr("ui.preview.pane.fit_width_short"), tr("ui.preview.pane.fit_width"),
            tr("ui.preview.pane.fit_width"), fit_width,
        )  # fmt: skip
        self.fit_page_button = self._tool(
            tr("ui.preview.pane.fit_page_short"), tr("ui.preview.pane.fit_page"),
            tr("ui.preview.pane.fit_page") + " (Ctrl+0)", fit_page,
        )  # fmt: skip
        self.rotate_button = self._tool(
            "↻", tr("ui.preview.pane.rotate"), tr("ui.preview.pane.rotate") + " (Ctrl+R)", rotate
        )
        self.highlights_button = self._tool(
            tr("ui.preview.pane.highlights_short"), tr("ui.preview.pane.highlights"),
            tr("ui.preview.pane.highlights_tip") + " (Ctrl+M)", None,
        )  # fmt: skip
        self.highlights_button.setCheckable(True)
        self.highlights_button.setChecked(True)
        for button in (self.fit_button, self.fit_page_button):
            button.setCheckable(True)
        self.insertStretch(4, 1)

    def _tool(
        self, text: str, name: str, tip: str, action: Callable[[], None] | None
    ) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        if action is not None:
            button.clicked.connect(action)
        self.addWidget(button)
        return button

    def show_state(self, enabled: bool, zoom: ZoomMode, scale: float) -> None:
        for button in (
            self.zoom_in_button,
            self.zoom_out_button,
            self.fit_button,
            self.fit_page_button,
            self.rotate_button,
            self.highlights_button,
        ):
            button.setEnabled(enabled)
        self.fit_button.setChecked(zoom == "width")
        self.fit_page_button.setChecked(zoom == "page")
        self.zoom_label.setText(f"{round(scale * 100)} %" if enabled else "")


class PageNavigation(QHBoxLayout):
    """◀ Föregående   Sida 2 av 12   Nästa ▶, centred below the page."""

    def __init__(self, step: Callable[[int], None]) -> None:
        super().__init__()
        self.setSpacing(4)
        self.previous_button = QPushButton(tr("ui.preview.pane.previous"))
        self.previous_button.setToolTip(tr("ui.preview.pane.previous_tip"))
        self.previous_button.clicked.connect(lambda: step(-1))
        self.next_button = QPushButton(tr("ui.preview.pane.next"))
        self.next_button.setToolTip(tr("ui.preview.pane.next_tip"))
        self.next_button.clicked.connect(lambda: step(+1))
        self.page_label = QLabel()
        self.page_label.setAccessibleName(tr("ui.preview.pane.page_number"))
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page_label.setMinimumWidth(
            QFontMetrics(self.page_label.font()).horizontalAdvance("Sida 888 av 888") + 12
        )
        self.addStretch(1)
        for widget in (self.previous_button, self.page_label, self.next_button):
            self.addWidget(widget)
        self.addStretch(1)

    def show_state(self, page: int | None, count: int | None) -> None:
        """``page`` (0-based) of ``count``; None when no file is shown."""
        self.previous_button.setEnabled(page is not None and page > 0)
        self.next_button.setEnabled(page is not None and count is not None and page < count - 1)
        if page is None or count is None:
            self.page_label.setText("")
        else:
            self.page_label.setText(tr("ui.preview.pane.page_of", page=page + 1, pages=count))


class PreviewHeader(QHBoxLayout):
    """The file's name, and beside it (never squeezed) how many of its pages are seen."""

    def __init__(self) -> None:
        super().__init__()
        self.title = ElidedLabel(tr("ui.preview.pane.empty"))
        self.title.setAccessibleName(tr("ui.preview.pane.title"))
        title_font = QFont(self.title.font())
        title_font.setBold(True)
        self.title.setFont(title_font)
        self.seen_label = QLabel()
        self.seen_label.setAccessibleName(tr("ui.preview.pane.progress"))
        self.seen_label.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Preferred)
        self.addWidget(self.title, 1)
        self.addWidget(self.seen_label)

    def show_progress(self, attachment: Attachment | None, count: int | None) -> None:
        """ "3 av 12 sidor granskade", green once every page is seen."""
        if attachment is None or count is None:
            self.seen_label.setText("")
            return
        seen = len(attachment.seen_pages)
        self.seen_label.setText(tr("ui.preview.pane.seen_of", seen=seen, pages=count))
        done = seen >= count
        self.seen_label.setStyleSheet("color: #1e7a3c; font-weight: bold;" if done else "")
