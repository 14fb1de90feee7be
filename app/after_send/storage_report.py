"""What Bifoga keeps on this computer, how old it is and why (docs/requirements.md R8, R11).

Personal data may only be kept temporarily, in a secure storage area, and then deleted.
The "Lagring" view lists each thing kept: a draft's working copies (until it is sent or
thrown away), a send's working copies (until the gateway confirms it), and working copies
that nothing refers to any more (left by a crash: deleted at the next start after the
retention time, or now). Plain data; the view writes the sentences.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from app.drafts.message_draft import Draft
from app.outbox import JobState, OutboxJob
from app.storage.staging import StagingArea


class KeptKind(StrEnum):
    DRAFT = "draft"  # kept while the clinician works on it
    SENDING = "sending"  # kept until the gateway confirms delivery
    WAITING = "waiting"  # a send that could not finish: kept for its retry
    LEFTOVER = "leftover"  # nothing refers to it: may be deleted


@dataclass(frozen=True, slots=True)
class KeptItem:
    kind: KeptKind
    label: str  # a subject or a file name, as the clinician knows it; "" when unknown
    files: int
    size: int  # bytes
    oldest: float  # epoch seconds of the oldest file
    draft_id: str | None = None
    job_id: str | None = None
    folders: tuple[Path, ...] = ()

    def age_hours(self, now: float) -> float:
        return max(0.0, (now - self.oldest) / 3600)

    @property
    def deletable_here(self) -> bool:
        """A draft or a leftover may be deleted from the view; a send's copies go with it."""
        return self.kind in (KeptKind.DRAFT, KeptKind.LEFTOVER)


def kept_items(
    staging: StagingArea,
    drafts: Sequence[Draft],
    jobs: Sequence[OutboxJob],
    *,
    now: float | None = None,
) -> list[KeptItem]:
    """Everything with working copies in the staging area, oldest first."""
    now = time.time() if now is None else now
    claimed: set[Path] = set()
    items: list[KeptItem] = []
    for draft in drafts:
        folders = tuple(a.staged.path.parent for a in draft.attachments)
        if not folders:
            continue
        claimed.update(folders)
        label = draft.subject.strip() or ", ".join(a.filename for a in draft.attachments)
        items.append(_item(KeptKind.DRAFT, label, folders, now, draft_id=draft.draft_id))
    for job in jobs:
        if job.state is JobState.DELIVERED:
            continue
        folders = tuple(f.path.parent for f in job.files if f.path.exists())
        if not folders:
            continue
        claimed.update(folders)
        kind = KeptKind.SENDING if job.state not in _WAITING else KeptKind.WAITING
        items.append(_item(kind, job.message.subject, folders, now, job_id=job.job_id))
    for folder in staging.held():
        if folder not in claimed:
            # Its name went with the draft that held it (a name can hold a personnummer,
            # so the staging area keeps none): the view says what it is instead.
            items.append(_item(KeptKind.LEFTOVER, "", (folder,), now))
    return sorted(items, key=lambda item: item.oldest)


_WAITING = frozenset({JobState.FAILED, JobState.NEEDS_ACTION})


def _files(folder: Path) -> list[Path]:
    try:
        return [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    except OSError:
        return []


def _item(
    kind: KeptKind,
    label: str,
    folders: tuple[Path, ...],
    now: float,
    *,
    draft_id: str | None = None,
    job_id: str | None = None,
) -> KeptItem:
    files = [f for folder in folders for f in _files(folder)]
    sizes, times = [], []
    for file in files:
        try:
            stat = file.stat()
        except OSError:
            continue
        sizes.append(stat.st_size)
        times.append(stat.st_mtime)
    return KeptItem(
        kind,
        label,
        len(files),
        sum(sizes),
        min(times, default=now),
        draft_id,
        job_id,
        folders,
    )
