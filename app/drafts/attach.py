"""The path of one chosen file into a draft: stage → type check → hidden content out and
hashed again → duplicate check → (the first page drawn ahead confirmed) → inspect, with the
check that the working copy is still the bytes that were staged.

The window calls :meth:`AttachPipeline.attach` once per file, off the GUI thread, and gets
back one typed outcome; every hash here is computed off the GUI thread too. Files wait for
their turn in :class:`Turns`: the inspect worker does one job at a time, so a file waiting
for it must not hold a thread meanwhile, and attaching one file at a time lets the
duplicate check see every file attached before it.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from app.drafts.message_draft import Attachment
from app.inspection.isolated import InspectClient, refusal, unchecked
from app.inspection.jobs import InspectRequest
from app.inspection.report import InspectionReport
from app.isolation.worker import IsolatedWorker, WorkerFailure
from app.protocol.model import MessageKind
from app.storage.staging import StagedFile, StagingArea, StagingError

#: The working copy could not be rid of its hidden content (the worker crashed, timed out
#: or could not parse it): it is not attached, since what no viewer shows would ride along.
HIDDEN_NOT_REMOVED = "file.hidden_not_removed"
#: The staged copy changed or vanished between staging and inspection.
CHANGED_AFTER_STAGING = "file.changed_after_staging"
#: An inspection that could not run at all (not a worker failure: those have their codes).
INSPECTION_FAILED = "file.inspection_failed"


@dataclass(frozen=True, slots=True)
class Staged:
    """The file is staged, cleaned and new to the draft: add ``attachment`` to it."""

    attachment: Attachment


@dataclass(frozen=True, slots=True)
class Refused:
    """The file was not attached; ``code`` and ``params`` say why (``resources/texts``).
    Nothing of it stays in the staging area."""

    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """The draft already holds a file with these very bytes; the new copy is gone again."""

    filename: str


AttachOutcome = Staged | Refused | Duplicate

#: Called on the attaching thread with the cleaned staged copy, once it is known to be new
#: to the draft: whether a drawing made ahead of staging is of exactly these bytes
#: (``ui.preview.first_page.confirm_staged``).
ConfirmFirstPage = Callable[[StagedFile], bool]


class AttachPipeline:
    """Everything between a chosen file and an inspected attachment, without Qt."""

    def __init__(
        self,
        staging: StagingArea,
        inspect_worker: IsolatedWorker,
        clinic_phone_numbers: Callable[[], Sequence[str]] = tuple,
    ) -> None:
        """``clinic_phone_numbers``: the clinic's own numbers as the settings have them
        now (asked at each inspection, so a saved change applies to the next one)."""
        self.staging = staging
        self.clinic_phone_numbers = clinic_phone_numbers
        self.inspect_worker = inspect_worker
        self.inspector = InspectClient(inspect_worker)

    def attach(
        self,
        source: Path,
        hashes_in_draft: Collection[str],
        confirm_first_page: ConfirmFirstPage | None = None,
    ) -> AttachOutcome:
        """Stage ``source`` for a draft that holds files with ``hashes_in_draft`` (blocks:
        call it off the GUI thread). Refusals come back as outcomes; an unexpected error
        is raised, with the staged copy already discarded."""
        try:
            staged = self.staging.stage(source)
        except StagingError as error:
            return Refused(error.code, dict(error.params))
        try:
            outcome = self._clean_and_check(staged, source, hashes_in_draft, confirm_first_page)
        except BaseException:
            self.staging.discard(staged)
            raise
        if not isinstance(outcome, Staged):
            self.staging.discard(staged)
        return outcome

    def _clean_and_check(
        self,
        staged: StagedFile,
        source: Path,
        hashes_in_draft: Collection[str],
        confirm_first_page: ConfirmFirstPage | None,
    ) -> AttachOutcome:
        # What no viewer shows (an image's EXIF and GPS, data after the end, a hidden second
        # format, a PDF's unused objects and earlier revisions) leaves the working copy
        # before anyone previews it, so the previewed bytes are the sent bytes
        # (app.inspection.hidden). Parsing is in the worker; the hash is taken again here.
        chosen_sha256 = staged.sha256  # the chosen file's bytes, before any were removed
        try:
            sanitized = self.inspector.sanitize(staged.path)
            if sanitized.changed:
                staged = self.staging.rehash(staged)
        except WorkerFailure:
            return Refused(HIDDEN_NOT_REMOVED, {"name": staged.filename})
        except OSError:  # the working copy went away while it was cleaned
            return Refused("file.unreadable", {"name": staged.filename})
        if is_duplicate(staged, hashes_in_draft):
            return Duplicate(staged.filename)
        if confirm_first_page is not None:
            # Its answer is kept by the drawing itself, which the preview takes if it is yes.
            confirm_first_page(staged)
        # The clinician's own file is noted, for what is offered about it after sending.
        attachment = Attachment(staged, original=source.absolute(), original_sha256=chosen_sha256)
        attachment.removed = sanitized.removed  # told to every inspection of this copy
        return Staged(attachment)

    def inspect(
        self, attachment: Attachment, recipients: Collection[str], kind: MessageKind
    ) -> InspectionReport:
        """The attachment's inspection in the worker (blocks: off the GUI thread). A working
        copy that is not the bytes staged is refused: it is never previewed or sent."""
        path = attachment.staged.path
        try:
            request = InspectRequest(
                str(path),
                tuple(recipients),
                kind.value,
                name=attachment.filename,
                removed=attachment.removed,
                clinic_phone_numbers=tuple(self.clinic_phone_numbers()),
            )
            report = self.inspector.inspect(request)
        except Exception as error:  # never "being checked" for ever: blocked, with why
            return refusal(path, INSPECTION_FAILED, reason=type(error).__name__)
        if report.sha256 is not None and report.sha256 != attachment.sha256:
            return refusal(path, CHANGED_AFTER_STAGING)
        return report


def is_duplicate(staged: StagedFile, hashes_in_draft: Collection[str]) -> bool:
    """A file whose bytes the draft already holds is not attached twice: by content, so a
    copy under another name is the same file."""
    return staged.sha256 in hashes_in_draft


def inspection_not_run(error: BaseException) -> InspectionReport:
    """The report of an inspection whose job never answered; made without reading the
    file (so without hashing it), since it may be made on the GUI thread."""
    return unchecked(INSPECTION_FAILED, reason=type(error).__name__)


T = TypeVar("T")


class Turns(Generic[T]):
    """Items that wait for one job at a time, in order; one no longer wanted when its
    turn comes (a file removed, sent or discarded meanwhile) is skipped."""

    def __init__(self, still_wanted: Callable[[T], bool] = lambda _item: True) -> None:
        self._waiting: deque[T] = deque()
        self._still_wanted = still_wanted
        self._busy = False

    def add(self, item: T) -> None:
        self._waiting.append(item)

    def next(self) -> T | None:
        """The item whose turn it is now, or None: one is under way, or none is wanted.
        Its turn lasts until :meth:`done`."""
        if self._busy:
            return None
        while self._waiting:
            item = self._waiting.popleft()
            if self._still_wanted(item):
                self._busy = True
                return item
        return None

    def done(self) -> None:
        self._busy = False

    @property
    def busy(self) -> bool:
        return self._busy

    def __contains__(self, item: object) -> bool:
        return any(waiting is item for waiting in self._waiting)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._waiting))

    def __len__(self) -> int:
        return len(self._waiting)
