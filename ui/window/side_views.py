"""The windows beside the message: "Skickat", "Fel fil skickad", "Lagring", the settings
and the help (F1). It receives its collaborators (the services, the idle watch, small
callables for the drafts and the outbox) and reports through signals that the composition
root connects (the audit trail, the status bar).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from app.after_send.sent_list import SentItem
from app.after_send.storage_report import KeptItem, kept_items
from app.drafts.message_draft import Draft
from app.outbox import OutboxJob
from app.protocol.model import Staff
from app.runtime.services import Services
from ui.common.i18n import tr
from ui.dialogs.help import HelpWindow
from ui.dialogs.sent_view import SentView
from ui.dialogs.storage_view import StorageView
from ui.dialogs.wrong_file import WrongFileDialog
from ui.window.lock import IdleWatch


class SideViews(QObject):
    #: An audit record to write (called with the session's ``AuditSession``).
    audit = Signal(object)
    #: A sentence for the status bar.
    status = Signal(str)

    def __init__(
        self,
        services: Services,
        staff: Staff,
        idle: IdleWatch,
        *,
        retry: Callable[[str], None],
        all_drafts: Callable[[], list[Draft]],
        save_drafts: Callable[[], None],
        discard_draft: Callable[[str], None],
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._staff = staff
        self._idle = idle
        self._retry = retry
        self._all_drafts = all_drafts
        self._save_drafts = save_drafts
        self._discard_draft = discard_draft
        self._parent = parent
        self.sent_view: SentView | None = None

    def show_settings(self) -> None:
        from ui.dialogs.settings import open_settings_dialog

        settings = self._services.settings
        if open_settings_dialog(self._parent, settings):
            # The settings declared live (app.config.settings.Spec.live) take effect now; the
            # preview reads its own each time, the lock time is told here.
            self._idle.set_timeout(int(settings.lock_after_minutes * 60_000))
            self.status.emit(tr("ui.settings.saved"))

    def show_help(self) -> None:
        dialog = HelpWindow(self._services.settings.contacts, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_sent(self) -> SentView:
        """The "Skickat" window (one; brought forward if it is open)."""
        if self.sent_view is None:
            services = self._services
            view = SentView(
                services.outbox, services.client, self._staff.staff_id, self._retry, self._parent
            )
            view.wrong_file_requested.connect(self.start_wrong_file)
            self.sent_view = view
        self.sent_view.show()
        self.sent_view.raise_()
        self.sent_view.activateWindow()
        self.sent_view.reload()
        return self.sent_view

    def job_changed(self, job: OutboxJob) -> None:
        """An outbox job moved on or ended: "Skickat", if open, follows it."""
        if self.sent_view is not None:
            self.sent_view.job_changed(job)

    def start_wrong_file(self, item: SentItem) -> WrongFileDialog:
        """The deviation routine for a sent message (docs/requirements.md R9, R10)."""
        settings = self._services.settings
        dialog = WrongFileDialog(
            item,
            sender=self._staff,
            client=self._services.client,
            contacts=settings.contacts,
            portal_url=settings.service_portal_url,
            parent=self._parent,
        )
        audit = self.audit.emit
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.retraction_changed.connect(self._refresh_sent)
        dialog.retraction_requested.connect(
            lambda message_id, shas: audit(lambda a: a.retraction(message_id, shas, "requested"))
        )
        dialog.retraction_finished.connect(
            lambda message_id, shas, status: audit(lambda a: a.retraction(message_id, shas, status))
        )
        dialog.report_made.connect(
            lambda message_id, shas, digest: audit(
                lambda a: a.deviation_report(message_id, shas, digest)
            )
        )
        dialog.show()
        # On top and active: Escape and the keyboard reach it, not "Skickat" below.
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def _refresh_sent(self) -> None:
        if self.sent_view is not None and self.sent_view.isVisible():
            self.sent_view.reload()

    def show_storage(self) -> StorageView:
        """What is kept on this computer, how old and why, with delete (R8, R11)."""
        services = self._services
        settings = services.settings

        def items() -> list[KeptItem]:
            self._save_drafts()
            jobs = services.outbox.jobs(self._staff.staff_id)
            return kept_items(services.staging, self._all_drafts(), jobs)

        view = StorageView(
            items,
            self._discard_draft,
            folder=str(services.staging.root),
            retention_hours=settings.retention_hours,
            contacts=settings.contacts,
            parent=self._parent,
        )
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        return view
