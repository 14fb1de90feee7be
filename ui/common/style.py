"""The application's one style rule: a focus ring that can be seen.

The platform's focus mark is a thin dotted frame that is easy to miss when working with
the keyboard only. The rule is set on the application, so every window has it: the
sign-in window, dialogs and the "Skickat" and "Fel fil skickad" windows too. Radio
buttons and check boxes carry the ring's room (a transparent border and the same padding)
all the time, so focus never changes their size and never clips a label ("Delsvar").
"""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

RING = "#1a56b0"

FOCUS_STYLE = f"""
QListWidget:focus, QPlainTextEdit:focus, QLineEdit:focus, QTextBrowser:focus,
QScrollArea:focus {{ border: 2px solid {RING}; }}
QRadioButton, QCheckBox {{ border: 2px solid transparent; border-radius: 3px; padding: 2px 6px; }}
QRadioButton:focus, QCheckBox:focus {{ border: 2px solid {RING}; }}
QPushButton:focus, QToolButton:focus {{
    outline: 2px solid {RING}; border: 2px solid {RING}; border-radius: 3px; padding: 2px 6px;
}}
"""


def apply_focus_style() -> None:
    """Add the focus ring to the running application's style sheet (once)."""
    app = QApplication.instance()
    if isinstance(app, QApplication) and FOCUS_STYLE not in app.styleSheet():
        app.setStyleSheet(app.styleSheet() + FOCUS_STYLE)
