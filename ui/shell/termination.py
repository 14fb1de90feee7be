"""SIGTERM (a logout, a service manager, ``kill``) ends Bifoga as Quit would.

Python's default for SIGTERM ends the process at once, so nothing closes: the embedded
sandbox's folder (every "sent" file and resident id of the run) would stay in the
temporary folder. Here the signal ends every event loop instead, and ``run_gui`` closes
what it opened, removing that folder. A Python signal handler only runs when Python
does, so the signal also writes to a socket (``signal.set_wakeup_fd``) that the event
loop watches: its slot lets Python run, and the handler runs first.
"""

from __future__ import annotations

import contextlib
import signal
import socket
from collections.abc import Iterator

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication


@contextlib.contextmanager
def quit_on_sigterm(app: QApplication) -> Iterator[None]:
    """While inside, SIGTERM quits ``app``'s event loops (a dialog's included)."""
    wake_read, wake_write = socket.socketpair()
    wake_read.setblocking(False)
    wake_write.setblocking(False)
    previous_fd = signal.set_wakeup_fd(wake_write.fileno())
    previous_handler = signal.signal(signal.SIGTERM, lambda signum, frame: app.exit(0))
    notifier = QSocketNotifier(wake_read.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda: _drain(wake_read))
    try:
        yield
    finally:
        notifier.setEnabled(False)
        signal.signal(signal.SIGTERM, previous_handler)
        signal.set_wakeup_fd(previous_fd)
        wake_read.close()
        wake_write.close()


def _drain(wake: socket.socket) -> None:
    with contextlib.suppress(OSError):
        wake.recv(512)
