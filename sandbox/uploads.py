"""An attachment's body, streamed to a temporary file in the sandbox's private data folder.

The body is hashed and its first bytes kept for the sniffer while it is written, so what
an upload holds in memory is one read (``CHUNK_BYTES``) whatever its size and however many
uploads are in progress (issue 21: 30 stalled 19 MiB uploads held whole took 649 MB). The
file has no name (``tempfile.TemporaryFile``: ``O_TMPFILE`` on Linux, mode 0600), so it
is gone when it is closed, and even when the process is killed.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from app.protocol import filetypes
from sandbox.responses import ApiError

#: One read from the connection; the memory an upload in progress holds.
CHUNK_BYTES = 256 * 1024


@dataclass(frozen=True, slots=True)
class ReceivedBody:
    """A body read to its end: ``file`` is at its start and closed with this object."""

    file: IO[bytes]
    size: int
    sha256: str
    #: The first bytes, for the sniffer (app/protocol/filetypes.py).
    head: bytes

    def __enter__(self) -> ReceivedBody:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()


def receive(stream: Any, length: int, directory: Path) -> ReceivedBody:
    """Read exactly ``length`` bytes from ``stream`` into a temporary file in
    ``directory``; 400 ``incomplete_body`` when the body ends before that."""
    file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by ReceivedBody
    try:
        digest = hashlib.sha256()
        head = b""
        remaining = length
        while remaining > 0:
            chunk = stream.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                raise ApiError.one(400, "incomplete_body", "The body ended before Content-Length.")
            digest.update(chunk)
            if len(head) < filetypes.SNIFF_BYTES:
                head += chunk[: filetypes.SNIFF_BYTES - len(head)]
            file.write(chunk)
            remaining -= len(chunk)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return ReceivedBody(file, length, digest.hexdigest(), head)
