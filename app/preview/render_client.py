"""Typed calls to the render worker's jobs (``app.preview.rendering``, run in the worker process).

The worker runs jobs by name and answers with whatever the child sent; that child
parses untrusted files, so its answer is checked here for the type each job promises
before anyone uses it. Importing this module loads no PDFium.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from app.isolation.worker import IsolatedWorker, PendingCall, WorkerFailure
from app.preview.reading import ReadItem, checked
from app.preview.rendered_page import RenderedPage

T = TypeVar("T")

#: (name, size) of a shared-memory block the worker draws into.
SharedTarget = tuple[str, int]


class Band(NamedTuple):
    """The ``which``-th (from 0) of ``of`` horizontal bands of a page: several workers
    draw one page together, each its own rows."""

    which: int
    of: int


WHOLE_PAGE = Band(0, 1)


def _checked(answer: object, expected: type[T]) -> T:
    if not isinstance(answer, expected):
        raise WorkerFailure(WorkerFailure.ERROR, f"unexpected answer, not {expected.__name__}")
    return answer


class Pending(Generic[T]):
    """Jobs sent to several workers at once, whose answers are still to come (each
    holds its worker until collected)."""

    def __init__(self, calls: Sequence[PendingCall], expected: type[T]) -> None:
        self.calls = list(calls)
        self._expected = expected

    def collect(self) -> list[T]:
        """Every answer, each collected (so every worker is free again) even when one
        failed; then the first failure is raised."""
        answers: list[T] = []
        failure: BaseException | None = None
        for call in self.calls:
            try:
                answers.append(_checked(call.result(), self._expected))
            except Exception as error:
                failure = failure or error
        if failure is not None:
            raise failure
        return answers


class RenderClient:
    """One render worker, called by its jobs' names and types."""

    def __init__(self, worker: IsolatedWorker) -> None:
        self.worker = worker

    def render(
        self,
        path: Path,
        page_index: int,
        scale: float,
        rotation: int = 0,
        target: SharedTarget | None = None,
        band: Band = WHOLE_PAGE,
    ) -> RenderedPage:
        """One page drawn at ``scale`` (1.0 = 72 dpi, the device pixel ratio included),
        turned ``rotation`` degrees clockwise; into ``target`` when it fits (see
        ``app.preview.rendering.render_page``)."""
        answer = self.worker.call(
            "render", str(path), page_index, scale, rotation, target, tuple(band)
        )
        return _checked(answer, RenderedPage)

    def page_count(self, path: Path) -> int:
        return _checked(self.worker.call("page_count", str(path)), int)

    def read_aloud(self, path: Path) -> tuple[ReadItem, ...]:
        """The file as a screen reader takes it, in reading order (``app.preview.read_aloud``)."""
        try:
            return checked(self.worker.call("read_aloud", str(path)))
        except ValueError as error:
            raise WorkerFailure(WorkerFailure.ERROR, f"unexpected answer: {error}") from None

    def render_ahead(self, request: AheadRequest) -> RenderedPage:
        """``request``'s page drawn whole by this worker alone (``render_ahead_together``
        shares it out)."""
        return _checked(self.worker.call("render_ahead", request), RenderedPage)

    def confirm_ahead(self, token: str, staged_path: Path) -> bool:
        """Whether what this worker drew ahead under ``token`` is ``staged_path``'s page."""
        return _checked(self.worker.call("confirm_ahead", token, str(staged_path)), bool)


class AheadRequest(NamedTuple):
    """Page 1 of a PDF just chosen, drawn before its staged copy exists."""

    token: str  # names the drawing until it is confirmed
    source: Path
    max_bytes: int  # a larger file is refused before it is read
    scale: float  # the device pixel ratio included
    target: SharedTarget | None  # None: the pixels come back in the answer


def render_ahead_together(
    clients: Sequence[RenderClient], request: AheadRequest
) -> Pending[RenderedPage] | None:
    """Send ``request`` to every worker at once, each to draw its band of the page into
    the block; None (nothing sent) when one of them is busy: nothing waits for it."""
    bands = len(clients)
    jobs = [
        (client.worker, "render_ahead", (request, tuple(Band(index, bands))))
        for index, client in enumerate(clients)
    ]
    sent = IsolatedWorker.submit_together(jobs)
    return None if sent is None else Pending(sent, RenderedPage)


def confirm_ahead_together(
    clients: Sequence[RenderClient], token: str, staged_path: Path, timeout_s: float
) -> bool:
    """Whether every worker, drawing its band of ``token``'s page again from
    ``staged_path``, found the same page count, size and pixels as the block holds.
    Waits for workers busy with other pages."""
    jobs = [(client.worker, "confirm_ahead", (token, str(staged_path))) for client in clients]
    sent = IsolatedWorker.submit_together(jobs, wait_s=None, timeout_s=timeout_s)
    if sent is None:
        return False
    answers = Pending(sent, bool).collect()
    return bool(answers) and all(answers)
