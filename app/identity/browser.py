"""Where the authorization request is opened: the system browser (RFC 8252 §8.12: never an
embedded web view, whose page the app could read). Tests pass a robot instead."""

from __future__ import annotations

import logging
from typing import Protocol

log = logging.getLogger("bifoga.identity")


class Browser(Protocol):
    def open(self, url: str) -> bool:
        """Show ``url`` to the person; False when no browser could be opened (the window
        then shows the address with a copy button)."""
        ...


class SystemBrowser:
    """The person's default browser, through :mod:`webbrowser`. The address holds no
    secret (the PKCE verifier never leaves Bifoga), so passing it to the browser's
    process is safe."""

    def open(self, url: str) -> bool:
        import webbrowser

        try:
            return bool(webbrowser.open(url, new=2))
        except webbrowser.Error:
            log.info("no browser could be opened")
            return False
