from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.isolation.worker import IsolatedWorker
from app.runtime.services import Services
from app.storage.staging import StagingArea
from tests.support.session import test_settings
from tests.support.workers import worker_process


@pytest.fixture(scope="session")
def render_worker() -> Iterator[IsolatedWorker]:
    yield from worker_process(memory_limit_mb=1024)


@pytest.fixture(scope="session")
def render_helper() -> Iterator[IsolatedWorker]:
    """The second render process, as a machine with more than one core has."""
    yield from worker_process(memory_limit_mb=1024)


@pytest.fixture
def offline_services(
    tmp_path: Path,
    render_worker: IsolatedWorker,
    render_helper: IsolatedWorker,
) -> Services:
    """Services for widgets that never talk to a gateway (the preview, the attachments)."""
    settings = test_settings(tmp_path)
    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    client: Any = None
    return Services(
        settings, client, staging, render_worker, render_worker, render_helper=render_helper
    )
