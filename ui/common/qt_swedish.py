"""Qt's own words in Swedish: the file dialog, standard buttons, context menus, key names.

Qt's catalogue comes first: PySide6 ships ``qtbase_sv.qm`` (in ``PySide6/Qt/translations``),
loaded from Qt's translations folder. This table holds only the words it lacks and those
Bifoga words otherwise (plainer, "mapp" rather than "katalog", "OK" rather than "Ok"); it
is asked before the catalogue. A test walks every word the windows show (no English
left), and another refuses a table entry the catalogue already says the same way.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

log = logging.getLogger(__name__)

#: (context, source text) -> Swedish, as Qt asks for them: only what Qt's own
#: ``qtbase_sv.qm`` lacks, or words otherwise than Bifoga's windows do (its word in the
#: comment). The test keeps it so: an entry the catalogue already has the same is refused.
SWEDISH: dict[tuple[str, str], str] = {
    # Missing from qtbase_sv.qm.
    ("QPlatformTheme", "Yes"): "Ja",
    ("QPlatformTheme", "No"): "Nej",
    ("QFileDialog", "Look in:"): "Leta i:",
    ("QFileDialog", "My Computer"): "Den här datorn",
    # Worded otherwise here: plainer words, "mapp" for folder, the window's own terms.
    ("QPlatformTheme", "OK"): "OK",  # Qt: 'Ok'
    ("QPlatformTheme", "Reset"): "Återställ",  # Qt: 'Nollställ'
    ("QPlatformTheme", "Discard"): "Släng",  # Qt: 'Förkasta'
    ("QPlatformTheme", "Yes to &All"): "Ja till &alla",  # Qt: 'Ja till &allt'
    ("QPlatformTheme", "N&o to All"): "N&ej till alla",  # Qt: 'N&ej till allt'
    ("QPlatformTheme", "Save All"): "Spara alla",  # Qt: 'Spara allt'
    (
        "QPlatformTheme",
        "Restore Defaults",
    ): "Återställ standardvärden",  # Qt: 'Nollställ till standard'
    ("QMessageBox", "Show Details..."): "Visa detaljer …",  # Qt: 'Visa detaljer...'
    ("QMessageBox", "Hide Details..."): "Dölj detaljer …",  # Qt: 'Dölj detaljer...'
    ("QFileDialog", "&Look in:"): "&Leta i:",  # Qt: '&Titta i:'
    ("QFileDialog", "Files of &type:"): "Fil&typ:",  # Qt: 'Filer av &typ:'
    ("QFileDialog", "Parent Directory"): "Överordnad mapp",  # Qt: 'Föräldrakatalog'
    (
        "QFileDialog",
        "Go to the parent directory",
    ): "Gå till överordnad mapp",  # Qt: 'Gå till överliggande katalog'
    ("QFileDialog", "Detail View"): "Detaljvy",  # Qt: 'Detaljerad vy'
    ("QFileDialog", "Change to list view mode"): "Byt till listvy",  # Qt: 'Byt till listvyläget'
    (
        "QFileDialog",
        "Change to detail view mode",
    ): "Byt till detaljvy",  # Qt: 'Byt till detaljerat vyläge'
    ("QFileDialog", "Sidebar"): "Sidopanel",  # Qt: 'Sidorad'
    (
        "QFileDialog",
        "List of places and bookmarks",
    ): "Platser och bokmärken",  # Qt: 'Lista över platser och bokmärken'
    ("QFileDialog", "Recent Places"): "Senaste platser",  # Qt: 'Tidigare platser'
    (
        "QFileDialog",
        "%1\nFile not found.\nPlease verify the correct file name was given.",
    ): "%1\nFilen hittades inte.\nKontrollera att filnamnet är rätt.",  # Qt: "det korrekta"
    (
        "QFileDialog",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.",
    ): "%1\nMappen hittades inte.\nKontrollera att mappens namn är rätt.",  # Qt: "Katalogen ..."
    (
        "QFileDialog",
        "Are you sure you want to delete '%1'?",
    ): "Vill du ta bort '%1'?",  # Qt: 'Är du säker på att du vill ta bort \\"%1\\"?'
    (
        "QFileDialog",
        "Could not delete directory.",
    ): "Mappen kunde inte tas bort.",  # Qt: 'Kunde inte ta bort katalogen.'
    ("QFileSystemModel", "Kind"): "Sort",  # Qt: 'Typ'
    ("QFileSystemModel", "Date Modified"): "Ändrad",  # Qt: 'Datum ändrad'
    ("QFileSystemModel", "My Computer"): "Den här datorn",  # Qt: 'Min dator'
    ("QLineEdit", "Select All"): "Markera allt",  # Qt: 'Markera alla'
    (
        "QWidgetTextControl",
        "Copy &Link Location",
    ): "Kopiera &länkadress",  # Qt: 'Kopiera &länkplats'
    ("QWidgetTextControl", "Select All"): "Markera allt",  # Qt: 'Markera alla'
    ("QShortcut", "Return"): "Retur",  # Qt: 'Return'
    ("QShortcut", "Del"): "Delete",  # Qt: 'Del'
    ("QShortcut", "Ins"): "Insert",  # Qt: 'Ins'
    ("QShortcut", "Print"): "Print Screen",  # Qt: 'Print'
}


class TableTranslator(QTranslator):
    def __init__(self, table: dict[tuple[str, str], str]) -> None:
        super().__init__()
        self._table = table

    def translate(
        self, context: str, source_text: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        return self._table.get((context, source_text))

    def isEmpty(self) -> bool:
        return not self._table


def qt_catalogue() -> QTranslator | None:
    """Qt's own Swedish catalogue (``qtbase_sv.qm``, shipped with PySide6), or None."""
    catalogue = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    return catalogue if catalogue.load("qtbase_sv", folder) else None


#: Kept alive for as long as the application runs (Qt does not own them).
_installed: list[QTranslator] = []


def install_qt_translations(app: QCoreApplication, language: str) -> None:
    """Qt's standard dialogs and buttons in ``language`` (Swedish; English is Qt's own)."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language != "sv":
        return
    system = qt_catalogue()
    if system is not None:
        app.installTranslator(system)
        _installed.append(system)
    else:  # the table alone leaves most of Qt's words in English
        log.warning("qtbase_sv.qm not found in Qt's translations folder")
    table = TableTranslator(SWEDISH)
    app.installTranslator(table)  # asked first: installed last
    _installed.append(table)
