"""The durable outbox: a send is a journalled job before its first byte leaves, and it
reaches every resident exactly once through any crash, kill or lost answer.

``journal`` keeps the jobs (SQLite); ``delivery`` drives one to the gateway.
"""

from app.outbox.delivery import DeliveryPolicy, Progress, resume_unfinished, run_job
from app.outbox.journal import JobFile, JobState, KeyInOutbox, Outbox, OutboxJob

__all__ = [
    "DeliveryPolicy",
    "JobFile",
    "JobState",
    "KeyInOutbox",
    "Outbox",
    "OutboxJob",
    "Progress",
    "resume_unfinished",
    "run_job",
]
