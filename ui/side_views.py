"""The windows beside the message: "Skickat", "Fel fil skickad", "Lagring", the settings
and the help (F1). Each is opened from the main window and reports back through it
(the audit trail, the drafts), never around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from app.after_send.sent_list import SentItem
from app.after_send.storage_report import KeptItem, kept_items
from ui.help_window import HelpWindow
from ui.i18n import tr
from ui.sent_view import SentView
from ui.storage_view import StorageView
from ui.wrong_file_dialog import WrongFileDialog

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class SideViews(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self.sent_view: SentView | None = None

    def show_settings(self) -> None:
        from ui.settings_dialog import open_settings_dialog

        w = self._window
        if open_settings_dialog(w, w.services.settings):
            # The settings declared live (app.config.settings.Spec.live) take effect now; the
            # preview reads its own each time, the lock time is told here.
            w.idle.set_timeout(int(w.services.settings.lock_after_minutes * 60_000))
            w.statusBar().showMessage(tr("ui.settings.saved"))

    def show_help(self) -> None:
        w = self._window
        dialog = HelpWindow(w.services.settings.contacts, w)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def show_sent(self) -> SentView:
        """The "Skickat" window (one; brought forward if it is open)."""
        w = self._window
        if self.sent_view is None:
            view = SentView(
                w.services.outbox,
                w.services.client,
                w.staff.staff_id,
                w.outbox_runner.retry,
                w,
            )
            w.job_changed.connect(view.job_changed)
            view.wrong_file_requested.connect(self.start_wrong_file)
            self.sent_view = view
        self.sent_view.show()
        self.sent_view.raise_()
        self.sent_view.activateWindow()
        self.sent_view.reload()
        return self.sent_view

    def start_wrong_file(self, item: SentItem) -> WrongFileDialog:
        """The deviation routine for a sent message (docs/requirements.md R9, R10)."""
        w = self._window
        settings = w.services.settings
        dialog = WrongFileDialog(
            item,
            sender=w.staff,
            client=w.services.client,
            contacts=settings.contacts,
            portal_url=settings.service_portal_url,
            parent=w,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.retraction_changed.connect(self._refresh_sent)
        dialog.retraction_requested.connect(
            lambda message_id, shas: w.audit_event(
                lambda a: a.retraction(message_id, shas, "requested")
            )
        )
        dialog.retraction_finished.connect(
            lambda message_id, shas, status: w.audit_event(
                lambda a: a.retraction(message_id, shas, status)
            )
        )
        dialog.report_made.connect(
            lambda message_id, shas, digest: w.audit_event(
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
        w = self._window
        settings = w.services.settings

        def items() -> list[KeptItem]:
            w.save_draft()
            jobs = w.services.outbox.jobs(w.staff.staff_id)
            return kept_items(w.services.staging, w.drafts.all_drafts(), jobs)

        view = StorageView(
            items,
            w.drafts.discard_draft_by_id,
            folder=str(w.services.staging.root),
            retention_hours=settings.retention_hours,
            contacts=settings.contacts,
            parent=w,
        )
        view.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        view.show()
        return view
