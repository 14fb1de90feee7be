"""What a screen reader needs from the window beyond names: values and announcements.

- A label that shows a value (the recipients, the subject, a state) must expose the
  value. Qt names a label by its text unless an accessible name is set, so
  ``expose_values`` moves a caption set as the name into the description: the screen
  reader then says "Anna Andersson, 19121212-1212", described as "Mottagare".
- What changes on screen without the focus moving (an error, a refusal, the send bar's
  reason, a message delivered) is said aloud with ``announce``
  (``QAccessibleAnnouncementEvent``, Qt 6.8+), and ``announced`` tells tests and
  anyone else listening. ``announce_status`` does it for every status-bar message.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent
from PySide6.QtWidgets import QAbstractButton, QLabel, QStatusBar, QWidget


class _Announcer(QObject):
    #: (the text, whether it interrupts) each time something is announced
    announced = Signal(str, bool)


announcer = _Announcer()


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Say ``text`` through the screen reader, without moving the focus. ``assertive``
    interrupts what is being read (errors and refusals); otherwise it waits its turn."""
    text = text.strip()
    if not text:
        return
    event = QAccessibleAnnouncementEvent(widget, text)
    politeness = QAccessible.AnnouncementPoliteness
    event.setPoliteness(politeness.Assertive if assertive else politeness.Polite)
    QAccessible.updateAccessibility(event)
    announcer.announced.emit(text, assertive)


def announce_status(bar: QStatusBar) -> None:
    """Every message the status bar shows is announced too (errors, sent, progress)."""
    bar.messageChanged.connect(lambda text: announce(bar, text))


def expose_value(label: QLabel | QAbstractButton) -> None:
    """``label``'s caption (its accessible name) becomes its description, so that its
    name is the value it shows, whatever text it is given later."""
    caption = label.accessibleName()
    if not caption:
        return
    described = label.accessibleDescription()
    label.setAccessibleDescription(f"{caption}. {described}" if described else caption)
    label.setAccessibleName("")


def expose_values(root: QWidget, also: Iterable[QLabel | QAbstractButton] = ()) -> None:
    """``expose_value`` for every label under ``root`` that has a caption, and for the
    buttons in ``also`` whose text is the value (the send bar's reason)."""
    for label in root.findChildren(QLabel):
        if label.accessibleName() and not label.buddy() and label.pixmap().isNull():
            expose_value(label)
    for widget in also:
        expose_value(widget)


class LiveLabel(QLabel):
    """A label whose new text is announced (a live region): the state of a sign-off, a
    retraction, a list being loaded. The text is its accessible name."""

    def __init__(self, text: str = "", *, caption: str = "", assertive: bool = False) -> None:
        super().__init__(text)
        self._assertive = assertive
        if caption:
            self.setAccessibleDescription(caption)

    def setText(self, text: str) -> None:
        changed = text != self.text()
        super().setText(text)
        if changed:
            announce(self, text, assertive=self._assertive)
