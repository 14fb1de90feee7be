"""A jobs table of its own, for showing that the isolated worker runs whatever table it
is started with (``IsolatedWorker(jobs=...)``) and knows none by itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OPS: dict[str, Callable[..., Any]] = {"echo": lambda value: ("echo", value)}
