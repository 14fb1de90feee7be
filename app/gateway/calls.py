"""How one call to the gateway is made, apart from what it asks: where its bearer token
comes from (:class:`TokenSource`; a session that can give none is a 401 of its own), how
hard an idempotent call is tried (:class:`RetryPolicy`), and a file body that reports its
progress (:class:`ProgressReader`). :mod:`app.gateway.client` makes the calls with them.
"""

from __future__ import annotations

import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Protocol

from app.gateway.errors import GatewayError


class TokenSource(Protocol):
    """Where the bearer access token comes from: the signed-in session
    (``app.identity.SignedIn``). Both may raise ``app.identity.IdentityError``."""

    def access_token(self) -> str:
        """A token with some life left."""
        ...

    def refresh(self, rejected: str | None = None) -> str:
        """A new token: the gateway refused ``rejected``."""
        ...


@dataclass(frozen=True, slots=True)
class StaticToken:
    """One token and no way to renew it (tests, a command run with a token in hand)."""

    token: str = field(repr=False)

    def access_token(self) -> str:
        return self.token

    def refresh(self, rejected: str | None = None) -> str:
        return self.token


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard an idempotent call tries. Backoff doubles from ``backoff_base_s`` up to
    ``backoff_max_s`` with jitter; a Retry-After from the server wins."""

    max_attempts: int = 5
    max_total_s: float = 60.0
    backoff_base_s: float = 0.25
    backoff_max_s: float = 8.0

    def backoff(self, attempt: int) -> float:
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2 ** (attempt - 1))
        # Half fixed, half random: clients that failed together do not retry together.
        return ceiling / 2 + random.uniform(0, ceiling / 2)


class ProgressReader:
    """A file body that reports progress as requests reads it, with a known length
    (so the PUT carries Content-Length and the gateway can refuse a large file early)."""

    def __init__(self, source: Path | bytes, progress: Callable[[int, int], None] | None) -> None:
        if isinstance(source, bytes):  # a working copy's plain bytes, opened in memory
            self._file: BinaryIO = io.BytesIO(source)
            self._total = len(source)
        else:
            self._file = source.open("rb")
            self._total = source.stat().st_size
        self._sent = 0
        self._progress = progress

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        chunk = self._file.read(size)  # urllib3 reads in blocks; read() means the rest
        self._sent += len(chunk)
        if self._progress is not None and chunk:
            self._progress(self._sent, self._total)
        return chunk

    def close(self) -> None:
        self._file.close()


def bearer(source: TokenSource) -> str:
    """``source``'s access token; a session that can give none is a 401 of its own, with
    its code (or no answer, when the provider could not be reached)."""
    from app.identity.errors import IdentityError

    try:
        return source.access_token()
    except IdentityError as failed:
        raise identity_failure(failed) from None


def refresh(source: TokenSource, rejected: str) -> None:
    """A new token from ``source``: the gateway refused ``rejected``."""
    from app.identity.errors import IdentityError

    try:
        source.refresh(rejected)
    except IdentityError as failed:
        raise identity_failure(failed) from None


def token_refused(error: GatewayError) -> bool:
    # A 401 to a call that carried a token: the gateway took it for no good (its code is
    # invalid_token; a gateway that names it otherwise is answered the same way).
    return error.status == 401


def identity_failure(failed: Exception) -> GatewayError:
    """The session could not give a token: as a 401 when it needs the person (the outbox
    then waits for a sign-in), as no answer when the provider could not be reached."""
    code = str(getattr(failed, "code", "identity.session_expired"))
    status = None if code == "identity.provider_unreachable" else 401
    return GatewayError(status, (code,), "no access token from the session")
