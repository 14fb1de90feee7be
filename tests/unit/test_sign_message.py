"""The sign message the colleague reads at the identity provider (app/send/sign_message.py):
who sends what, to how many, each file with its pages and its personal data, in Swedish,
and never a personnummer."""

from __future__ import annotations

from pathlib import Path

from app.drafts.message_draft import Attachment, Draft
from app.protocol.model import Case, MessageKind, Resident
from app.send.sign_message import sign_message
from app.storage.staging import StagedFile


def _file(name: str, pages: int, *, personal_data: bool) -> Attachment:
    staged = StagedFile(Path("/nowhere") / name, "0" * 64, 1000, name, "application/pdf")
    return Attachment(staged, page_count=pages, declared_personal_data=personal_data)


def test_a_reply_names_the_case_the_resident_count_and_each_file() -> None:
    case = Case(
        "2024-118", Resident("196801029288", "Karin Berg"), "Provsvar", "2024-01-01", "open"
    )
    draft = Draft(
        kind=MessageKind.REPLY,
        case=case,
        attachments=[
            _file("Provsvar.pdf", 2, personal_data=True),
            _file("Karta.pdf", 1, personal_data=False),
        ],
    )
    text = sign_message(draft, "Anna Andersson")
    assert text.startswith(
        "Anna Andersson skickar ett svar i ärende 2024-118 (Provsvar) till 1 invånare."
    )
    assert "Filer: Provsvar.pdf (2 sidor) med personuppgifter, Karta.pdf (1 sida)." in text
    assert "9288" not in text and "Karin" not in text


def test_a_new_message_to_many_residents_counts_them() -> None:
    draft = Draft(
        kind=MessageKind.NEW_CASE,
        new_case_recipients=["191212121212", "198112189876", "194910232394"],
        attachments=[_file("Kallelse.pdf", 3, personal_data=True)],
    )
    text = sign_message(draft, "Bertil Berg")
    assert text.startswith("Bertil Berg skickar ett nytt meddelande till 3 invånare.")
    assert "Kallelse.pdf (3 sidor) med personuppgifter" in text
    assert "1212" not in text
    english = sign_message(draft, "Bertil Berg", "en")
    assert english.startswith("Bertil Berg sends a new message to 3 residents.")
