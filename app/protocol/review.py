"""What a second colleague's sign-off covers: the subject and its digest.

The digest is the lower-case hex SHA-256 of the RFC 8785 (JCS) canonical JSON of
the subject, with recipients sorted and attachments sorted by SHA-256
(docs/protocol.md). Client and sandbox both call :func:`subject_digest`, so a change
of any attachment, recipient, kind or case, or of the message's text (through
``message_sha256``, protocol 1.1), gives another digest and voids the sign-off.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ReviewedAttachment:
    sha256: str
    filename: str
    personal_data: bool


@dataclass(frozen=True, slots=True)
class ReviewSubject:
    kind: str
    case_id: str | None
    recipients: tuple[str, ...]
    attachments: tuple[ReviewedAttachment, ...]
    #: :func:`message_sha256` of the text sent with the files: the colleague approves it too.
    message_sha256: str

    def to_json(self) -> dict[str, Any]:
        return normalise_subject(
            {
                "kind": self.kind,
                "case_id": self.case_id,
                "recipients": list(self.recipients),
                "attachments": [
                    {"sha256": a.sha256, "filename": a.filename, "personal_data": a.personal_data}
                    for a in self.attachments
                ],
                "message_sha256": self.message_sha256,
            }
        )

    @property
    def digest(self) -> str:
        return subject_digest(self.to_json())


def message_sha256(subject: str, body: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 of the subject, one line feed, and the body
    (docs/protocol.md 1.1), of exactly the text the message carries."""
    return hashlib.sha256(f"{subject}\n{body}".encode()).hexdigest()


def canonical_json(value: Any) -> bytes:
    """RFC 8785 canonical JSON for the values a subject holds (strings, booleans, null,
    integers, lists and objects): keys sorted, no insignificant white space, UTF-8
    with non-ASCII characters as themselves."""
    _reject_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _reject_floats(value: Any) -> None:
    # JCS serialises numbers the ECMAScript way; a subject has no floats, so refuse them
    # rather than risk a digest that another implementation computes differently.
    if isinstance(value, float):
        raise ValueError("a review subject holds no floating-point numbers")
    if isinstance(value, dict):
        for item in value.values():
            _reject_floats(item)
    elif isinstance(value, list):
        for item in value:
            _reject_floats(item)


def normalise_subject(subject: dict[str, Any]) -> dict[str, Any]:
    """The subject with its lists in the order the digest is defined over."""
    attachments: Iterable[dict[str, Any]] = subject.get("attachments") or []
    return {
        "kind": subject.get("kind"),
        "case_id": subject.get("case_id"),
        "recipients": sorted(subject.get("recipients") or []),
        "attachments": sorted(
            (
                {
                    "sha256": a.get("sha256"),
                    "filename": a.get("filename"),
                    "personal_data": a.get("personal_data"),
                }
                for a in attachments
            ),
            key=lambda a: str(a["sha256"]),
        ),
        "message_sha256": subject.get("message_sha256"),
    }


def subject_digest(subject: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(normalise_subject(subject))).hexdigest()
