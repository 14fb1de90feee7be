"""The page itself: the drawn page on a grey desk, with its highlights on top.

A plain widget rather than a QLabel: the page is a QImage (made off the GUI thread, see
:mod:`ui.preview.page_pixels`), the highlights are painted over it in page coordinates, and the
pane needs to know exactly where the page sits to tell which part of it is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPen, QPixmap
from PySide6.QtWidgets import QFrame, QScrollArea, QSizePolicy, QWidget

#: Grey around the page, so its edges show.
MARGIN = 10

_BANNER_COLOURS = {
    "block": QColor(176, 32, 32),
    "warn": QColor(160, 96, 0),
    "info": QColor(30, 90, 160),
}
_HIT_FILL = QColor(255, 196, 0, 80)
_HIT_EDGE = QColor(214, 100, 0)
_SHADOW = QColor(0, 0, 0, 60)


@dataclass(frozen=True)
class Overlay:
    """What is drawn over one page, in the page's logical pixels (origin top-left)."""

    hits: list[QRectF] = field(default_factory=list)
    #: (severity, sentence): page-level findings, e.g. a scanned page.
    banners: list[tuple[str, str]] = field(default_factory=list)


class PageView(QWidget):
    #: After a paint that showed the page (for seen-tracking and the benchmarks).
    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._placeholder = QSize()  # a blank page of this size while the page is drawn
        self._text = ""
        self._overlay = Overlay()
        self._highlights = True
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAutoFillBackground(False)

    # -- what the tests and the pane read ----------------------------------------------

    def pixmap(self) -> QPixmap:
        return QPixmap.fromImage(self._image) if self._image is not None else QPixmap()

    def image(self) -> QImage | None:
        return self._image

    def text(self) -> str:
        return self._text

    @property
    def overlay(self) -> Overlay:
        return self._overlay

    @property
    def highlights_shown(self) -> bool:
        return self._highlights

    def page_rect(self) -> QRect:
        """Where the page is drawn, in this widget's (logical) coordinates."""
        size = self._page_size()
        if size.isEmpty():
            return QRect()
        left = max(MARGIN, (self.width() - size.width()) // 2)
        return QRect(QPoint(left, MARGIN + self._banners_height()), size)

    def banner_height(self, banners: list[tuple[str, str]], width: int) -> int:
        """The room the banners take above a page ``width`` wide."""
        flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
        metrics = self.fontMetrics()
        return sum(
            metrics.boundingRect(QRect(0, 0, max(40, width - 24), 1000), flags, text).height() + 14
            for _severity, text in banners
        )

    def _banners_height(self) -> int:
        if not self._highlights or not self._overlay.banners or self._image is None:
            return 0
        return self.banner_height(self._overlay.banners, self._page_size().width())

    # -- what the pane sets ------------------------------------------------------------

    def set_image(self, image: QImage, overlay: Overlay) -> None:
        self._image, self._overlay, self._text = image, overlay, ""
        self._placeholder = QSize()
        self._resize_to_page()

    def keep_image(self, image: QImage) -> None:
        """Replace the image on screen by one with the same pixels (a copy the caller
        keeps), without painting again."""
        self._image = image

    def set_placeholder(self, size: QSize) -> None:
        """A blank page while the real one is drawn: the layout does not jump."""
        self._image, self._overlay, self._text = None, Overlay(), ""
        self._placeholder = size
        self._resize_to_page()

    def set_message(self, text: str) -> None:
        self._image, self._overlay, self._text = None, Overlay(), text
        self._placeholder = QSize()
        self._resize_to_page()

    def clear(self) -> None:
        self.set_message("")

    def set_highlights_shown(self, shown: bool) -> None:
        self._highlights = shown
        self._resize_to_page()

    # -- painting --------------------------------------------------------------------

    def _page_size(self) -> QSize:
        if self._image is not None:
            ratio = self._image.devicePixelRatio() or 1.0
            return QSize(round(self._image.width() / ratio), round(self._image.height() / ratio))
        return self._placeholder

    def _resize_to_page(self) -> None:
        size = self._page_size()
        extra = self._banners_height()
        self.setMinimumSize(size.width() + 2 * MARGIN, size.height() + 2 * MARGIN + extra)
        self.updateGeometry()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        page = self.page_rect()
        background = self.palette().color(self.backgroundRole()).darker(115)
        opaque = self._image is not None and not self._image.hasAlphaChannel()
        for part in _around(event.rect(), page) if opaque else [event.rect()]:
            painter.fillRect(part, background)  # under an opaque page: nothing to fill
        if self._image is not None:
            self._paint_shadow(painter, page)
            painter.drawImage(page.topLeft(), self._image)
            if self._highlights:
                self._paint_overlay(painter, page)
        elif not page.isEmpty():
            painter.fillRect(page, Qt.GlobalColor.white)
        elif self._text:
            painter.setPen(self.palette().color(self.foregroundRole()))
            box = self.rect().adjusted(24, 24, -24, -24)
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
            painter.drawText(box, int(flags) | int(Qt.TextFlag.TextWordWrap), self._text)
        painter.end()
        if self._image is not None:
            self.painted.emit()

    def _paint_shadow(self, painter: QPainter, page: QRect) -> None:
        """A soft edge: the page's shadow, 2 px down and right. Under an opaque page only
        its two visible strips are blended (not a whole page of pixels drawn over)."""
        assert self._image is not None
        if self._image.hasAlphaChannel():  # it shows through: the whole of it
            painter.fillRect(page.translated(2, 2), _SHADOW)
            return
        painter.fillRect(QRect(page.right() + 1, page.top() + 2, 2, page.height()), _SHADOW)
        painter.fillRect(QRect(page.left() + 2, page.bottom() + 1, page.width() - 2, 2), _SHADOW)

    def _paint_overlay(self, painter: QPainter, page: QRect) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(_HIT_EDGE, 2))
        painter.setBrush(_HIT_FILL)
        for rect in self._overlay.hits:
            painter.drawRoundedRect(rect.translated(page.topLeft()).adjusted(-3, -2, 3, 2), 3, 3)
        # Banners sit above the page, never over its text; a frame in the same colour
        # ties them to the page.
        top = page.top() - self._banners_height()
        for severity, sentence in self._overlay.banners:
            colour = _BANNER_COLOURS.get(severity, _BANNER_COLOURS["info"])
            painter.setPen(QPen(colour, 3))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(page.adjusted(1, 1, -2, -2))
            width = page.width() - 24
            flags = int(Qt.AlignmentFlag.AlignLeft) | int(Qt.TextFlag.TextWordWrap)
            text_box = painter.fontMetrics().boundingRect(QRect(0, 0, width, 1000), flags, sentence)
            banner = QRect(page.left(), top, page.width(), text_box.height() + 14)
            painter.fillRect(banner, colour)
            painter.setPen(Qt.GlobalColor.white)
            painter.drawText(banner.adjusted(12, 7, -12, -7), flags, sentence)
            top = banner.bottom() + 1

    def sizeHint(self) -> QSize:
        size = self._page_size()
        return QSize(size.width() + 2 * MARGIN, size.height() + 2 * MARGIN + self._banners_height())


class PageArea(QScrollArea):
    """The page in its scroll area: which part of it is on screen, and the keys that
    scroll through a page before they turn it."""

    def __init__(self, page_view: PageView) -> None:
        super().__init__()
        self.page_view = page_view
        self.setWidgetResizable(True)
        self.setWidget(page_view)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFrameShape(QFrame.Shape.StyledPanel)

    def visible_part(self) -> tuple[float, float, float, float] | None:
        """(left, top, right, bottom) of the page on screen, as fractions of the page."""
        page = self.page_view.page_rect()
        if page.isEmpty():
            return None
        viewport = self.viewport()
        seen = QRect(-self.page_view.x(), -self.page_view.y(), viewport.width(), viewport.height())
        part = seen.intersected(page)
        if part.isEmpty():
            return None
        width, height = page.width(), page.height()
        return (
            (part.x() - page.x()) / width,
            (part.y() - page.y()) / height,
            (part.x() + part.width() - page.x()) / width,
            (part.y() + part.height() - page.y()) / height,
        )

    def scroll_down(self) -> bool:
        """A screen further down the page; False at its bottom (the page turns then)."""
        bar = self.verticalScrollBar()
        if bar.value() >= bar.maximum():
            return False
        bar.setValue(bar.value() + bar.pageStep())
        return True

    def scroll_up(self) -> bool:
        """A screen further up the page; False at its top."""
        bar = self.verticalScrollBar()
        if bar.value() <= bar.minimum():
            return False
        bar.setValue(bar.value() - bar.pageStep())
        return True

    def scroll_sideways(self, step: int) -> bool:
        """Sideways across a page wider than the pane; False when there is no further."""
        bar = self.horizontalScrollBar()
        if bar.maximum() > 0 and bar.minimum() < bar.value() + step < bar.maximum() + 1:
            bar.setValue(bar.value() + step * bar.singleStep() * 3)
            return True
        return False


def _around(area: QRect, hole: QRect) -> list[QRect]:
    """``area`` less ``hole``, as up to four rectangles (above, below, left, right)."""
    inner = area.intersected(hole)
    if inner.isEmpty():
        return [area]
    parts = [
        QRect(area.left(), area.top(), area.width(), inner.top() - area.top()),
        QRect(area.left(), inner.bottom() + 1, area.width(), area.bottom() - inner.bottom()),
        QRect(area.left(), inner.top(), inner.left() - area.left(), inner.height()),
        QRect(inner.right() + 1, inner.top(), area.right() - inner.right(), inner.height()),
    ]
    return [part for part in parts if not part.isEmpty()]
