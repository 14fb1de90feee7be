"""Many large uploads at once against ``bifoga sandbox`` in a process of its own, with
its memory read from /proc (the test of issue 21's 30 stalled uploads, and
``BENCH gateway_upload_memory``). Loopback only: each upload comes from its own loopback
address (127.0.0.2, ...), as from its own machine, and goes to 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

_REPO = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
#: A safety net for each socket operation; the work ends when the server answers.
_PATIENCE_S = 60.0


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    base_url: str
    data_dir: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def status_kib(self, field: str) -> int:
        """A memory figure of /proc/PID/status in KiB (VmHWM: the peak RSS so far)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def peak_rss_mb(self) -> float:
        return self.status_kib("VmHWM") / 1024

    def rss_mb(self) -> float:
        return self.status_kib("VmRSS") / 1024

    def upload_file_sizes(self) -> list[int]:
        """The sizes of the files the sandbox holds open in its data folder other than
        its database: the uploads in progress (unnamed temporary files)."""
        sizes = []
        for fd in Path(f"/proc/{self.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
                if target.startswith(str(self.data_dir)) and "sqlite3" not in target:
                    sizes.append(os.stat(fd).st_size)
            except FileNotFoundError:  # closed meanwhile
                continue
        return sizes


@contextmanager
def sandbox_process(data_dir: Path) -> Iterator[SandboxProcess]:
    """``bifoga sandbox --data DATA_DIR`` (through the console script's dispatch),
    stopped with SIGTERM afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ui.shell.launcher", "sandbox", "--data", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(_REPO)},
        cwd=_REPO,
    )
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        yield SandboxProcess(process, base_url, data_dir.resolve())
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=_PATIENCE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


@dataclass
class Upload:
    sock: socket.socket
    last_byte: bytes

    def finish(self) -> int:
        """Send the last byte; the answer's status."""
        self.sock.sendall(self.last_byte)
        received = b""
        while chunk := self.sock.recv(65536):
            received += chunk
        self.sock.close()
        return int(received.split(b" ", 2)[1])


def start_uploads(base_url: str, token: str, count: int, size: int) -> list[Upload]:
    """``count`` PDF uploads of ``size`` bytes, each different, each sent but for its
    last byte (the server holds them all, waiting for it). One zeroed buffer is shared:
    what differs is a few bytes at the start."""
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    assert host == "127.0.0.1"
    filler = memoryview(bytes(size))
    uploads = []
    try:
        for number in range(count):
            head = f"%PDF-1.7\n%upload {number:04d}\n".encode()
            rest = filler[len(head) :]
            digest = hashlib.sha256(head)
            digest.update(rest)
            sock = socket.create_connection(
                (host, int(port)), timeout=_PATIENCE_S, source_address=(f"127.0.0.{2 + number}", 0)
            )
            uploads.append(Upload(sock, bytes(rest[-1:])))
            sock.sendall(
                (
                    f"PUT /v1/attachments/{digest.hexdigest()} HTTP/1.1\r\n"
                    f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: application/pdf\r\nContent-Length: {size}\r\n\r\n"
                ).encode()
                + head
            )
            sock.sendall(rest[:-1])
    except BaseException:
        for upload in uploads:
            upload.sock.close()
        raise
    return uploads
