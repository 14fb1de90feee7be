"""``bulk_send_bytes`` and ``bulk_send_time``: a new case to 250 residents with one file.

Attachments are content-addressed, so a bulk send uploads each file once whatever the
number of recipients; the message itself only names them. Measured against the real
sandbox gateway on loopback, through the same ``send_draft`` the window uses:

- bytes: everything the client sent for 250 recipients, against the file's own size;
- time: the send to 250 recipients against the same send to one.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import requests

from app.drafts.message_draft import Attachment, Draft
from app.gateway.client import GatewayClient
from app.inspection.report import InspectionReport
from app.protocol.model import MAX_BULK_RECIPIENTS, MessageKind
from app.send.sending import send_draft
from app.storage.staging import StagingArea
from sandbox.runner import start_sandbox
from tests.benchmarks.common import BenchContext, line
from tests.support.pdfgen import numbered_pages, write_text_pdf
from tests.support.signed_client import sign_in

TEST_NUMBERS = Path(__file__).resolve().parents[1] / "files" / "testpersonnummer.txt"
RUNS = 3


class _CountingSession(requests.Session):
    """Counts the bytes of every request body the client sends."""

    sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body
        if body is not None:
            self.sent += len(body)
        return super().send(request, **kwargs)


def _draft(staging: StagingArea, source: Path, recipients: list[str]) -> Draft:
    staged = staging.stage(source)
    attachment = Attachment(staged, page_count=1, seen_pages={0})
    attachment.report = InspectionReport(staged.sha256, staged.media_type, 1, (), False)
    draft = Draft(MessageKind.NEW_CASE, subject="Kallelse till vaccination", body="Hej!")
    draft.new_case_recipients = recipients
    draft.attachments.append(attachment)
    return draft


def run(ctx: BenchContext) -> list[str]:
    numbers = TEST_NUMBERS.read_text().split()
    residents = [n for n in numbers if n.startswith("19")][:MAX_BULK_RECIPIENTS]
    source = write_text_pdf(ctx.workdir / "Kallelse.pdf", numbered_pages(40))
    staging = StagingArea(ctx.workdir / "staging", max_bytes=20 * 1024 * 1024)
    bulk_times: list[float] = []
    single_times: list[float] = []
    bulk_bytes = 0
    with start_sandbox(ctx.workdir / "gw") as sandbox:
        for run_index in range(ctx.repeat(RUNS)):
            for recipients, times in ((residents, bulk_times), (residents[:1], single_times)):
                # A fresh file each round, so every send really uploads it.
                variant = ctx.workdir / f"Kallelse-{run_index}-{len(recipients)}.pdf"
                variant.write_bytes(source.read_bytes() + b"%" + str(time.time_ns()).encode())
                session = _CountingSession()
                client = GatewayClient(sandbox.base_url, session=session)
                sign_in(client, "anna")
                draft = _draft(staging, variant, recipients)
                session.sent = 0
                started = time.perf_counter()
                result = send_draft(draft, client)
                times.append(time.perf_counter() - started)
                assert len(result.message.deliveries) == len(recipients)
                if len(recipients) > 1:
                    bulk_bytes = session.sent
                    file_size = variant.stat().st_size
                client.close()
    bulk, single = statistics.median(bulk_times), statistics.median(single_times)
    return [
        line(
            "bulk_send_bytes",
            bulk_bytes / 1e6,
            "MB",
            file_size / 1e6,
            bulk_bytes / file_size,
            "ratio<=1.1",
        ),
        line("bulk_send_time", bulk, "s", single, bulk / single, "ratio<=3.0"),
    ]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
