from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runtime.services import Services
from tests.support.session import running_services
from tests.support.window import close_open_windows


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    with running_services(tmp_path) as running:
        try:
            yield running
        finally:
            close_open_windows()
