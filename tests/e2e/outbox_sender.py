"""The sender the kill test starts, kills and starts again: what the window does at start,
without the window. It opens the outbox journal, signs in, and resumes every unfinished
job with ``app.outbox.resume_unfinished``; each change of a job is one line on standard
output (``JOB_ID STATE BYTES_DONE``), then ``done`` with each resumed job's end state.

    python -m tests.e2e.outbox_sender OUTBOX_FILE GATEWAY_URL STAFF_ID

The storage key (hex) is the first line of standard input, as the window's process holds
it from the keyring: the journal and the working copies are sealed with it. The second
line is the clinician's access token from the identity provider (never an argument: a
token is in no process's command line).
"""

from __future__ import annotations

import sys
from pathlib import Path

from app.gateway.client import GatewayClient
from app.outbox import Outbox, OutboxJob, resume_unfinished
from app.storage import storage_key
from app.storage.storage_key import StorageKey
from tests.support.signed_client import use_token


def _report(job: OutboxJob) -> None:
    print(f"{job.job_id} {job.state.value} {job.bytes_done}", flush=True)


def main(argv: list[str]) -> int:
    outbox_file, gateway_url, staff_id = argv
    storage_key.install(StorageKey(bytes.fromhex(sys.stdin.readline().strip())))
    token = sys.stdin.readline().strip()
    with Outbox(Path(outbox_file)) as outbox, GatewayClient(gateway_url) as client:
        use_token(client, token)
        ended = resume_unfinished(outbox, client, staff_id, _report)
    print("done " + " ".join(f"{job.job_id}:{job.state.value}" for job in ended), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
