"""Real processes for the tests that kill them: the sandbox gateway on its own, and the
outbox's sender. Each reports on its standard output, one line per event, so a test waits
for a line, never for time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class Child:
    """A child process whose standard output is read line by line; stderr goes to a file
    (a pipe nobody reads could fill up and stall it)."""

    def __init__(self, args: list[str], log: Path, *, first_input: str | None = None) -> None:
        """``first_input``: one line written to its standard input, which is then closed
        (how a secret such as the storage key reaches it: never its environment)."""
        self._log = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, *args],
            stdin=subprocess.DEVNULL if first_input is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        if first_input is not None:
            assert self.process.stdin is not None
            self.process.stdin.write(first_input + "\n")
            self.process.stdin.close()

    def line(self) -> str:
        """The next line it writes; "" once it has ended."""
        assert self.process.stdout is not None
        return self.process.stdout.readline().rstrip("\n")

    def kill(self) -> None:
        """SIGKILL, as a crash or a power cut would end it: nothing of its own runs after."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def close(self) -> int:
        """Wait for it to end by itself (the caller read its last line) and tidy up."""
        code = self.process.wait(timeout=60)
        self.release()
        return code

    def release(self) -> None:
        self.kill()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


@contextmanager
def sandbox_process(
    data: Path,
    log: Path,
    *,
    port: int = 0,
    fault: str | None = None,
    extra: Sequence[str] = (),
) -> Iterator[tuple[Child, str]]:
    """``bifoga sandbox --data DATA`` (and ``extra`` arguments) as a process of its own,
    and its base URL."""
    args = ["-m", "ui.shell.launcher", "sandbox", "--data", str(data), "--port", str(port)]
    if fault:
        args += ["--fault", fault]
    args += extra
    child = Child(args, log)
    try:
        base_url = child.line()
        assert base_url.startswith("http://127.0.0.1:"), base_url
        yield child, base_url
    finally:
        child.release()
