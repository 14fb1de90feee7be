"""Alt+letter must lead to one control: the letters a window's visible controls use."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget


def mnemonic(text: str) -> str | None:
    plain = text.replace("&&", "")
    index = plain.find("&")
    return plain[index + 1].lower() if 0 <= index < len(plain) - 1 else None


def shared_mnemonics(window: QWidget) -> list[str]:
    """Letters that more than one visible button or label of ``window`` uses."""
    letters = [
        mnemonic(w.text())
        for w in window.findChildren(QWidget)
        if isinstance(w, QAbstractButton | QLabel) and w.isVisible()
    ]
    taken = [letter for letter in letters if letter]
    return sorted({letter for letter in taken if taken.count(letter) > 1})
