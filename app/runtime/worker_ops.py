"""The jobs the isolated worker runs, by name (``app.isolation.worker.DEFAULT_JOBS``). Imported in
the worker process only; the window calls them through the typed clients
(``app.preview.render_client.RenderClient``, ``app.inspection.isolated.InspectClient``)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from typing import Any

from app.inspection.jobs import InspectRequest, Sanitized
from app.preview import rendering


def _inspect(request: InspectRequest) -> Any:
    from app.inspection import inspect_file  # heavy imports stay out of the render-only worker

    return inspect_file(
        request.path,
        request.recipients,
        request.kind,
        request.policy_path,
        request.name,
        request.removed,
        request.clinic_phone_numbers,
    )


def _sanitize(path: str) -> Sanitized:
    """Remove what no viewer shows from the staged copy (image metadata, data after the
    end, polyglots, a PDF's unused objects and earlier revisions): whether it changed,
    and what was removed."""
    from pathlib import Path

    from app.inspection.hidden import remove_hidden

    return remove_hidden(Path(path))


def _read_aloud(path: str) -> Any:
    from app.preview.read_aloud import read_aloud  # pikepdf stays out until a file is read aloud

    return read_aloud(path)


# Self-tests: they prove that a crash, a hang or a memory blow-up in the worker
# becomes a refusal with a reason and never reaches the window.
def _crash() -> None:
    os.kill(os.getpid(), signal.SIGSEGV)


def _hang(seconds: float = 3600.0) -> None:
    time.sleep(seconds)


def _allocate(megabytes: int) -> int:
    block = bytearray(megabytes * 1024 * 1024)
    return len(block)


OPS: dict[str, Callable[..., Any]] = {
    "ping": lambda: os.getpid(),
    "render": rendering.render_page,
    "render_ahead": rendering.render_ahead,
    "confirm_ahead": rendering.confirm_ahead,
    "page_count": rendering.page_count,
    "read_aloud": _read_aloud,
    "inspect": _inspect,
    "sanitize": _sanitize,
    "selftest.crash": _crash,
    "selftest.hang": _hang,
    "selftest.allocate": _allocate,
}
