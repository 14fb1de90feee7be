"""``resume`` and ``bulk_send_outbox_time``: what the outbox costs, on the loopback sandbox.

- ``resume``: from start (Services created, the clinician signed in, the main window
  opened, which resumes the outbox by itself) to an unfinished send confirmed delivered.
  The job is what a sender killed before its first byte left: a bulk send of a 4 MB file
  to 250 residents, written to the outbox journal and never run. Each run is a fresh start
  on the same gateway data and journal, as after a crash, with a new file so it is really
  uploaded. Baseline: the same start, sign-in and window with nothing to resume.
- ``bulk_send_outbox_time``: the same bulk send through the journal (``enqueue_draft`` and
  ``run_job``: commits with synchronous=FULL, progress written per 4 MB) against
  ``send_draft`` without it, alternated.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from app.config.settings import Settings
from app.gateway.client import GatewayClient
from app.outbox import JobState, Outbox, OutboxJob, run_job
from app.protocol.model import MAX_BULK_RECIPIENTS
from app.send.sending import enqueue_draft, send_draft
from app.storage.staging import StagingArea
from sandbox.embedded import open_services
from sandbox.runner import start_sandbox
from tests.benchmarks.common import BenchContext, line
from tests.support.outbox_work import padded_pdf, ready_draft
from tests.support.signed_client import sign_in

TEST_NUMBERS = Path(__file__).resolve().parents[1] / "files" / "testpersonnummer.txt"
RUNS = 5
FILE_BYTES = 4 * 1024 * 1024


def _start_and_resume(settings: Settings, gateway: Path, journal: Path) -> tuple[float, int]:
    """Seconds from start to every unfinished job delivered (the window resumes them by
    itself, as after a crash), and how many there were."""
    from PySide6.QtWidgets import QApplication

    from ui.window.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    started = time.perf_counter()
    services = open_services(settings, sandbox_dir=gateway, outbox_path=journal)
    window = None
    try:
        staff = sign_in(services.client, "anna")
        ended: list[OutboxJob] | None = None
        window = MainWindow(services, staff)

        def resumed(jobs: list[OutboxJob]) -> None:
            nonlocal ended
            ended = jobs

        window.outbox_runner.resumed.connect(resumed)
        waiting = bool(services.outbox.unfinished("anna"))
        deadline = time.monotonic() + 120
        while waiting and ended is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.001)
        elapsed = time.perf_counter() - started
    finally:
        if window is not None:
            window.drafts.discard_all_drafts()
            window.close()
            window.deleteLater()
        from ui.common.workers import wait_for_all

        wait_for_all()
        services.close()
    jobs = ended or []
    assert all(job.state is JobState.DELIVERED for job in jobs), jobs
    return elapsed, len(jobs)


def _outbox_against_direct(folder: Path, residents: list[str]) -> tuple[float, float]:
    """Median seconds of a bulk send through the outbox, and of the same without it."""
    staging = StagingArea(folder / "staging-send", max_bytes=20 * 1024 * 1024)
    through_outbox: list[float] = []
    direct: list[float] = []
    with (
        start_sandbox(folder / "gateway-send") as sandbox,
        GatewayClient(sandbox.base_url) as client,
        Outbox(folder / "outbox-send.sqlite3") as outbox,
    ):
        sign_in(client, "anna")
        for run_index in range(RUNS):
            for journalled in (True, False):
                seed = 1000 + 2 * run_index + journalled
                source = padded_pdf(folder / f"Utskick-{seed}.pdf", FILE_BYTES, seed)
                draft = ready_draft(staging, source, residents)
                started = time.perf_counter()
                if journalled:
                    job = enqueue_draft(draft, outbox, "anna")
                    assert run_job(outbox, job.job_id, client).state is JobState.DELIVERED
                    through_outbox.append(time.perf_counter() - started)
                else:
                    assert len(send_draft(draft, client).message.deliveries) == len(residents)
                    direct.append(time.perf_counter() - started)
    return statistics.median(through_outbox), statistics.median(direct)


def run(ctx: BenchContext) -> list[str]:
    folder = ctx.workdir / "resume"
    numbers = TEST_NUMBERS.read_text().split()
    residents = [n for n in numbers if n.startswith("1999")][:MAX_BULK_RECIPIENTS]
    settings = Settings(staging_dir=str(folder / "staging"), gateway_url="sandbox")
    staging = StagingArea(folder / "staging", max_bytes=20 * 1024 * 1024)
    gateway, journal = folder / "gateway", folder / "outbox.sqlite3"
    resume_times: list[float] = []
    start_times: list[float] = []
    for run_index in range(RUNS):
        source = padded_pdf(folder / f"Kallelse-{run_index}.pdf", FILE_BYTES, run_index)
        with Outbox(journal) as outbox:
            enqueue_draft(ready_draft(staging, source, residents), outbox, "anna")
        seconds, resumed = _start_and_resume(settings, gateway, journal)
        assert resumed == 1
        resume_times.append(seconds)
        seconds, resumed = _start_and_resume(settings, gateway, journal)
        assert resumed == 0
        start_times.append(seconds)
    value, baseline = statistics.median(resume_times), statistics.median(start_times)
    journalled, direct = _outbox_against_direct(folder, residents)
    return [
        line("resume", value, "s", baseline, value / baseline, "value<=2"),
        line("bulk_send_outbox_time", journalled, "s", direct, journalled / direct, "ratio<=1.5"),
    ]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
