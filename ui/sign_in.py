"""Sign-in: the clinician's staff id and secret, checked by the gateway.

It is the first window, so it imports and makes only what it shows (``BENCH startup``):
the gateway client, the worker bridge and the error texts are imported when they are
used; the demo accounts' list exists only for the sandbox; and two plain buttons stand
in for a QDialogButtonBox, whose flags enum alone costs PySide a tenth of a second.
It can be shown before the services behind it are open (:func:`ui.app.first_window`
opens them once it is painted); until :meth:`SignInDialog.attach_services` the
clinician can type, and the sign-in button waits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import tr

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent
    from PySide6.QtWidgets import QListWidget, QListWidgetItem

    from app.gateway.client import DemoStaff
    from app.model import Resident, Staff
    from app.services import Services


class SignInDialog(QDialog):
    """``services``: what to sign in with; None for now, then :meth:`attach_services`
    (``sandbox`` says whether they will be the sandbox's, to list its accounts)."""

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
        #: The sandbox's demo accounts, one per row of the list: (staff id, secret).
        self._demo_credentials: list[tuple[str, str]] = []
        self._demo_list: QListWidget | None = None
        self._after_first_paint: list[Callable[[], None]] = []
        self.setWindowTitle(tr("ui.sign_in.title"))
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.sign_in.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        if self._sandbox:
            layout.addWidget(QLabel(tr("ui.sign_in.demo_accounts")))
            layout.addWidget(self.demo_accounts)

        form = QFormLayout()
        self.staff_id = QLineEdit()
        self.staff_id.setAccessibleName(tr("ui.sign_in.staff_id"))
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(tr("ui.sign_in.secret"))
        form.addRow(tr("ui.sign_in.staff_id"), self.staff_id)
        form.addRow(tr("ui.sign_in.secret"), self.secret)
        layout.addLayout(form)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName(tr("ui.sign_in.status"))
        layout.addWidget(self.status)

        self.sign_in_button = QPushButton(tr("ui.sign_in.button"))
        self.sign_in_button.setDefault(True)  # Enter signs in
        self.sign_in_button.setEnabled(False)  # until the services are attached
        self.sign_in_button.clicked.connect(self._sign_in)
        self.cancel_button = QPushButton(tr("ui.cancel"))
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        if services is not None:
            self.attach_services(services)

    @property
    def demo_accounts(self) -> QListWidget:
        """The sandbox's demo accounts (made when first asked for: only the sandbox has them)."""
        if self._demo_list is None:
            from PySide6.QtWidgets import QListWidget  # its class costs PySide time to make

            self._demo_list = QListWidget()
            self._demo_list.setAccessibleName(tr("ui.sign_in.demo_accounts"))
            self._demo_list.itemClicked.connect(self._fill_from_demo)
            self._demo_list.itemDoubleClicked.connect(lambda _: self._sign_in())
            # From the keyboard: the arrow keys fill in the account, Enter signs in.
            self._demo_list.currentItemChanged.connect(
                lambda item, _previous: self._fill_from_demo(item) if item is not None else None
            )
            self._demo_list.itemActivated.connect(lambda _: self._sign_in())
        return self._demo_list

    @property
    def has_services(self) -> bool:
        return self._services is not None

    def when_painted(self, then: Callable[[], None]) -> None:
        """Call ``then`` once this window has been painted for the first time."""
        self._after_first_paint.append(then)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        waiting, self._after_first_paint = self._after_first_paint, []
        for then in waiting:
            QTimer.singleShot(0, then)  # once this paint is done

    def attach_services(self, services: Services) -> None:
        """The services are open: signing in can start (and the sandbox's accounts come)."""
        from ui.workers import run_in_background

        self._services = services
        self.sign_in_button.setEnabled(True)
        if self._sandbox:
            run_in_background(
                self,
                services.client.sandbox_directory,
                self._show_demo_accounts,
                lambda error: None,
            )

    def _show_demo_accounts(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        from PySide6.QtWidgets import QListWidgetItem

        accounts, _residents = directory
        for account in accounts:
            roles = ", ".join(tr(f"ui.role.{role}") for role in account.roles)
            # Kept beside the list, not as item data: reading Qt's role enum costs the
            # sign-in window a tenth of a second of start-up (BENCH startup).
            self._demo_credentials.append((account.staff_id, account.secret))
            label = f"{account.name} ({account.staff_id}) – {roles}"
            self.demo_accounts.addItem(QListWidgetItem(label))

    def _fill_from_demo(self, item: QListWidgetItem) -> None:
        staff_id, secret = self._demo_credentials[self.demo_accounts.row(item)]
        self.staff_id.setText(staff_id)
        self.secret.setText(secret)

    def _sign_in(self) -> None:
        if self._services is None:  # not yet: the button is disabled until then
            return
        from ui.workers import run_in_background

        staff_id, secret = self.staff_id.text().strip(), self.secret.text()
        if not staff_id or not secret:
            self.status.setText(tr("ui.sign_in.fill_in"))
            return
        self.sign_in_button.setEnabled(False)
        self.status.setText(tr("ui.sign_in.checking"))
        client = self._services.client
        run_in_background(
            self, lambda: client.sign_in(staff_id, secret), self._signed_in, self._failed
        )

    def _signed_in(self, staff: object) -> None:
        from app.model import Staff

        assert isinstance(staff, Staff)
        self.staff = staff
        self.secret.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        from app.gateway.client import GatewayError
        from ui.errors import gateway_error_text

        self.sign_in_button.setEnabled(True)
        self.secret.clear()
        self.secret.setFocus()
        if isinstance(error, GatewayError) and error.status == 401:
            self.status.setText(tr("ui.sign_in.wrong"))
        else:
            self.status.setText(gateway_error_text(error))
