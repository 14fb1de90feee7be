"""The offer to delete the clinician's own files after a send (ui/dialogs/originals.py), with
real files and the real checks: what is offered, the confirmation before delete, the
keyboard, and when no dialog is shown at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.after_send.originals import OriginalCode
from app.drafts.message_draft import Attachment
from app.outbox import JobState
from app.storage.staging import StagingArea
from tests.support.mnemonics import shared_mnemonics
from tests.support.pdfgen import text_pdf
from ui.common.i18n import strip_mnemonic, tr
from ui.dialogs.originals import OriginalsDialog, OriginalsOffer


class Offer:
    """An :class:`OriginalsOffer` over a plain window, with what it recorded."""

    def __init__(self, qtbot: QtBot, tmp_path: Path, *, enabled: bool = True) -> None:
        self.qtbot = qtbot
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.window.show()
        self.staging = StagingArea(tmp_path / "staging", max_bytes=1024 * 1024)
        self.folder = tmp_path / "Skrivbord"
        self.folder.mkdir()
        self.recorded: list[str] = []
        self.locked = False
        self.enabled = enabled
        self.offer = OriginalsOffer(
            self.window,
            enabled=lambda: self.enabled,
            staging_root=self.staging.root,
            record_deleted=self.recorded.append,
            locked=lambda: self.locked,
        )

    def attach(self, name: str, words: str = "Hej") -> Attachment:
        path = self.folder / name
        path.write_bytes(text_pdf([[words]]))
        return Attachment(self.staging.stage(path), original=path)

    def delivered(self, job_id: str, *attachments: Attachment) -> OriginalsDialog:
        self.offer.expect(job_id, attachments)
        with self.qtbot.waitSignal(self.offer.dialog_opened, timeout=10_000) as opened:
            self.offer.job_ended(job_id, JobState.DELIVERED)
        dialog = opened.args[0]
        assert isinstance(dialog, OriginalsDialog)
        return dialog

    def delivered_without_dialog(self, job_id: str, *attachments: Attachment) -> None:
        self.offer.expect(job_id, attachments)
        with self.qtbot.waitSignal(self.offer.nothing_offered, timeout=10_000) as nothing:
            self.offer.job_ended(job_id, JobState.DELIVERED)
        assert nothing.args == [job_id]
        assert self.offer.dialog is None


def delete(qtbot: QtBot, dialog: OriginalsDialog) -> None:
    with qtbot.waitSignal(dialog.delete_requested):
        dialog.delete_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)


@pytest.fixture
def offer(qtbot: QtBot, tmp_path: Path) -> Offer:
    return Offer(qtbot, tmp_path)


def test_delete_waits_for_the_confirmation_and_keep_is_the_default(
    offer: Offer, qtbot: QtBot
) -> None:
    attachment = offer.attach("Provsvar 19121212-1212.pdf")
    dialog = offer.delivered("job-1", attachment)
    assert dialog.isVisible() and dialog.windowTitle() == tr("ui.originals.title")
    assert not dialog.delete_button.isEnabled()
    assert dialog.keep_button.isDefault() and not dialog.delete_button.autoDefault()
    assert strip_mnemonic(dialog.confirm.text()) == "Filen finns i journalen"
    assert strip_mnemonic(dialog.keep_button.text()) == "Behåll filen"
    row = dialog.rows[0]
    assert row.text(0) == "Provsvar 19121212-1212.pdf"
    assert row.text(1) == str(offer.folder)
    assert row.text(2) == "2 kB"  # a tagged one-line letter: about 1.5 kB
    assert row.text(3) == tr("original.offered")
    assert shared_mnemonics(dialog) == []
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.confirm)  # the first step

    dialog.confirm.setChecked(True)
    assert dialog.delete_button.isEnabled()
    row.setCheckState(0, Qt.CheckState.Unchecked)  # no file ticked: nothing to delete
    assert not dialog.delete_button.isEnabled()
    assert dialog.status.text() == tr("ui.originals.none_chosen")
    row.setCheckState(0, Qt.CheckState.Checked)
    dialog.confirm.setChecked(False)
    assert not dialog.delete_button.isEnabled()
    dialog.delete_button.click()  # disabled: nothing happens
    assert attachment.original is not None and attachment.original.exists()


def test_delete_removes_the_file_records_its_hash_and_shows_the_result(
    offer: Offer, qtbot: QtBot
) -> None:
    first, second = offer.attach("a.pdf", "A"), offer.attach("b.pdf", "B")
    dialog = offer.delivered("job-1", first, second)
    assert strip_mnemonic(dialog.confirm.text()) == "Filerna finns i journalen"
    assert strip_mnemonic(dialog.delete_button.text()) == "Radera filerna"
    dialog.confirm.setChecked(True)
    delete(qtbot, dialog)
    assert first.original is not None and not first.original.exists()
    assert second.original is not None and not second.original.exists()
    assert offer.recorded == [first.sha256, second.sha256]
    assert [row.text(3) for row in dialog.rows] == [tr("original.deleted")] * 2
    assert dialog.status.text() == tr("ui.originals.done", deleted=2, count=2)
    assert dialog.reasons.isHidden()
    assert not dialog.delete_button.isEnabled() and not dialog.confirm.isEnabled()
    assert strip_mnemonic(dialog.keep_button.text()) == "Stäng"
    dialog.keep_button.click()
    qtbot.waitUntil(lambda: offer.offer.dialog is None)


def test_only_the_ticked_files_are_deleted(offer: Offer, qtbot: QtBot) -> None:
    first, second = offer.attach("a.pdf", "A"), offer.attach("b.pdf", "B")
    dialog = offer.delivered("job-1", first, second)
    dialog.list.setFocus()
    dialog.list.setCurrentItem(dialog.rows[1])
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)  # untick the second from the keyboard
    assert dialog.rows[1].checkState(0) == Qt.CheckState.Unchecked
    dialog.confirm.setChecked(True)
    delete(qtbot, dialog)
    assert first.original is not None and not first.original.exists()
    assert second.original is not None and second.original.exists()
    assert offer.recorded == [first.sha256]


def test_a_file_changed_after_sending_is_not_offered(offer: Offer, qtbot: QtBot) -> None:
    changed, unchanged = offer.attach("a.pdf", "A"), offer.attach("b.pdf", "B")
    assert changed.original is not None
    changed.original.write_bytes(text_pdf([["Ändrad efter sändningen"]]))
    dialog = offer.delivered("job-1", changed, unchanged)
    assert dialog.rows[0].text(3) == tr(OriginalCode.NOT_AS_SENT.value)
    assert not dialog.rows[0].flags() & Qt.ItemFlag.ItemIsUserCheckable
    # The reason in full, not only in the column that cuts it short.
    assert dialog.reasons.text() == "a.pdf: " + tr(OriginalCode.NOT_AS_SENT.value)
    assert [c.original.path for c in dialog.chosen()] == [unchanged.original]
    # One file offered: the words are about one file.
    assert strip_mnemonic(dialog.confirm.text()) == "Filen finns i journalen"
    dialog.confirm.setChecked(True)
    delete(qtbot, dialog)
    assert changed.original.exists(), "a changed file is never deleted"
    assert offer.recorded == [unchanged.sha256]


def test_no_dialog_when_nothing_qualifies_or_the_offer_is_off(offer: Offer) -> None:
    changed = offer.attach("a.pdf", "A")
    assert changed.original is not None
    changed.original.write_bytes(text_pdf([["Ändrad"]]))
    offer.delivered_without_dialog("job-1", changed)
    offer.delivered_without_dialog("job-2", Attachment(changed.staged))  # no original known
    offer.enabled = False
    unchanged = offer.attach("b.pdf", "B")
    offer.delivered_without_dialog("job-3", unchanged)
    assert unchanged.original is not None and unchanged.original.exists()


def test_escape_keeps_every_file(offer: Offer, qtbot: QtBot) -> None:
    attachment = offer.attach("a.pdf")
    dialog = offer.delivered("job-1", attachment)
    dialog.confirm.setChecked(True)
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert offer.offer.dialog is None
    assert attachment.original is not None and attachment.original.exists()
    assert offer.recorded == []


def test_enter_keeps_the_files_even_once_confirmed(offer: Offer, qtbot: QtBot) -> None:
    attachment = offer.attach("a.pdf")
    dialog = offer.delivered("job-1", attachment)
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Space)  # tick the confirmation by keyboard
    assert dialog.confirm.isChecked() and dialog.delete_button.isEnabled()
    with qtbot.waitSignal(dialog.rejected):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert attachment.original is not None and attachment.original.exists()


def test_only_a_delivered_send_is_offered_and_one_dialog_at_a_time(
    offer: Offer, qtbot: QtBot
) -> None:
    waiting, refused = offer.attach("a.pdf", "A"), offer.attach("b.pdf", "B")
    offer.offer.expect("job-1", [waiting])
    offer.offer.job_ended("job-1", JobState.NEEDS_ACTION)  # kept for its retry
    offer.offer.expect("job-2", [refused])
    offer.offer.job_ended("job-2", JobState.FAILED)  # back to its draft: forgotten
    assert offer.offer.dialog is None
    with qtbot.waitSignal(offer.offer.nothing_offered, timeout=10_000):
        offer.offer.job_ended("job-2", JobState.DELIVERED)  # (its draft's next send would)
    first = offer.delivered("job-1", waiting)  # the retry was delivered
    assert first.rows[0].text(0) == "a.pdf"

    later = offer.attach("c.pdf", "C")
    offer.offer.expect("job-3", [later])
    with qtbot.waitSignal(offer.offer.dialog_opened, timeout=10_000) as opened:
        offer.offer.job_ended("job-3", JobState.DELIVERED)
        assert offer.offer.dialog is first, "the second waits for the first"
        first.reject()
    assert opened.args[0].rows[0].text(0) == "c.pdf"
    opened.args[0].reject()


def test_a_send_delivered_while_locked_is_offered_once_opened_again(
    offer: Offer, qtbot: QtBot
) -> None:
    attachment = offer.attach("a.pdf")
    offer.locked = True
    offer.offer.expect("job-1", [attachment])
    with qtbot.waitSignal(offer.offer.dialog_opened, timeout=10_000):
        offer.offer.job_ended("job-1", JobState.DELIVERED)
        qtbot.waitUntil(lambda: offer.offer.waiting == 1, timeout=10_000)
        offer.offer.show_next()  # still locked: nothing over the lock
        assert offer.offer.dialog is None
        offer.locked = False
        offer.offer.show_next()  # what the window calls once opened again
    assert offer.offer.dialog is not None
    offer.offer.dialog.reject()


def test_escape_while_deleting_does_not_hide_the_outcome(offer: Offer, qtbot: QtBot) -> None:
    attachment = offer.attach("a.pdf")
    dialog = offer.delivered("job-1", attachment)
    dialog.confirm.setChecked(True)
    dialog.delete_button.click()
    assert dialog.busy  # the answer comes through the event loop, not yet run
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible(), "too late to keep: the outcome is shown first"
    qtbot.waitUntil(lambda: not dialog.busy, timeout=10_000)
    assert dialog.rows[0].text(3) == tr("original.deleted")
    dialog.reject()


def test_a_lock_while_deleting_closes_the_dialog_and_the_deletion_is_still_recorded(
    offer: Offer, qtbot: QtBot
) -> None:
    attachment = offer.attach("a.pdf")
    dialog = offer.delivered("job-1", attachment)
    dialog.confirm.setChecked(True)
    dialog.delete_button.click()
    assert dialog.busy
    with qtbot.waitSignal(dialog.rejected):
        dialog.reject()  # what the window's lock does to a dialog over it
    assert offer.offer.dialog is None
    qtbot.waitUntil(lambda: offer.recorded == [attachment.sha256], timeout=10_000)
    assert attachment.original is not None and not attachment.original.exists()


def test_a_file_edited_while_the_dialog_was_open_is_kept_and_said_so(
    offer: Offer, qtbot: QtBot
) -> None:
    attachment = offer.attach("a.pdf")
    dialog = offer.delivered("job-1", attachment)
    assert attachment.original is not None
    attachment.original.write_bytes(text_pdf([["Ändrad medan dialogen var öppen"]]))
    dialog.confirm.setChecked(True)
    delete(qtbot, dialog)
    assert attachment.original.exists() and offer.recorded == []
    assert dialog.rows[0].text(3) == tr(OriginalCode.NOT_AS_SENT.value)
    assert dialog.reasons.text() == "a.pdf: " + tr(OriginalCode.NOT_AS_SENT.value)
    assert dialog.status.text() == tr("ui.originals.done", deleted=0, count=1)
    dialog.reject()
