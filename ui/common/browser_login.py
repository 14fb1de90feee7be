"""One authentication at the region's identity provider, as the window runs it.

Signing in, opening a locked window and a colleague's approval are each a login in the
system browser (RFC 8252: ``app.identity.LoginAttempt`` with its loopback listener).
:class:`BrowserLogin` runs one off the GUI thread (making the attempt asks the provider
for its metadata; waiting for the browser's answer blocks), and :class:`BrowserWaitPanel`
is what the clinician sees meanwhile: what to do, the address with a copy button (said
loudly when no browser could be opened: the clinician then opens it by hand), and a
cancel. An attempt is always ended (answered, cancelled, or at its five-minute limit), and
cancelled when the window that asked closes, so no thread waits for a browser nobody uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from ui.common.accessibility import LiveLabel
from ui.common.i18n import tr
from ui.common.workers import run_in_background

if TYPE_CHECKING:
    from app.identity import Browser, LoginAttempt, TokenSet


class BrowserLogin(QObject):
    """``start()`` makes the attempt with ``make_attempt`` (off the GUI thread), then opens
    its address with ``browser`` and waits for the provider's answer. ``finished`` carries
    the TokenSet, ``failed`` the error (an ``IdentityError`` with its code, or another)."""

    address_known = Signal(str)
    browser_failed = Signal()
    finished = Signal(object)
    failed = Signal(object)

    def __init__(
        self, owner: QObject, make_attempt: Callable[[], LoginAttempt], browser: Browser
    ) -> None:
        super().__init__(owner)
        self._make_attempt = make_attempt
        self._browser = browser
        self.attempt: LoginAttempt | None = None
        self._cancelled = False
        self.running = False

    def start(self) -> None:
        self.running = True
        run_in_background(self, self._make_attempt, self._made, self._ended_with_error)

    def cancel(self) -> None:
        """End the attempt (its wait then fails with ``identity.cancelled``)."""
        self._cancelled = True
        if self.attempt is not None:
            self.attempt.cancel()

    def _made(self, attempt: LoginAttempt) -> None:
        self.attempt = attempt
        if self._cancelled:  # cancelled while the attempt was being made
            attempt.cancel()
        self.address_known.emit(attempt.url)
        url, browser = attempt.url, self._browser
        # Both off the GUI thread: a robot browser (tests) answers the listener itself,
        # and the system browser's start can take a moment. The browser may come back
        # after the login has ended and its window is gone (one that shows the page
        # after the redirect): its answer goes to the application, which outlives it,
        # and is dropped there.
        run_in_background(self, attempt.wait, self._answered, self._ended_with_error)
        this = self
        app = QCoreApplication.instance()
        run_in_background(
            app if app is not None else self,
            lambda: browser.open(url),
            lambda opened: this._opened(opened) if shiboken6.isValid(this) else None,
            lambda _error: this._opened(False) if shiboken6.isValid(this) else None,
        )

    def _opened(self, opened: bool) -> None:
        if not opened and self.running:
            self.browser_failed.emit()

    def _answered(self, tokens: TokenSet) -> None:
        self.running = False
        self.finished.emit(tokens)

    def _ended_with_error(self, error: BaseException) -> None:
        self.running = False
        self.failed.emit(error)


def start_login(
    owner: QObject,
    make_attempt: Callable[[], LoginAttempt],
    browser: Browser,
    panel: BrowserWaitPanel,
    status: QLabel,
    finished: Callable[[TokenSet], None],
    failed: Callable[[BaseException], None],
) -> BrowserLogin:
    """A login started for ``owner``, shown in ``panel`` (the address, the cancel) while
    the browser is at the provider; ``status`` is cleared once the panel says what to do."""
    login = BrowserLogin(owner, make_attempt, browser)
    login.address_known.connect(panel.waiting)
    login.address_known.connect(lambda _url: status.clear())
    login.browser_failed.connect(panel.browser_failed)
    login.finished.connect(finished)
    login.failed.connect(failed)
    panel.cancel_requested.connect(login.cancel)
    login.start()
    return login


class BrowserWaitPanel(QWidget):
    """While the browser is at the provider: what to do, the address to copy, a cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.message = LiveLabel()  # "no browser could be opened" is said aloud
        self.message.setWordWrap(True)
        self.message.setAccessibleName(tr("ui.login.status"))
        layout.addWidget(self.message)
        row = QHBoxLayout()
        address_label = QLabel(tr("ui.login.address"))
        self.address = QLineEdit()
        self.address.setReadOnly(True)
        self.address.setAccessibleName(tr("ui.login.address_plain"))
        address_label.setBuddy(self.address)
        self.copy_button = QPushButton(tr("ui.login.copy"))
        self.copy_button.clicked.connect(self.copy_address)
        row.addWidget(address_label)
        row.addWidget(self.address, 1)
        row.addWidget(self.copy_button)
        layout.addLayout(row)
        cancel_row = QHBoxLayout()
        cancel_row.addStretch(1)
        self.cancel_button = QPushButton(tr("ui.login.cancel"))
        self.cancel_button.clicked.connect(self.cancel_requested)
        cancel_row.addWidget(self.cancel_button)
        layout.addLayout(cancel_row)
        self.hide()

    def waiting(self, url: str) -> None:
        self.address.setText(url)
        self.address.setCursorPosition(0)
        self.message.setStyleSheet("")
        self.message.setText(tr("ui.login.waiting"))
        self.show()
        self.cancel_button.setFocus()

    def browser_failed(self) -> None:
        """No browser could be opened: the address is the way, and it is said so."""
        self.message.setStyleSheet("font-weight: bold; color: #8a4b00;")
        self.message.setText(tr("identity.browser_unavailable"))
        self.show()
        self.address.setFocus()
        self.address.end(False)
        self.address.home(True)  # all of it selected, its start in view

    def copy_address(self) -> None:
        clipboard = QGuiApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.address.text())
        self.copy_button.setText(tr("ui.login.copied"))

    def done(self) -> None:
        self.hide()
        self.address.clear()
        self.copy_button.setText(tr("ui.login.copy"))
