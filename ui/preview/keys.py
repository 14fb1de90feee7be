"""The preview pane's keys: Page Down and Page Up go through a tall page before the next,
the arrows through a wide one, Home and End to the first and last page, and zoom, turn
and highlights (the shortcuts the help window lists, ``ui.window.actions``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QWidget

from app.preview.zoom import ZOOM_STEP
from ui.preview.page_screen import PageArea, PageScreen


class PagedPane(Protocol):
    """What the keys drive: the preview pane (``ui.preview.pane``), named by what it does so
    that this module needs nothing of the pane's own."""

    @property
    def scroll_area(self) -> PageArea: ...

    @property
    def highlights_button(self) -> QAbstractButton: ...

    @property
    def current_page(self) -> int: ...

    @property
    def page_count(self) -> int | None: ...

    def go_to(self, page: int) -> None: ...

    def zoom_by(self, factor: float) -> None: ...

    def fit_page(self) -> None: ...

    def rotate(self, degrees: int = 90) -> None: ...


def last_page(page_count: int | None) -> int:
    """The last 0-based page of a file with ``page_count`` pages (0 while unknown)."""
    return max(0, (page_count or 1) - 1)


def bind_preview_keys(pane: PagedPane, owner: QWidget, screen: PageScreen) -> None:
    """The keys work while the focus is anywhere in ``owner`` (the pane's widget)."""
    area = pane.scroll_area

    def page_down() -> None:
        if not area.scroll_down():  # the rest of a tall page first
            pane.go_to(pane.current_page + 1)

    def page_up() -> None:
        if not area.scroll_up() and pane.current_page > 0:
            screen.arrive_at_bottom()  # at the bottom of the previous page
            pane.go_to(pane.current_page - 1)

    def sideways(step: int) -> None:
        if not area.scroll_sideways(step):  # a page wider than the pane first
            pane.go_to(pane.current_page + step)

    bindings: list[tuple[QKeySequence, Callable[[], object]]] = [
        (QKeySequence(QKeySequence.StandardKey.MoveToNextPage), page_down),
        (QKeySequence(QKeySequence.StandardKey.MoveToPreviousPage), page_up),
        (QKeySequence(Qt.Key.Key_Right), lambda: sideways(+1)),
        (QKeySequence(Qt.Key.Key_Left), lambda: sideways(-1)),
        (QKeySequence(Qt.Key.Key_Home), lambda: pane.go_to(0)),
        (QKeySequence(Qt.Key.Key_End), lambda: pane.go_to(last_page(pane.page_count))),
        (QKeySequence(QKeySequence.StandardKey.ZoomIn), lambda: pane.zoom_by(ZOOM_STEP)),
        (QKeySequence("Ctrl+="), lambda: pane.zoom_by(ZOOM_STEP)),
        (QKeySequence(QKeySequence.StandardKey.ZoomOut), lambda: pane.zoom_by(1 / ZOOM_STEP)),
        (QKeySequence("Ctrl+0"), pane.fit_page),
        (QKeySequence("Ctrl+R"), pane.rotate),
        (QKeySequence("Ctrl+M"), pane.highlights_button.toggle),
    ]
    for keys, action in bindings:
        shortcut = QShortcut(keys, owner)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(action)
