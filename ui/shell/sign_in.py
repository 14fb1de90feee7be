"""Sign-in: the clinician authenticates at the region's identity provider (SITHS eID) in
the system browser, and Bifoga receives the answer on its loopback listener (RFC 8252;
``ui.common.browser_login``). No code or PIN is ever typed into Bifoga.

It is the first window, so it imports and makes only what it shows (``BENCH startup``):
the identity client, the worker bridge and the error texts are imported when they are
used, and the sandbox's demo cards exist only for the sandbox; two plain buttons stand in
for a QDialogButtonBox, whose flags enum alone costs PySide a tenth of a second. It can be
shown before the services behind it are open (:func:`ui.shell.start.first_window` opens them once
it is painted); until :meth:`SignInDialog.attach_services` the sign-in button waits. It
is shown again after a sign-out, for the next clinician at the same workstation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.common.i18n import tr

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from app.gateway.client import DemoStaff
    from app.identity import TokenSet
    from app.protocol.model import Resident, Staff
    from app.runtime.services import Services
    from ui.common.browser_login import BrowserLogin, BrowserWaitPanel


class SignInDialog(QDialog):
    """``services``: what to sign in with; None for now, then :meth:`attach_services`
    (``sandbox`` says whether they will be the sandbox's, to list its demo cards)."""

    def __init__(
        self,
        services: Services | None = None,
        parent: QWidget | None = None,
        *,
        sandbox: bool = False,
    ) -> None:
        super().__init__(parent)
        self._services: Services | None = None
        self._sandbox = services.uses_sandbox if services is not None else sandbox
        self.staff: Staff | None = None
        self.login: BrowserLogin | None = None
        self._wait_panel: BrowserWaitPanel | None = None
        self._after_first_paint: list[Callable[[], None]] = []
        self.setWindowTitle(tr("ui.shell.sign_in.title"))
        self.setMinimumWidth(520)

        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.shell.sign_in.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        #: The sandbox's demo cards and their PINs (help text; the provider's page asks).
        self.demo_cards = QLabel()
        self.demo_cards.setWordWrap(True)
        self.demo_cards.setAccessibleName(tr("ui.shell.sign_in.demo_cards"))
        layout.addWidget(self.demo_cards)  # in the layout first: never a window of its own
        if not self._sandbox:
            self.demo_cards.hide()

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.shell.sign_in.status"))
        layout.addWidget(self.status)

        self.sign_in_button = QPushButton(tr("ui.shell.sign_in.button"))
        self.sign_in_button.setDefault(True)  # Enter signs in
        self.sign_in_button.setEnabled(False)  # until the services are attached
        self.sign_in_button.clicked.connect(self._sign_in)
        self.cancel_button = QPushButton(tr("ui.shell.sign_in.quit"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        if services is not None:
            self.attach_services(services)

    @property
    def has_services(self) -> bool:
        return self._services is not None

    @property
    def wait_panel(self) -> BrowserWaitPanel:
        """The address and the cancel while the browser is at the provider (made at the
        first sign-in: the window's start-up does not pay for it)."""
        if self._wait_panel is None:
            from ui.common.browser_login import BrowserWaitPanel

            self._wait_panel = BrowserWaitPanel(self)
            layout = self.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(layout.count() - 1, self._wait_panel)
        return self._wait_panel

    def when_painted(self, then: Callable[[], None]) -> None:
        """Call ``then`` once this window has been painted for the first time."""
        self._after_first_paint.append(then)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        waiting, self._after_first_paint = self._after_first_paint, []
        for then in waiting:
            QTimer.singleShot(0, then)  # once this paint is done

    def attach_services(self, services: Services) -> None:
        """The services are open: signing in can start (and the sandbox's cards come)."""
        from ui.common.workers import run_in_background

        self._services = services
        self.sign_in_button.setEnabled(True)
        # Enter signs in: the focus was on Avsluta while signing in had to wait.
        self.sign_in_button.setFocus()
        if self._sandbox:
            self.demo_cards.setText(tr("ui.shell.sign_in.demo_cards_loading"))
            run_in_background(
                self,
                services.client.sandbox_directory,
                self._show_demo_cards,
                self._demo_cards_missing,
            )

    def _demo_cards_missing(self, _error: BaseException) -> None:
        self.demo_cards.setText(tr("ui.shell.sign_in.demo_cards_missing"))

    def _show_demo_cards(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        accounts, _residents = directory
        lines = [tr("ui.shell.sign_in.demo_cards")]
        for account in accounts:
            roles = ", ".join(tr(f"ui.role.{role}") for role in account.roles)
            lines.append(
                tr(
                    "ui.shell.sign_in.demo_card",
                    name=account.name,
                    staff_id=account.staff_id,
                    pin=account.pin,
                    roles=roles,
                )
            )
        self.demo_cards.setText("\n".join(lines))
        self.adjustSize()  # grown to its new lines, not squeezed into the old height

    # -- signing in ---------------------------------------------------------------------

    def _sign_in(self) -> None:
        services = self._services
        if services is None or (self.login is not None and self.login.running):
            return
        from ui.common.browser_login import start_login

        self.sign_in_button.setEnabled(False)
        self.status.setText(tr("ui.shell.sign_in.opening"))
        self.login = start_login(
            self,
            services.login_attempt,
            services.browser,
            self.wait_panel,
            self.status,
            self._authenticated,
            self._failed,
        )
        self.login.address_known.connect(lambda _url: self.adjustSize())

    def _authenticated(self, tokens: TokenSet) -> None:
        """The provider said who it is: the session starts, and the gateway says who."""
        from ui.common.workers import run_in_background

        services = self._services
        assert services is not None
        self.status.setText(tr("ui.shell.sign_in.checking"))
        run_in_background(self, lambda: services.sign_in(tokens), self._signed_in, self._failed)

    def _signed_in(self, staff: Staff) -> None:
        self.staff = staff
        self.wait_panel.done()
        self.status.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        from ui.common.errors import gateway_error_text

        self.wait_panel.done()
        self.sign_in_button.setEnabled(True)
        self.sign_in_button.setFocus()
        self.status.setText(gateway_error_text(error))

    def done(self, result: int) -> None:
        # A login under way ends with the window: no thread waits for a browser.
        if self.login is not None and self.login.running:
            self.login.cancel()
        super().done(result)
