"""A case's conversation (protocol 1.2, ``GET /v1/cases/{case_id}``): the resident's
question and answers and what staff sent, oldest first as the gateway gives them, so the
window shows the newest at the bottom; and whether the resident has answered since staff
last wrote (the case is then marked in the list).

Plain data, no Qt, no HTTP: :func:`thread_from_json` reads the gateway's answer
(``GatewayClient.case_thread`` calls it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ThreadEntry:
    from_resident: bool
    sent_at: str  # RFC 3339
    body: str
    subject: str = ""
    kind: str = ""  # a staff message's MessageKind value
    sender_name: str = ""
    filenames: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseThread:
    case_id: str
    status: str
    entries: tuple[ThreadEntry, ...]

    @property
    def resident_answered(self) -> bool:
        """The resident wrote after staff did (an answer to a counter-question): the
        clinician has something new to read on this case."""
        last_staff = max(
            (i for i, e in enumerate(self.entries) if not e.from_resident), default=None
        )
        if last_staff is None:
            return False
        return any(e.from_resident for e in self.entries[last_staff + 1 :])


def thread_from_json(data: dict[str, Any]) -> CaseThread:
    entries = []
    for raw in data.get("thread", []):
        sender = raw.get("sender") or {}
        entries.append(
            ThreadEntry(
                from_resident=raw.get("from") == "resident",
                sent_at=str(raw.get("sent_at", "")),
                body=str(raw.get("body", "")),
                subject=str(raw.get("subject", "")),
                kind=str(raw.get("kind", "")),
                sender_name=str(sender.get("name", "")),
                filenames=tuple(str(a.get("filename", "")) for a in raw.get("attachments", [])),
            )
        )
    return CaseThread(str(data["case_id"]), str(data.get("status", "")), tuple(entries))
