"""The typed bridge to the inspect worker (app.inspection.isolated.InspectClient): typed
requests, answers checked for the type each job promises, what sanitising removed
returned as a value; and the worker itself runs whatever jobs table it is started with."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.inspection.isolated import InspectClient
from app.inspection.jobs import InspectRequest, Sanitized
from app.inspection.report import InspectionReport, Severity
from app.isolation.worker import IsolatedWorker, WorkerFailure
from tests.support import hostile
from tests.support.workers import worker_process


class _Answering:
    """A worker stand-in that answers every job with ``answer`` (a child gone wrong)."""

    def __init__(self, answer: Any) -> None:
        self.answer = answer
        self.calls: list[tuple[str, tuple[Any, ...]]] = []

    def call(self, op: str, *args: Any, timeout_s: float | None = None) -> Any:
        self.calls.append((op, args))
        return self.answer


@pytest.mark.parametrize("answer", [("after_end",), None, Sanitized(True, (b"x",))])  # type: ignore[arg-type]
def test_a_sanitize_answer_of_another_type_is_a_worker_failure(answer: Any) -> None:
    client = InspectClient(_Answering(answer))  # type: ignore[arg-type]
    with pytest.raises(WorkerFailure) as raised:
        client.sanitize(Path("/nowhere"))
    assert raised.value.code == WorkerFailure.ERROR


def test_an_inspect_answer_of_another_type_blocks_the_file(tmp_path: Path) -> None:
    path = tmp_path / "brev.pdf"
    path.write_bytes(hostile.letter())
    stub = _Answering({"verdict": "ok"})
    report = InspectClient(stub).inspect(InspectRequest(str(path)))  # type: ignore[arg-type]
    assert [(f.code, f.severity) for f in report.findings] == [
        ("file.inspection_failed", Severity.BLOCK)
    ]
    assert stub.calls == [("inspect", (InspectRequest(str(path)),))]  # one typed request


def test_sanitize_and_inspect_through_a_real_worker(tmp_path: Path) -> None:
    copy = tmp_path / "file"
    copy.write_bytes(hostile.letter() + hostile.random_bytes(2048))
    for worker in worker_process():
        client = InspectClient(worker)
        sanitized = client.sanitize(copy)
        assert sanitized == Sanitized(changed=True, removed=("after_end",))
        assert client.sanitize(copy) == Sanitized(changed=False)  # clean now
        request = InspectRequest(str(copy), name="brev.pdf", removed=sanitized.removed)
        report = client.inspect(request)
        assert isinstance(report, InspectionReport)
        assert "file.hidden_after_end_removed" in {f.code for f in report.findings}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"], "no side file"


def test_the_worker_runs_the_jobs_table_it_is_started_with() -> None:
    with IsolatedWorker(timeout_s=20, jobs="tests.support.echo_jobs") as worker:
        assert worker.call("echo", 7) == ("echo", 7)
        with pytest.raises(WorkerFailure):  # the default table's jobs are not there
            worker.call("ping")
