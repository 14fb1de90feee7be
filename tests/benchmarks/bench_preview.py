"""The preview's four measures (docs/design.md, "Benchmarks"), on a generated 500-page text PDF,
in a real PreviewPane with real worker processes started as the app starts them:

- ``first_page``: from attaching the file (as the window does: the first page drawn
  ahead from the chosen file by the render workers while it is staged, see
  ``ui.preview.first_page``) to the first page painted, against raw pypdfium2 opening the file
  and drawing page 1 at the same scale in this process (a fresh document each time).
  Median of alternating runs. ``first_page_confirmed``: until that page was taken as the
  staged copy's (staged, hashed and compared), when it starts to count as seen.
- ``page_turn``: Page Down to the new page painted, 95th percentile of 50 turns. The pace
  is the dwell time (700 ms): a clinician reads each page at least that long, or the
  page would not count as seen; that is the time prefetch has.
- ``event_loop_stall``: the longest gap of a 5 ms heartbeat timer while the file is
  inspected (isolated worker, through ``run_in_background``) and paged through.
- ``memory_paging``: peak resident memory of the window's process while paging through
  all 500 pages (Linux: the kernel's high-water mark, reset first; elsewhere sampled),
  and the render worker's on a second line.

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks preview
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.common import BenchContext, line

PAGES = 500
FIRST_PAGE_RUNS = 31
TURNS = 50
PANE_SIZE = (680, 860)
HEARTBEAT_MS = 5
STALL_PAGING_MS = 150  # a page turn every 150 ms while the inspection runs


def _spin(condition: Callable[[], bool], timeout_s: float = 30.0, *, when: object = None) -> None:
    """Run the Qt event loop (never sleep it) until ``condition`` holds. With ``when`` (a
    signal), the condition is checked each time it fires, and otherwise only every
    20 ms: a measurement is not disturbed by this thread waking every millisecond."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop = QEventLoop()

    def check(*_args: object) -> None:
        if condition():
            loop.quit()

    poll = QTimer()
    poll.setInterval(1 if when is None else 20)
    poll.timeout.connect(check)
    if when is not None:
        when.connect(check)  # type: ignore[attr-defined]
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    poll.start()
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    poll.stop()
    if when is not None:
        when.disconnect(check)  # type: ignore[attr-defined]
    if not condition():
        raise TimeoutError("the preview did not get there in time")


def _idle(ms: float) -> None:
    end = time.perf_counter() + ms / 1000
    _spin(lambda: time.perf_counter() >= end, ms / 1000 + 5)


def _status_kb(pid: int, field: str) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for row in status:
                if row.startswith(field + ":"):
                    return int(row.split()[1])
    except OSError:
        return None
    return None


def _reset_peak(pid: int) -> bool:
    """Reset the kernel's resident high-water mark (Linux 4.0+)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
        return True
    except OSError:
        return False


class _Bench:
    def __init__(self, workdir: Path, repeat: Callable[[int, int], int]) -> None:
        self.repeat = repeat  # BenchContext.repeat: fewer runs, turns and pages with --quick
        from PySide6.QtWidgets import QApplication

        from app.config.settings import Settings
        from app.drafts.attach import AttachPipeline
        from app.isolation.worker import IsolatedWorker
        from app.runtime.services import Services, render_processes
        from app.storage.staging import StagingArea
        from tests.support.pdfgen import numbered_pages, text_pdf

        self.app = QApplication.instance() or QApplication(["bench"])
        workdir.mkdir(parents=True, exist_ok=True)
        self.pdf = workdir / "preview-500.pdf"
        self.pdf.write_bytes(text_pdf(numbered_pages(PAGES)))
        # The real defaults (700 ms dwell, readable from 60 %), not the tests' short dwell.
        settings = Settings(staging_dir=str(workdir / "staging"))
        staging = StagingArea(settings.staging_path(), max_bytes=50 * 1024 * 1024)
        render, helper = render_processes(settings)  # as the app has them
        inspect = IsolatedWorker(timeout_s=120, memory_limit_mb=settings.worker_memory_mb)
        self.services = Services(
            settings,
            None,  # type: ignore[arg-type]
            staging,
            render,
            inspect,
            render_helper=helper,
        )
        # As the app does at start: the children up before the first file.
        self.services.warm_up()
        for worker in (*self.services.render_workers, inspect):
            worker.call("ping")
        self.pipeline = AttachPipeline(staging, inspect)  # as the window has it

    def close(self) -> None:
        from ui.common.workers import wait_for_all

        wait_for_all()
        for worker in (*self.services.render_workers, self.services.inspect_worker):
            worker.close()

    def pane(self) -> object:
        from ui.preview.pane import PreviewPane

        pane = PreviewPane(self.services)
        pane.resize(*PANE_SIZE)
        pane.show()
        _idle(30)  # shown and laid out, as the window's pane is before a file comes
        return pane

    def dispose(self, pane: object) -> None:
        from ui.common.workers import wait_for_all

        pane.close()  # type: ignore[attr-defined]
        wait_for_all()
        pane.deleteLater()  # type: ignore[attr-defined]
        _idle(10)

    def attach(self, pane: object, done: Callable[[object], None] | None = None) -> None:
        """What the window does with a chosen file (ui.window.attach_controller): its first page is
        drawn ahead, then a pool thread runs the attach pipeline (stage, clean, rehash,
        confirm the page); then the file is shown."""
        from app.drafts.attach import AttachOutcome, Staged
        from ui.preview.first_page import confirm_staged, stage_after_first_page

        pipeline = self.pipeline
        ahead = pane.draw_ahead(self.pdf)  # type: ignore[attr-defined]

        def work() -> AttachOutcome:
            return pipeline.attach(self.pdf, frozenset(), lambda s: confirm_staged(ahead, s))

        def attached(outcome: AttachOutcome) -> None:
            if not isinstance(outcome, Staged):
                raise RuntimeError(f"the benchmark file was not attached: {outcome!r}")
            pane.show_attachment(outcome.attachment)  # type: ignore[attr-defined]
            pane.drop_ahead(ahead)  # type: ignore[attr-defined]
            if done is not None:
                done(outcome.attachment)

        stage_after_first_page(pane, ahead, work, attached, print)  # type: ignore[arg-type]

    # -- first_page --------------------------------------------------------------------

    def first_page(self) -> list[str]:
        import pypdfium2

        ours: list[float] = []
        confirmed: list[float] = []
        raw: list[float] = []
        # One pane for all runs, as the window has one from its start; its caches are
        # emptied between runs (every run stages a fresh copy of the same bytes).
        pane = self.pane()
        painted: list[float] = []
        shown: list[object] = []
        pane.page_painted.connect(lambda _p: painted.append(time.perf_counter()))  # type: ignore[attr-defined]
        for _ in range(self.repeat(FIRST_PAGE_RUNS, 3)):
            pane.show_attachment(None)  # type: ignore[attr-defined]
            pane.scheduler.forget_drawn()  # type: ignore[attr-defined]
            _idle(20)
            painted.clear()
            shown.clear()
            started = time.perf_counter()
            self.attach(pane, shown.append)
            _spin(lambda: bool(painted), when=pane.page_painted)  # type: ignore[attr-defined]
            ours.append(painted[0] - started)
            _spin(lambda: bool(shown))
            # Taken as the staged copy's page: in the cache under the file's hash.
            key = pane._key(0, pane.scale)  # type: ignore[attr-defined]
            if key not in pane.page_cache:  # type: ignore[attr-defined]
                raise RuntimeError("the first page drawn ahead was not confirmed")
            confirmed.append(time.perf_counter() - started)
            scale = pane.scale * max(1.0, pane.devicePixelRatioF())  # type: ignore[attr-defined]
            _idle(50)

            started = time.perf_counter()
            document = pypdfium2.PdfDocument(str(self.pdf))
            page = document[0]
            bitmap = page.render(scale=scale)
            raw.append(time.perf_counter() - started)
            bitmap.close()
            page.close()
            document.close()
        self.dispose(pane)
        value, baseline = statistics.median(ours) * 1000, statistics.median(raw) * 1000
        taken = statistics.median(confirmed) * 1000
        return [
            line("first_page", value, "ms", baseline, value / baseline, "ratio<=1.5"),
            line("first_page_confirmed", taken, "ms", baseline, taken / baseline, "-"),
        ]

    # -- page_turn ---------------------------------------------------------------------

    def page_turn(self) -> str:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        pace_ms = self.services.settings.seen_dwell_ms
        pane = self.pane()
        painted: list[tuple[int, float]] = []
        pane.page_painted.connect(lambda p: painted.append((p, time.perf_counter())))  # type: ignore[attr-defined]
        shown: list[object] = []
        self.attach(pane, shown.append)
        _spin(lambda: any(p == 0 for p, _ in painted))
        # Pages turn in the attached file: inspecting a tagged 500-page file takes longer
        # than the dwell, and before it is attached only the page drawn ahead is there.
        _spin(lambda: bool(shown))
        _idle(pace_ms)
        pane.scroll_area.setFocus()  # type: ignore[attr-defined]
        turns: list[float] = []
        for turn in range(1, self.repeat(TURNS, 5) + 1):
            painted.clear()
            started = time.perf_counter()
            QTest.keyClick(pane.scroll_area, Qt.Key.Key_PageDown)  # type: ignore[attr-defined]
            _spin(lambda turn=turn: any(p == turn for p, _ in painted))  # type: ignore[misc]
            turns.append(next(t for p, t in painted if p == turn) - started)
            _idle(max(0.0, pace_ms - (time.perf_counter() - started) * 1000))
        self.dispose(pane)
        p95 = statistics.quantiles([t * 1000 for t in turns], n=20)[18]
        return line("page_turn", p95, "ms", target="value<=16")

    # -- event_loop_stall --------------------------------------------------------------

    def event_loop_stall(self) -> str:
        from PySide6.QtCore import Qt, QTimer

        from app.protocol.model import MessageKind
        from ui.common.workers import run_in_background

        pipeline = self.pipeline
        gaps: list[float] = []
        last = [time.perf_counter()]

        def beat() -> None:
            now = time.perf_counter()
            gaps.append(now - last[0])
            last[0] = now

        heartbeat = QTimer()
        heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
        heartbeat.setInterval(HEARTBEAT_MS)
        heartbeat.timeout.connect(beat)
        pane = self.pane()
        inspected: list[object] = []

        def attached(attachment: object) -> None:
            run_in_background(
                pane,  # type: ignore[arg-type]
                lambda: pipeline.inspect(attachment, (), MessageKind.REPLY),  # type: ignore[arg-type]
                inspected.append,
                inspected.append,
            )

        turner = QTimer()
        turner.setInterval(STALL_PAGING_MS)
        turner.timeout.connect(lambda: pane.go_to(pane.current_page + 1))  # type: ignore[attr-defined]
        last[0] = time.perf_counter()
        heartbeat.start()
        self.attach(pane, attached)
        turner.start()
        _spin(lambda: bool(inspected), 120)
        turner.stop()
        heartbeat.stop()
        self.dispose(pane)
        report = inspected[0]
        if getattr(report, "pages", None) != PAGES:
            raise RuntimeError(f"the benchmark file was not inspected: {report!r}")
        worst = max(gaps) * 1000
        return line("event_loop_stall", worst, "ms", target="value<=50")

    # -- memory_paging -----------------------------------------------------------------

    def memory_paging(self) -> list[str]:
        import psutil

        me = psutil.Process()
        worker_pid = self.services.render_worker.pid or 0
        worker = psutil.Process(worker_pid)
        kernel_peak = _reset_peak(os.getpid()) and _reset_peak(worker_pid)
        samples = [me.memory_info().rss]
        worker_samples = [worker.memory_info().rss]
        pane = self.pane()
        painted: list[int] = []
        pane.page_painted.connect(painted.append)  # type: ignore[attr-defined]
        shown: list[object] = []
        self.attach(pane, shown.append)
        _spin(lambda: bool(shown))
        for page in range(self.repeat(PAGES, 40)):
            pane.go_to(page)  # type: ignore[attr-defined]
            _spin(lambda page=page: page in painted)  # type: ignore[misc]
            if page % 10 == 0:
                samples.append(me.memory_info().rss)
                worker_samples.append(worker.memory_info().rss)
        mib = 1024 * 1024
        gui = max(samples) / mib
        rendered = max(worker_samples) / mib
        if kernel_peak:
            gui = max(gui, (_status_kb(os.getpid(), "VmHWM") or 0) / 1024)
            rendered = max(rendered, (_status_kb(worker_pid, "VmHWM") or 0) / 1024)
        self.dispose(pane)
        return [
            line("memory_paging", gui, "MB", target="value<=300"),
            line("memory_paging_worker", rendered, "MB", target="-"),
        ]


def run(ctx: BenchContext) -> list[str]:
    bench = _Bench(Path(ctx.workdir) / "preview", ctx.repeat)
    try:
        # Memory first, before this process loads PDFium itself for the raw baseline.
        memory = bench.memory_paging()
        first = bench.first_page()
        turn = bench.page_turn()
        stall = bench.event_loop_stall()
    finally:
        bench.close()
    return [*first, turn, stall, *memory]


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bifoga-bench-") as folder:
        for result in run(BenchContext(Path(folder))):
            print(result)
