"""A WSGI app served on loopback from a thread for the length of a ``with`` block (the
test providers and gateways whose answers a test decides)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import werkzeug.serving


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` on ``127.0.0.1`` (a free port); yields its base URL, stops it after."""
    server = werkzeug.serving.make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
