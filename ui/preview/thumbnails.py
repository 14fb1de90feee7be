"""The strip of page thumbnails beside the page: where you are, what is seen, click to go.

Lazy by design: a 500-page file has 500 rows, but only the rows on screen are drawn, and
the pane asks the worker for those only, behind the page being read (see
:meth:`ThumbnailStrip.visible_rows`). A row without its picture yet shows a blank page.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.common.i18n import tr

#: Width of a thumbnail in logical pixels; its height follows the page.
THUMB_WIDTH = 76
_LABEL_HEIGHT = 18
_PADDING = 6
_SEEN = QColor(30, 130, 60)
_IMAGE_ROLE = Qt.ItemDataRole.UserRole
_SEEN_ROLE = Qt.ItemDataRole.UserRole + 1

Index = QModelIndex | QPersistentModelIndex


class _Model(QAbstractListModel):
    def __init__(self, image: Callable[[int], QImage | None], seen: Callable[[int], bool]) -> None:
        super().__init__()
        self._count = 0
        self._image = image
        self._seen = seen

    def set_count(self, count: int) -> None:
        if count != self._count:
            self.beginResetModel()
            self._count = count
            self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        row = index.row()
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row + 1)
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            key = (
                "ui.preview.pane.thumb_seen" if self._seen(row) else "ui.preview.pane.thumb_unseen"
            )
            return tr(key, page=row + 1)
        if role == _IMAGE_ROLE:
            return self._image(row)
        if role == _SEEN_ROLE:
            return self._seen(row)
        return None

    def changed(self, first: int, last: int) -> None:
        if self._count:
            first, last = max(0, first), min(self._count - 1, last)
            self.dataChanged.emit(self.index(first), self.index(last))


class _Delegate(QStyledItemDelegate):
    def __init__(self, strip: ThumbnailStrip) -> None:
        super().__init__(strip)
        self._strip = strip

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return self._strip.item_size()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        rect: QRect = option.rect
        state = option.state
        palette = option.palette
        painter.save()
        selected = bool(state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.highlight())
        thumb = self._strip.thumb_size()
        page = QRect(
            QPoint(rect.left() + (rect.width() - thumb.width()) // 2, rect.top() + _PADDING), thumb
        )
        image = index.data(_IMAGE_ROLE)
        painter.fillRect(page.translated(1, 1), QColor(0, 0, 0, 50))
        if isinstance(image, QImage) and not image.isNull():
            painter.drawImage(page, image)
        else:
            painter.fillRect(page, Qt.GlobalColor.white)
        painter.setPen(QPen(palette.mid().color(), 1))
        painter.drawRect(page.adjusted(0, 0, -1, -1))
        label = QRect(rect.left(), page.bottom() + 2, rect.width(), _LABEL_HEIGHT)
        font = QFont(painter.font())
        font.setBold(selected)
        painter.setFont(font)
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), str(index.data()))
        if index.data(_SEEN_ROLE):
            # A green tick in a disc at the page's corner: seen, whatever the colour scheme.
            badge = QRect(page.right() - 17, page.top() + 3, 15, 15)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_SEEN)
            painter.drawEllipse(badge)
            painter.setPen(QPen(Qt.GlobalColor.white, 2))
            c = badge.center()
            painter.drawPolyline(
                [
                    QPoint(c.x() - 4, c.y()),
                    QPoint(c.x() - 1, c.y() + 3),
                    QPoint(c.x() + 4, c.y() - 3),
                ]
            )
        painter.restore()


class ThumbnailStrip(QListView):
    #: The clinician chose a page here (0-based).
    page_chosen = Signal(int)
    #: Other rows came on screen: the pane may want their pictures.
    visible_changed = Signal()

    def __init__(
        self,
        image: Callable[[int], QImage | None],
        seen: Callable[[int], bool],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._aspect = 842 / 595
        self._model = _Model(image, seen)
        self.setModel(self._model)
        self.setItemDelegate(_Delegate(self))
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName(tr("ui.preview.thumbnails"))
        extent = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self.setFixedWidth(THUMB_WIDTH + 2 * _PADDING + extent + 2 * self.frameWidth() + 4)
        self._following = False
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.verticalScrollBar().valueChanged.connect(lambda _v: self.visible_changed.emit())

    def thumb_size(self) -> QSize:
        return QSize(THUMB_WIDTH, round(THUMB_WIDTH * self._aspect))

    def item_size(self) -> QSize:
        thumb = self.thumb_size()
        return QSize(thumb.width() + 2 * _PADDING, thumb.height() + _PADDING + _LABEL_HEIGHT + 4)

    def show_for_a_file(self, wanted: bool) -> bool:
        """Shown for every file (empty until the page count is known), so that the page
        neither jumps nor is drawn twice when the count arrives; True if shown. The
        layout settles at once: the page's room is known before its zoom is chosen."""
        if wanted != self.isVisible():
            self.setVisible(wanted)
            parent = self.parentWidget()
            layout = parent.layout() if parent is not None else None
            if layout is not None:
                layout.activate()
        return wanted

    def set_pages(self, count: int, aspect: float) -> None:
        """``count`` pages, each ``aspect`` (height / width) as the first page is."""
        if abs(aspect - self._aspect) > 0.01:
            self._aspect = aspect
            self._model.layoutChanged.emit()
        self._model.set_count(count)
        self.visible_changed.emit()

    def set_current(self, page: int) -> None:
        """Follow the pane: select and show ``page`` without telling the pane back."""
        if not 0 <= page < self._model.rowCount():
            return
        index = self._model.index(page)
        self._following = True
        try:
            self.setCurrentIndex(index)
            self.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        finally:
            self._following = False

    def refresh(self, first: int = 0, last: int | None = None) -> None:
        self._model.changed(first, self._model.rowCount() - 1 if last is None else last)

    def visible_rows(self) -> range:
        """The rows on screen now (the only ones worth drawing)."""
        count = self._model.rowCount()
        if not count or not self.isVisible():
            return range(0)
        viewport = self.viewport().rect()
        first = self.indexAt(QPoint(viewport.center().x(), viewport.top() + 1)).row()
        last = self.indexAt(QPoint(viewport.center().x(), viewport.bottom() - 1)).row()
        first = max(first, 0)
        last = count - 1 if last < 0 else last
        return range(first, last + 1)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            self.page_chosen.emit(current.row())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.visible_changed.emit()
