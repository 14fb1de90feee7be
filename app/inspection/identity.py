"""The identity match: does the file name someone other than the message's recipients?

Attaching the wrong resident's letter is the classic wrong-file mistake, and the
personnummer in the file is the one fact that can tell. Identifiers are compared on their
last ten digits (``YYMMDDNNNC``): a ten-digit number written without ``+`` for someone
over 100 gets the wrong century by Skatteverket's rule, yet it is the same person, and two
people whose numbers differ only in the century are 100 years apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable

from app.inspection.personal_data import IDENTIFIER_KINDS, TextHit
from app.inspection.report import Finding, PersonalDataHit, Severity

OTHER_PERSON = "personal_data.other_person"
IDENTIFIER_IN_BULK_SEND = "personal_data.identifier_in_bulk_send"
#: The codes this module introduces (texts in resources/texts/personal_data.json).
FINDING_CODES = (OTHER_PERSON, IDENTIFIER_IN_BULK_SEND)

#: Message kinds that answer a case: its one recipient is the case's resident.
_REPLY_KINDS = frozenset({"reply", "partial_reply", "counter_question"})
_NON_DIGIT = re.compile(r"\D")


def default_severity(code: str, message_kind: str) -> Severity:
    """The defaults when the policy says nothing.

    ``other_person`` blocks for replies and for a new case to one resident (the file
    should be about that resident) and warns otherwise; an identifier in a bulk send
    blocks (the same file goes to every resident).
    """
    if code == IDENTIFIER_IN_BULK_SEND:
        return Severity.BLOCK
    if message_kind in _REPLY_KINDS or message_kind == "new_case_single":
        return Severity.BLOCK
    return Severity.WARN


def _tail(identifier: str) -> str:
    return _NON_DIGIT.sub("", identifier)[-10:]


def identity_findings(
    hits: Iterable[PersonalDataHit | TextHit],
    recipients: Collection[str],
    kind: str | None,
    policy_severity: Callable[[str, str], Severity] | None = None,
) -> list[Finding]:
    """Findings for identifiers in the file that do not match the recipients.

    ``recipients`` are the message's residents (canonical or any written form);
    ``kind`` is the message kind ("reply", "partial_reply", "counter_question",
    "new_case"); ``policy_severity(code, message_kind)`` overrides the default
    severity. With no recipients yet there is nothing to compare and nothing to say.
    One ``other_person`` finding per distinct identifier, on the first page naming it.
    """
    recipient_list = list(recipients)
    if not recipient_list:
        return []
    message_kind = str(kind) if kind else "new_case"
    bulk = message_kind == "new_case" and len(recipient_list) > 1
    # The kind the default severity sees: a new case to one resident is as strict as a reply.
    severity_kind = "new_case_single" if message_kind == "new_case" and not bulk else message_kind

    def severity(code: str) -> Severity:
        if policy_severity is not None:
            return policy_severity(code, message_kind)
        return default_severity(code, severity_kind)

    wanted = {_tail(r) for r in recipient_list}
    findings: list[Finding] = []
    seen: set[str] = set()
    first_identifier: PersonalDataHit | TextHit | None = None
    identifier_count = 0
    for hit in hits:
        if hit.kind not in IDENTIFIER_KINDS:
            continue
        identifier_count += 1
        if first_identifier is None:
            first_identifier = hit
        if hit.identifier is None:
            continue  # interim and reserve numbers name nobody a recipient can be
        tail = _tail(hit.identifier)
        if tail in wanted or tail in seen:
            continue
        seen.add(tail)
        findings.append(
            Finding(
                OTHER_PERSON,
                severity(OTHER_PERSON),
                getattr(hit, "page", None),
                (("masked", hit.masked),),
            )
        )
    if bulk and first_identifier is not None:
        findings.append(
            Finding(
                IDENTIFIER_IN_BULK_SEND,
                severity(IDENTIFIER_IN_BULK_SEND),
                getattr(first_identifier, "page", None),
                (("masked", first_identifier.masked), ("count", identifier_count)),
            )
        )
    return findings
