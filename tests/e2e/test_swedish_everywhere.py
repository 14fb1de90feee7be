"""No English in the Swedish window: every widget of every window a clinician meets is
walked, Qt's own dialogs included, and any English word or raw code fails the test."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from app.runtime.services import Services
from tests.support.pdfgen import write_text_pdf
from tests.support.visible_text import english_in, texts_of
from tests.support.window import attach, open_window, pick_case
from ui.common.qt_swedish import install_qt_translations
from ui.dialogs.help import HelpWindow
from ui.dialogs.review import ReviewDialog
from ui.shell.sign_in import SignInDialog


def test_the_walk_finds_english_when_there_is_some(qtbot: QtBot) -> None:
    """The check itself: Qt's file dialog without the Swedish table is English."""
    app = QApplication.instance()
    assert app is not None
    install_qt_translations(app, "en")
    dialog = QFileDialog(None, "Välj filer")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    qtbot.addWidget(dialog)
    assert english_in(texts_of(dialog)), "the walk would miss English"
    install_qt_translations(app, "sv")
    swedish = QFileDialog(None, "Välj filer")
    swedish.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    swedish.setFileMode(QFileDialog.FileMode.ExistingFiles)
    qtbot.addWidget(swedish)
    assert english_in(texts_of(swedish)) == []


def test_no_window_a_clinician_meets_shows_english(
    qtbot: QtBot, services: Services, tmp_path: Path
) -> None:
    app = QApplication.instance()
    assert app is not None
    install_qt_translations(app, "sv")
    try:
        sign_in = SignInDialog(services)
        qtbot.addWidget(sign_in)
        found = english_in(texts_of(sign_in))

        window = open_window(qtbot, services)
        found += english_in(texts_of(window))
        pick_case(window, "2024-118")
        letter = write_text_pdf(
            tmp_path / "Provsvar.pdf",
            [["Provsvar", "Personnummer: 19680102-9288"]],
            title="Provsvar",
            lang="sv-SE",
        )
        attach(qtbot, window, letter)
        window.compose.body_edit.setPlainText("Hej Karin!")
        found += english_in(texts_of(window))
        window.drafts.start_new_case()
        window.compose.recipients_edit.setPlainText("19680102-9288\nabc")
        found += english_in(texts_of(window))

        pick_case(window, "2024-118")
        review = ReviewDialog(services, window.desk.current, window.staff, window)
        qtbot.addWidget(review)
        found += english_in(texts_of(review))
        found += english_in(texts_of(HelpWindow(services.settings.contacts, window)))
        storage = window.side_views.show_storage()
        found += english_in(texts_of(storage))
        storage.close()
        sent = window.side_views.show_sent()
        qtbot.waitUntil(sent.reload_button.isEnabled, timeout=10_000)
        found += english_in(texts_of(sent))
        sent.close()
        window.session.lock()
        found += english_in(texts_of(window))
        question = QMessageBox(
            QMessageBox.Icon.Question,
            "Bifoga",
            "Vill du slänga utkastet?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        qtbot.addWidget(question)
        found += english_in(texts_of(question))
        files = QFileDialog(window, "Välj filer")
        files.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        files.setFileMode(QFileDialog.FileMode.ExistingFiles)
        qtbot.addWidget(files)
        found += english_in(texts_of(files))
    finally:
        install_qt_translations(app, "en")
    assert found == [], "\n".join(f"{w}: {t!r} ({why})" for w, t, why in found)
