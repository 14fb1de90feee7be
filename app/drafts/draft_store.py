"""Drafts survive a crash: the messages being written are saved as the clinician works.

One file per clinician (a workstation is shared, and nobody sees another's drafts) in the
secure staging area, beside the working copies it refers to, private (0600) and written
atomically. It holds every unsent draft of that clinician, each with its own case or
new-case recipients (:mod:`app.drafts.draft_book`), and which one was on screen. What is restored
is what the clinician wrote and chose: the kind, the case or recipients, the words, the
attached working copies and their answers (alt text, personal data). What is not
restored, on purpose: which pages were seen and a colleague's sign-off. Both were about a
moment; after a restart the clinician previews again and asks again, and every file is
inspected again (and refused if its working copy changed).

The file is sealed with the user's storage key (``app.storage.sealed``, role ``drafts``): up to
250 personnummer and the words are unreadable without the user's keyring. A clear file
from before (schema 2 as plain JSON) is read once and at once written again sealed.

The file goes with the draft: deleted when the message is sent or discarded, and purged
with the staging area's leftovers after the retention time.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.drafts.message_draft import Attachment, Draft
from app.protocol.model import Case, MessageKind, Resident
from app.storage import sealed, storage_key
from app.storage.staging import StagedFile
from app.storage.storage_key import StorageKey

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
#: One draft per file, before drafts belonged to their case: still read.
_SINGLE_DRAFT_SCHEMA = 1


@dataclass(frozen=True, slots=True)
class RestoredDraft:
    draft: Draft
    #: Names of attached files whose working copy is gone (purged, or deleted by hand).
    missing_files: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RestoredDrafts:
    drafts: tuple[RestoredDraft, ...]
    #: The draft that was on screen (its ``draft_id``), if it is among them.
    current_id: str | None

    @property
    def current(self) -> RestoredDraft | None:
        return next((r for r in self.drafts if r.draft.draft_id == self.current_id), None)


class DraftStore:
    def __init__(self, folder: Path, staff_id: str, *, key: StorageKey | None = None) -> None:
        """``key`` seals the file (the process's storage key when none is given)."""
        self._key = key or storage_key.current()
        self.folder = folder
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", staff_id) or "_"
        self.path = folder / f"{safe}.json"

    def save(self, drafts: Sequence[Draft], current: Draft | None = None) -> None:
        """Keep every draft with content; with none, the file goes."""
        kept = [d for d in drafts if has_content(d)]
        if not kept:
            self.delete()
            return
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        document = {
            "schema_version": SCHEMA_VERSION,
            "current": current.draft_id if current is not None else None,
            "drafts": [to_json(d) for d in kept],
        }
        data = json.dumps(document, ensure_ascii=False).encode("utf-8")
        sealed.write_sealed(self.path, data, sealed.Role.DRAFTS, key=self._key)

    def load(self) -> RestoredDrafts | None:
        try:
            stored = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            self._set_aside(error, None)
            return None
        try:
            if sealed.is_sealed(stored):
                raw = json.loads(sealed.unseal(stored, sealed.Role.DRAFTS, key=self._key))
                return _from_document(raw)
            restored = _from_document(json.loads(stored.decode("utf-8")))
            # Written in clear by an earlier Bifoga: sealed now, before anything else.
            sealed.write_sealed(self.path, stored, sealed.Role.DRAFTS, key=self._key)
            log.info("saved drafts were in clear; sealed")
            return restored
        except (OSError, ValueError, KeyError, TypeError, sealed.SealedError) as error:
            self._set_aside(error, None if sealed.is_sealed(stored) else stored)
            return None

    def _set_aside(self, error: BaseException, clear: bytes | None) -> None:
        """Drafts that cannot be read are set aside (purged with the staging area's
        leftovers), never a reason not to start; clear ones are sealed as they go."""
        log.warning("saved drafts unreadable (%s); set aside", type(error).__name__)
        aside = self.path.with_suffix(".unreadable")
        with contextlib.suppress(OSError):
            if clear is None:
                self.path.replace(aside)
                return
            sealed.write_sealed(aside, clear, sealed.Role.DRAFTS, key=self._key)
            self.path.unlink()

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _from_document(raw: dict[str, Any]) -> RestoredDrafts:
    version = raw.get("schema_version")
    if version == _SINGLE_DRAFT_SCHEMA:
        single = from_json(raw)
        return RestoredDrafts((single,), single.draft.draft_id)
    if version != SCHEMA_VERSION:
        raise ValueError("unknown draft schema")
    drafts = tuple(from_json(item) for item in raw["drafts"])
    current = raw.get("current")
    return RestoredDrafts(drafts, str(current) if current is not None else None)


def has_content(draft: Draft) -> bool:
    """Whether the clinician wrote, addressed or attached anything (a subject still as the
    case gave it is not theirs)."""
    return bool(
        draft.attachments
        or draft.body.strip()
        or draft.new_case_recipients
        or draft.rejected_recipients
        or draft.subject.strip() != draft.initial_subject.strip()
    )


def to_json(draft: Draft) -> dict[str, Any]:
    case = draft.case
    return {
        "draft_id": draft.draft_id,
        "kind": draft.kind.value,
        "case": None
        if case is None
        else {
            "case_id": case.case_id,
            "resident": {"id": case.resident.id, "name": case.resident.name},
            "subject": case.subject,
            "opened_at": case.opened_at,
            "status": case.status,
        },
        "new_case_recipients": list(draft.new_case_recipients),
        "rejected_recipients": list(draft.rejected_recipients),
        "subject": draft.subject,
        "initial_subject": draft.initial_subject,
        "body": draft.body,
        "idempotency_key": draft.idempotency_key,
        "attachments": [
            {
                "path": str(a.staged.path),
                "sha256": a.sha256,
                "size": a.staged.size,
                "filename": a.filename,
                "media_type": a.media_type,
                "declared_personal_data": a.declared_personal_data,
                "unmark_reason": a.unmark_reason,
                "alt_text": a.alt_text,
                # The clinician's own file (sealed with the rest), so that the offer to
                # delete it after sending survives a restart (app.after_send.originals).
                "original": str(a.original) if a.original is not None else None,
                "original_sha256": a.original_sha256,
                "removed": list(a.removed),
            }
            for a in draft.attachments
        ],
    }


def from_json(raw: dict[str, Any]) -> RestoredDraft:
    case_raw = raw.get("case")
    case = None
    if case_raw:
        resident = Resident(str(case_raw["resident"]["id"]), str(case_raw["resident"]["name"]))
        case = Case(
            str(case_raw["case_id"]),
            resident,
            str(case_raw["subject"]),
            str(case_raw["opened_at"]),
            str(case_raw["status"]),
        )
    draft = Draft(
        kind=MessageKind(raw["kind"]),
        case=case,
        new_case_recipients=[str(r) for r in raw.get("new_case_recipients", [])],
        rejected_recipients=[str(r) for r in raw.get("rejected_recipients", [])],
        subject=str(raw.get("subject", "")),
        body=str(raw.get("body", "")),
        idempotency_key=str(raw["idempotency_key"]),
        initial_subject=str(raw.get("initial_subject", "")),
    )
    if raw.get("draft_id"):
        draft.draft_id = str(raw["draft_id"])
    missing = []
    for item in raw.get("attachments", []):
        path = Path(item["path"])
        if not path.is_file():
            missing.append(str(item["filename"]))
            continue
        staged = StagedFile(
            path,
            str(item["sha256"]),
            int(item["size"]),
            str(item["filename"]),
            str(item["media_type"]),
        )
        attachment = Attachment(staged)
        attachment.declared_personal_data = item.get("declared_personal_data")
        attachment.unmark_reason = str(item.get("unmark_reason", ""))
        attachment.alt_text = str(item.get("alt_text", ""))
        attachment.removed = tuple(str(kind) for kind in item.get("removed", ()))
        if item.get("original"):
            attachment.original = Path(str(item["original"]))
            sha = item.get("original_sha256")
            attachment.original_sha256 = str(sha) if sha else None
        draft.attachments.append(attachment)
    return RestoredDraft(draft, tuple(missing))
