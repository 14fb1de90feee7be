"""Qt's own words in Swedish: the file dialog, standard buttons, context menus, key names.

Qt ships no Swedish catalogue for qtbase (there is no ``qtbase_sv.qm``; ``qt_sv.qm`` is
an empty meta catalogue that points at it), so the file dialog said "Look in", "File
name" and "Open" in an otherwise Swedish window. The words Bifoga's windows show are
few and known (a test walks every one of them), so they are kept here as a table and
served by a translator, rather than by a compiled ``.qm`` that nothing could check.
A ``qtbase_sv.qm`` that a newer Qt may bring is loaded too, beneath this table.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

#: (context, source text) -> Swedish, as Qt asks for them.
SWEDISH: dict[tuple[str, str], str] = {
    # Standard buttons (QDialogButtonBox, QMessageBox).
    ("QPlatformTheme", "OK"): "OK",
    ("QPlatformTheme", "Cancel"): "Avbryt",
    ("QPlatformTheme", "Close"): "Stäng",
    ("QPlatformTheme", "Open"): "Öppna",
    ("QPlatformTheme", "Save"): "Spara",
    ("QPlatformTheme", "&Yes"): "&Ja",
    ("QPlatformTheme", "&No"): "&Nej",
    ("QPlatformTheme", "Yes"): "Ja",
    ("QPlatformTheme", "No"): "Nej",
    ("QPlatformTheme", "Apply"): "Verkställ",
    ("QPlatformTheme", "Reset"): "Återställ",
    ("QPlatformTheme", "Help"): "Hjälp",
    ("QPlatformTheme", "Discard"): "Släng",
    ("QPlatformTheme", "Retry"): "Försök igen",
    ("QPlatformTheme", "Ignore"): "Ignorera",
    ("QPlatformTheme", "Abort"): "Avbryt",
    ("QPlatformTheme", "Yes to &All"): "Ja till &alla",
    ("QPlatformTheme", "N&o to All"): "N&ej till alla",
    ("QPlatformTheme", "Save All"): "Spara alla",
    ("QPlatformTheme", "Restore Defaults"): "Återställ standardvärden",
    ("QMessageBox", "Show Details..."): "Visa detaljer …",
    ("QMessageBox", "Hide Details..."): "Dölj detaljer …",
    # The file dialog (Qt's own, used where the desktop has no native one).
    ("QFileDialog", "&Look in:"): "&Leta i:",
    ("QFileDialog", "Look in:"): "Leta i:",
    ("QFileDialog", "File &name:"): "Fil&namn:",
    ("QFileDialog", "Files of &type:"): "Fil&typ:",
    ("QFileDialog", "&Open"): "&Öppna",
    ("QFileDialog", "Open"): "Öppna",
    ("QFileDialog", "&Choose"): "&Välj",
    ("QFileDialog", "&Delete"): "&Ta bort",
    ("QFileDialog", "&Rename"): "&Byt namn",
    ("QFileDialog", "&New Folder"): "&Ny mapp",
    ("QFileDialog", "New Folder"): "Ny mapp",
    ("QFileDialog", "Show &hidden files"): "Visa &dolda filer",
    ("QFileDialog", "Show "): "Visa ",
    ("QFileDialog", "All Files (*)"): "Alla filer (*)",
    ("QFileDialog", "Files"): "Filer",
    ("QFileDialog", "Back"): "Bakåt",
    ("QFileDialog", "Forward"): "Framåt",
    ("QFileDialog", "Go back"): "Gå bakåt",
    ("QFileDialog", "Go forward"): "Gå framåt",
    ("QFileDialog", "Parent Directory"): "Överordnad mapp",
    ("QFileDialog", "Go to the parent directory"): "Gå till överordnad mapp",
    ("QFileDialog", "Create New Folder"): "Skapa ny mapp",
    ("QFileDialog", "Create a New Folder"): "Skapa en ny mapp",
    ("QFileDialog", "List View"): "Listvy",
    ("QFileDialog", "Detail View"): "Detaljvy",
    ("QFileDialog", "Change to list view mode"): "Byt till listvy",
    ("QFileDialog", "Change to detail view mode"): "Byt till detaljvy",
    ("QFileDialog", "Sidebar"): "Sidopanel",
    ("QFileDialog", "List of places and bookmarks"): "Platser och bokmärken",
    ("QFileDialog", "Recent Places"): "Senaste platser",
    ("QFileDialog", "My Computer"): "Den här datorn",
    ("QFileDialog", "Alt+Left"): "Alt+Left",
    ("QFileDialog", "Alt+Right"): "Alt+Right",
    ("QFileDialog", "Alt+Up"): "Alt+Up",
    (
        "QFileDialog",
        "%1\nFile not found.\nPlease verify the correct file name was given.",
    ): "%1\nFilen hittades inte.\nKontrollera att filnamnet är rätt.",
    (
        "QFileDialog",
        "%1\nDirectory not found.\nPlease verify the correct directory name was given.",
    ): "%1\nMappen hittades inte.\nKontrollera att mappens namn är rätt.",
    ("QFileDialog", "Are you sure you want to delete '%1'?"): "Vill du ta bort '%1'?",
    ("QFileDialog", "Could not delete directory."): "Mappen kunde inte tas bort.",
    ("QFileSystemModel", "Name"): "Namn",
    ("QFileSystemModel", "Size"): "Storlek",
    ("QFileSystemModel", "Type"): "Typ",
    ("QFileSystemModel", "Kind"): "Sort",
    ("QFileSystemModel", "Date Modified"): "Ändrad",
    ("QFileSystemModel", "Computer"): "Dator",
    ("QFileSystemModel", "My Computer"): "Den här datorn",
    ("QAbstractFileIconProvider", "Drive"): "Enhet",
    ("QAbstractFileIconProvider", "Folder"): "Mapp",
    ("QAbstractFileIconProvider", "File"): "Fil",
    # Context menus of text fields.
    ("QLineEdit", "&Undo"): "&Ångra",
    ("QLineEdit", "&Redo"): "&Gör om",
    ("QLineEdit", "Cu&t"): "Klipp &ut",
    ("QLineEdit", "&Copy"): "&Kopiera",
    ("QLineEdit", "&Paste"): "Klistra &in",
    ("QLineEdit", "Delete"): "Ta bort",
    ("QLineEdit", "Select All"): "Markera allt",
    ("QWidgetTextControl", "&Undo"): "&Ångra",
    ("QWidgetTextControl", "&Redo"): "&Gör om",
    ("QWidgetTextControl", "Cu&t"): "Klipp &ut",
    ("QWidgetTextControl", "&Copy"): "&Kopiera",
    ("QWidgetTextControl", "Copy &Link Location"): "Kopiera &länkadress",
    ("QWidgetTextControl", "&Paste"): "Klistra &in",
    ("QWidgetTextControl", "Delete"): "Ta bort",
    ("QWidgetTextControl", "Select All"): "Markera allt",
    # Key names, as menus and the help window show shortcuts.
    ("QShortcut", "Return"): "Retur",
    ("QShortcut", "Enter"): "Enter",
    ("QShortcut", "Space"): "Mellanslag",
    ("QShortcut", "Shift"): "Skift",
    ("QShortcut", "Backspace"): "Backsteg",
    ("QShortcut", "Del"): "Delete",
    ("QShortcut", "Ins"): "Insert",
    ("QShortcut", "Left"): "Vänster",
    ("QShortcut", "Right"): "Höger",
    ("QShortcut", "Up"): "Upp",
    ("QShortcut", "Down"): "Ned",
    ("QShortcut", "PgUp"): "PgUp",
    ("QShortcut", "PgDown"): "PgDown",
    ("QShortcut", "Print"): "Print Screen",
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


#: Kept alive for as long as the application runs (Qt does not own them).
_installed: list[QTranslator] = []


def install_qt_translations(app: QCoreApplication, language: str) -> None:
    """Qt's standard dialogs and buttons in ``language`` (Swedish; English is Qt's own)."""
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language != "sv":
        return
    system = QTranslator()
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if system.load("qtbase_sv", folder):
        app.installTranslator(system)
        _installed.append(system)
    table = TableTranslator(SWEDISH)
    app.installTranslator(table)  # asked first: installed last
    _installed.append(table)
