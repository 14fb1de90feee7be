"""The audit trail: who did what, in an append-only file where a changed, removed or
moved line is found (docs/requirements.md R6-R10, docs/design.md "audit.py"; docs/audit.md).

How the window calls it::

    from app.audit import AuditError, AuditTrail, KeyringKeyProvider, default_folder

    trail = AuditTrail.open(default_folder(), KeyringKeyProvider())  # at start
    trail.purge(removed)                          # leftovers deleted at start (no actor)
    session = trail.sign_in(staff.staff_id)        # after the gateway accepted the sign-in
    session.attach(staged.sha256, staged.media_type, report.verdict)
    session.page_seen(staged.sha256, page)         # each page as it counts as seen
    session.sign_off(review.reviewer_id, review.digest)
    session.send(sent.message_id, kind, case_id, recipients, sha256s)
    session.retraction(message_id, sha256s, "requested")   # and again with "done"
    session.deviation_report(message_id, sha256s, report_sha256)
    session.original_deleted(sha256)               # the clinician's own file, once in the record
    session.sign_out()
    seq, last_hash = trail.head                    # a checkpoint to keep elsewhere, if wanted
    trail.close()                                  # when the window closes

Every call writes one record and returns it once it is on disk (one ``fsync``), from
any thread. Each raises :class:`AuditError` with a code the window turns into a sentence
(``resources/texts/audit.json``): ``audit.key_unavailable`` and ``audit.trail_damaged``
come from ``open`` (after ``audit.trail_damaged``, once someone chose to go on,
``AuditTrail.open_new_after_damage`` keeps the damaged file and starts a new trail);
``audit.write_failed`` comes from a call whose record could not be written.
Nothing in the trail is a personnummer, a name or a secret in clear: recipients are
masked with a keyed reference (:mod:`app.audit.pseudonyms`); files appear by SHA-256,
never by name. ``bifoga audit verify`` checks a trail (:mod:`app.audit.verify`).
"""

from app.audit.pseudonyms import KeyProvider, KeyringKeyProvider, contains_resident_id
from app.audit.records import GENESIS, AuditError, EventKind, Record
from app.audit.trail import (
    RETRACTION_STATUSES,
    TRAIL_FILE_NAME,
    VERDICTS,
    AuditSession,
    AuditTrail,
    default_folder,
)
from app.audit.verify import BreakKind, ChainBreak, Checkpoint, VerifyResult, verify_file

__all__ = [
    "GENESIS",
    "RETRACTION_STATUSES",
    "TRAIL_FILE_NAME",
    "VERDICTS",
    "AuditError",
    "AuditSession",
    "AuditTrail",
    "BreakKind",
    "ChainBreak",
    "Checkpoint",
    "EventKind",
    "KeyProvider",
    "KeyringKeyProvider",
    "Record",
    "VerifyResult",
    "contains_resident_id",
    "default_folder",
    "verify_file",
]
