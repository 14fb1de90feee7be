"""The main window's menus and keyboard shortcuts, in one place.

Every action is reachable from the menu bar (Alt opens it) and most have a shortcut,
so the whole path works from the keyboard alone. The help window lists the same
shortcuts from :data:`SHORTCUTS`, so the list shown is the list bound.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from ui.common.i18n import tr
from ui.common.shortcuts import SHORTCUTS


@dataclass
class WindowActions:
    new_case: QAction
    attach: QAction
    send: QAction
    go_to_reason: QAction
    discard: QAction
    focus_cases: QAction
    focus_message: QAction
    focus_preview: QAction
    sent: QAction
    storage: QAction
    reload: QAction
    lock: QAction
    settings: QAction
    sign_out: QAction
    quit: QAction
    help: QAction
    about: QAction

    def while_locked(self, locked: bool) -> None:
        """Nothing but help (and About) works while the window is locked."""
        for name, action in vars(self).items():
            if isinstance(action, QAction) and name not in ("help", "about"):
                action.setEnabled(not locked)


def install_actions(
    window: QMainWindow, handlers: Mapping[str, Callable[[], object]]
) -> WindowActions:
    """Menus Arkiv / Meddelande / Visa / Hjälp with the window's actions."""
    keys = dict(SHORTCUTS)

    def action(menu: QMenu, name: str, shortcut: str | None = None) -> QAction:
        made = QAction(tr(f"ui.action.{name}"), window)
        key = shortcut or keys.get(f"ui.action.{name}")
        if key:
            sequences = [QKeySequence(key)]
            if key == "Ctrl+Return":  # the keypad's Enter too
                sequences.append(QKeySequence("Ctrl+Enter"))
            made.setShortcuts(sequences)
        made.triggered.connect(lambda _checked=False: handlers[name]())
        menu.addAction(made)
        return made

    bar = window.menuBar()
    file_menu = bar.addMenu(tr("ui.menu.file"))
    message_menu = bar.addMenu(tr("ui.menu.message"))
    view_menu = bar.addMenu(tr("ui.menu.view"))
    help_menu = bar.addMenu(tr("ui.menu.help"))

    new_case = action(file_menu, "new_case")
    reload = action(file_menu, "reload")
    file_menu.addSeparator()
    settings = action(file_menu, "settings")
    lock = action(file_menu, "lock")
    sign_out = action(file_menu, "sign_out")
    quit_action = action(file_menu, "quit", "Ctrl+Q")

    attach = action(message_menu, "attach")
    send = action(message_menu, "send")
    go_to_reason = action(message_menu, "go_to_reason")
    message_menu.addSeparator()
    discard = action(message_menu, "discard")

    focus_cases = action(view_menu, "focus_cases")
    focus_message = action(view_menu, "focus_message")
    focus_preview = action(view_menu, "focus_preview")
    view_menu.addSeparator()
    sent = action(view_menu, "sent")
    storage = action(view_menu, "storage")

    help_action = action(help_menu, "help")
    about = QAction(tr("ui.action.about"), window)
    about.triggered.connect(lambda _checked=False: _show_about(window))
    help_menu.addAction(about)
    return WindowActions(
        new_case=new_case,
        attach=attach,
        send=send,
        go_to_reason=go_to_reason,
        discard=discard,
        focus_cases=focus_cases,
        focus_message=focus_message,
        focus_preview=focus_preview,
        sent=sent,
        storage=storage,
        reload=reload,
        lock=lock,
        settings=settings,
        sign_out=sign_out,
        quit=quit_action,
        help=help_action,
        about=about,
    )


def _show_about(window: QMainWindow) -> None:
    from ui.dialogs.help import show_about  # it imports this module's key lists

    show_about(window)
