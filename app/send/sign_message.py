"""The sign message a colleague reads at the identity provider before approving a send.

Protocol 1.2: the colleague approves at the region's identity provider, which shows what
is approved (the Swedish OIDC profile's user message). It names who sends, what kind of
message in which case, to how many residents, and each file with its pages and whether it
holds personal data: enough to see that the approval is for this message, in words, while
the approval itself is bound to the message by its digest (the login's ``nonce``).
Written in Swedish by default (the provider's page is Swedish); no personnummer in it.
"""

from __future__ import annotations

from app.config import texts
from app.drafts.message_draft import Draft


def sign_message(draft: Draft, sender: str, language: str = "sv") -> str:
    def say(code: str, **params: object) -> str:
        return texts.message(code, language, params)

    case = ""
    if draft.case is not None and draft.kind.answers_a_case:
        case = say("review.sign.case", case_id=draft.case.case_id, subject=draft.case.subject)
    count = len(draft.recipients)
    residents = (
        say("review.sign.resident") if count == 1 else say("review.sign.residents", count=count)
    )
    files = []
    for attachment in draft.attachments:
        pages = attachment.page_count or 1
        if pages == 1:
            described = say("review.sign.file_page", name=attachment.filename)
        else:
            described = say("review.sign.file_pages", name=attachment.filename, pages=pages)
        if attachment.personal_data:
            described = say("review.sign.with_personal_data", file=described)
        files.append(described)
    return say(
        "review.sign.message",
        sender=sender,
        kind=say(f"review.sign.kind.{draft.kind.value}"),
        case=case,
        residents=residents,
        files=say("review.sign.files", files=", ".join(files)),
    )
