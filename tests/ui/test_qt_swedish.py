"""Qt's catalogue first (ui.common.qt_swedish): PySide6's ``qtbase_sv.qm`` is loaded, and the
table holds only the words it lacks or that Bifoga words otherwise."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from ui.common.qt_swedish import SWEDISH, install_qt_translations, qt_catalogue


def test_qts_own_swedish_catalogue_is_there_and_says_most_words() -> None:
    catalogue = qt_catalogue()
    assert catalogue is not None, "PySide6 ships qtbase_sv.qm"
    assert catalogue.translate("QFileDialog", "File &name:") == "Fil&namn:"


def test_the_table_holds_only_what_the_catalogue_lacks_or_words_otherwise() -> None:
    catalogue = qt_catalogue()
    assert catalogue is not None
    same = [key for key, ours in SWEDISH.items() if catalogue.translate(*key) == ours]
    assert same == [], "already in qtbase_sv.qm: drop them from the table"


def test_installed_the_table_wins_and_the_catalogue_fills_in(qapp: QApplication) -> None:
    install_qt_translations(qapp, "sv")
    try:
        assert QCoreApplication.translate("QPlatformTheme", "OK") == "OK"  # ours, not "Ok"
        assert QCoreApplication.translate("QPlatformTheme", "Yes") == "Ja"  # only ours
        assert QCoreApplication.translate("QFileDialog", "File &name:") == "Fil&namn:"  # Qt's
    finally:
        install_qt_translations(qapp, "en")
    assert QCoreApplication.translate("QFileDialog", "File &name:") == "File &name:"
