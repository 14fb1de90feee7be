"""The loopback redirect of a native app (RFC 8252 §7.3): a listener on ``127.0.0.1``, a
free port the OS picks, path ``/callback``. It takes one answer, tells the browser in
Swedish that the tab can be closed, and closes: a second request finds no one listening.

Only ``127.0.0.1`` (not ``localhost``, which may resolve elsewhere or to IPv6, §8.3).
Nothing is logged: the query holds the authorization code. Connections are handled on
short-lived threads, so a browser's idle pre-connection cannot hold the real redirect
back; closing the listener waits for them.
"""

from __future__ import annotations

import contextlib
import html
import selectors
import socket
import socketserver
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler

from app.config import texts

CALLBACK_PATH = "/callback"
#: A stalled connection is dropped after this long.
_CONNECTION_TIMEOUT_S = 5.0


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    # TCPServer, not http.server.HTTPServer: that one asks DNS for this host's name.
    allow_reuse_address = False
    daemon_threads = True
    block_on_close = True
    listener: LoopbackListener


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    timeout = _CONNECTION_TIMEOUT_S
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._answer(404, texts.message("identity.callback.not_here"))
            return
        params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
        sentence = self.server.listener.take(params)
        if sentence is None:  # another request came first
            self._answer(409, texts.message("identity.callback.not_here"))
        else:
            self._answer(200, sentence)

    def _answer(self, status: int, sentence: str) -> None:
        body = _page(sentence)
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        # The address holds the code: the page must not pass it on to anything it loads.
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request line holds the authorization code


def _page(sentence: str) -> bytes:
    return (
        '<!doctype html><html lang="sv"><head><meta charset="utf-8">'
        "<title>Bifoga</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<style>body{font-family:sans-serif;max-width:36em;margin:4em auto;"
        "font-size:1.2em;line-height:1.5}</style></head>"
        f"<body><main><h1>Bifoga</h1><p>{html.escape(sentence)}</p></main></body></html>"
    ).encode()


class LoopbackListener:
    """Listens from construction until the first answer to ``/callback``, ``close()`` or
    the end of ``time_limit_s``. ``judge(params)`` says whether the answer is a success
    (the page says so) and is called on the connection's thread."""

    def __init__(
        self,
        judge: Callable[[Mapping[str, str]], bool],
        *,
        time_limit_s: float,
    ) -> None:
        self._judge = judge
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._params: dict[str, str] | None = None
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.listener = self
        # handle_request() only once the socket is readable: it must not wait itself.
        self._server.timeout = 0
        # Wakes the serving thread at once when the answer came or the attempt ended:
        # the redirect's code must not wait for a polling interval (BENCH sign_in).
        self._wake_read, self._wake_write = socket.socketpair()
        self.port: int = self._server.server_address[1]
        self._deadline = time.monotonic() + time_limit_s
        self._thread = threading.Thread(target=self._serve, name="bifoga-loopback", daemon=True)
        self._thread.start()

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{CALLBACK_PATH}"

    def take(self, params: dict[str, str]) -> str | None:
        """The first answer is kept and ends the listening; the sentence for its page.
        None for any later one."""
        with self._lock:
            if self._params is not None or self._stop.is_set():
                return None
            self._params = params
        try:
            ok = self._judge(params)
        finally:
            self._end()  # whatever the judge thought: the one answer is taken
        return texts.message("identity.callback.done" if ok else "identity.callback.failed")

    def wait(self, timeout: float | None = None) -> dict[str, str] | None:
        """The answer's query parameters, or None when the listener closed (cancelled,
        or its time ran out) or ``timeout`` passed first."""
        if not self._stop.wait(timeout):
            return None
        with self._lock:
            return dict(self._params) if self._params is not None else None

    @property
    def closed(self) -> bool:
        return not self._thread.is_alive()

    def _end(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):  # already closed: the serving thread has ended
            self._wake_write.send(b"\0")

    def close(self) -> None:
        """Stop listening and wait until the port is closed and every connection done."""
        self._end()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _serve(self) -> None:
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self._server, selectors.EVENT_READ)
                selector.register(self._wake_read, selectors.EVENT_READ)
                while not self._stop.is_set():
                    left = self._deadline - time.monotonic()
                    if left <= 0:
                        self._stop.set()
                        break
                    for key, _events in selector.select(left):
                        if key.fileobj is self._server and not self._stop.is_set():
                            self._server.handle_request()
        finally:
            self._server.server_close()
            self._wake_read.close()
            self._wake_write.close()
