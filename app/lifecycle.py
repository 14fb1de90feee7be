"""One way for things that hold a resource (a process, a server, a connection pool) to be
used in a ``with`` block: subclasses say how to ``close``; leaving the block closes."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class ClosedOnExit:
    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
