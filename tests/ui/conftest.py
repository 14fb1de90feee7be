from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services import Services
from app.staging import StagingArea
from app.worker import IsolatedWorker
from tests.support.session import test_settings


@pytest.fixture(scope="session")
def render_worker() -> Iterator[IsolatedWorker]:
    with IsolatedWorker(timeout_s=20, memory_limit_mb=1024) as worker:
        yield worker


@pytest.fixture
def offline_services(
    tmp_path: Path, render_worker: IsolatedWorker, no_leftover_jobs: None
) -> Services:
    """Services for widgets that never talk to a gateway (the preview, the attachments)."""
    settings = test_settings(tmp_path)
    staging = StagingArea(tmp_path / "staging", max_bytes=20 * 1024 * 1024)
    client: Any = None
    return Services(settings, client, staging, render_worker, render_worker)
