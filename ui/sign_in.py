"""Sign-in: the clinician's staff id and secret, checked by the gateway."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gateway.client import DemoStaff, GatewayError
from app.model import Resident, Staff
from app.services import Services
from ui.errors import gateway_error_text
from ui.i18n import tr
from ui.workers import run_in_background


class SignInDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.staff: Staff | None = None
        self.setWindowTitle(tr("ui.sign_in.title"))
        self.setMinimumWidth(460)

        layout = QVBoxLayout(self)
        intro = QLabel(tr("ui.sign_in.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.demo_accounts = QListWidget()
        self.demo_accounts.setAccessibleName(tr("ui.sign_in.demo_accounts"))
        self.demo_accounts.itemClicked.connect(self._fill_from_demo)
        self.demo_accounts.itemDoubleClicked.connect(lambda _: self._sign_in())
        if services.uses_sandbox:
            layout.addWidget(QLabel(tr("ui.sign_in.demo_accounts")))
            layout.addWidget(self.demo_accounts)
            run_in_background(
                self,
                services.client.sandbox_directory,
                self._show_demo_accounts,
                lambda error: None,
            )

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

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.sign_in_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.sign_in_button.setText(tr("ui.sign_in.button"))
        buttons.accepted.connect(self._sign_in)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _show_demo_accounts(self, directory: tuple[list[DemoStaff], list[Resident]]) -> None:
        accounts, _residents = directory
        for account in accounts:
            roles = ", ".join(tr(f"ui.role.{role}") for role in account.roles)
            item = QListWidgetItem(f"{account.name} ({account.staff_id}) – {roles}")
            item.setData(Qt.ItemDataRole.UserRole, (account.staff_id, account.secret))
            self.demo_accounts.addItem(item)

    def _fill_from_demo(self, item: QListWidgetItem) -> None:
        staff_id, secret = item.data(Qt.ItemDataRole.UserRole)
        self.staff_id.setText(staff_id)
        self.secret.setText(secret)

    def _sign_in(self) -> None:
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
        assert isinstance(staff, Staff)
        self.staff = staff
        self.secret.clear()
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        self.secret.clear()
        self.secret.setFocus()
        if isinstance(error, GatewayError) and error.status == 401:
            self.status.setText(tr("ui.sign_in.wrong"))
        else:
            self.status.setText(gateway_error_text(error))
