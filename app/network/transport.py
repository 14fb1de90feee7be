"""One HTTP session factory for everything Bifoga asks over the network (the gateway and
the region's identity provider): TLS always verified, against the OS trust store."""

from __future__ import annotations

import ssl
import threading
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import requests


def new_session(verify: bool | str = True) -> requests.Session:
    """A session; HTTPS verified against the operating system's trust store (via
    truststore: hospital CAs are installed there, not in certifi) unless a CA bundle is
    named. ``requests`` (with urllib3, a tenth of a second to import) is loaded here, at
    the first call, not when the window starts."""
    if verify is False:
        raise ValueError("TLS verification cannot be switched off")
    import requests
    from requests.adapters import HTTPAdapter

    class OsTrustAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            import truststore

            kwargs["ssl_context"] = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    if verify is True:
        session.mount("https://", OsTrustAdapter())
    return session


class LazySession:
    """The session a client uses: the one it was given, or one made at the first call
    (from any thread: made once) and closed with the client."""

    def __init__(self, given: requests.Session | None, verify: bool | str) -> None:
        self._given = given
        self._verify = verify
        self._made: requests.Session | None = None
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        if self._given is not None:
            return self._given
        with self._lock:
            if self._made is None:
                self._made = new_session(self._verify)
            return self._made

    def close(self) -> None:
        """Close the session this made (a given one is its owner's to close)."""
        if self._made is not None:
            self._made.close()
