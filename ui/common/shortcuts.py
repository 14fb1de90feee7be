"""The keys Bifoga answers to, in one table: the window binds its shortcuts from it
(``ui.window.actions``) and the help window lists them (``ui.dialogs.help``), so the two
never disagree, and the help needs nothing of the window to say them."""

from __future__ import annotations

#: (text code, key sequence) for the shortcuts the help window lists; the preview's own
#: keys (PageUp/PageDown, Home/End, zoom) are listed there too, from the same table.
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("ui.action.new_case", "Ctrl+N"),
    ("ui.action.attach", "Ctrl+O"),
    ("ui.action.send", "Ctrl+Return"),
    ("ui.action.go_to_reason", "Ctrl+G"),
    ("ui.action.focus_cases", "Ctrl+1"),
    ("ui.action.focus_message", "Ctrl+2"),
    ("ui.action.focus_preview", "Ctrl+3"),
    ("ui.action.sent", "Ctrl+Shift+S"),
    ("ui.action.reload", "F5"),
    ("ui.action.lock", "Ctrl+L"),
    ("ui.action.help", "F1"),
)

#: The preview's keys while it has focus (bound in ui/preview/pane.py), for the help window.
PREVIEW_KEYS: tuple[tuple[str, str], ...] = (
    ("ui.keys.next_page", "PgDown"),
    ("ui.keys.previous_page", "PgUp"),
    ("ui.keys.first_last_page", "Home / End"),
    ("ui.keys.zoom", "Ctrl++ / Ctrl+-"),
    ("ui.keys.fit_page", "Ctrl+0"),
)
