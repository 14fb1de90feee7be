"""30 uploads of 19 MiB at once, stalled before their last byte, then finished: the
gateway's memory stays bounded (issue 21: held whole in memory they took 649 MB). The
sandbox runs as ``bifoga sandbox`` in a process of its own, whose peak resident memory
(VmHWM) is read from /proc. The bound is on memory, never on time."""

from __future__ import annotations

import stat
import threading
import time
from pathlib import Path

from sandbox.uploads import CHUNK_BYTES
from tests.gateway.tokens import bearer_token
from tests.support.upload_load import MIB, sandbox_process, start_uploads

UPLOADS = 30
SIZE = 19 * MIB
#: BENCH gateway_upload_memory's target.
BOUND_MB = 150
#: A safety net: the server holds every upload long before this.
_PATIENCE_S = 60.0


def _all_at_least(sizes: list[int], size: int) -> bool:
    return len(sizes) == UPLOADS and min(sizes) >= size


def _private(folder: Path) -> bool:
    return stat.S_IMODE(folder.stat().st_mode) == 0o700 and all(
        stat.S_IMODE(path.stat().st_mode) == 0o600 for path in folder.iterdir()
    )


def test_30_stalled_uploads_of_19_mib_keep_the_gateway_under_150_mb(tmp_path: Path) -> None:
    with sandbox_process(tmp_path / "data") as sandbox:
        token = bearer_token(sandbox.base_url)
        uploads = start_uploads(sandbox.base_url, token, UPLOADS, SIZE)
        try:
            # The server is another process: what it holds is read from /proc until
            # every upload is in its file but for the last read (a bounded poll).
            deadline = time.monotonic() + _PATIENCE_S
            pause = threading.Event()
            almost = SIZE - CHUNK_BYTES
            while not _all_at_least(sandbox.upload_file_sizes(), almost):
                assert time.monotonic() < deadline, sandbox.upload_file_sizes()
                pause.wait(0.05)
            stalled_peak_mb = sandbox.peak_rss_mb()
            assert _private(sandbox.data_dir)  # the uploads' files have no name there
            statuses = [upload.finish() for upload in uploads]
        finally:
            for upload in uploads:
                upload.sock.close()
        assert statuses == [201] * UPLOADS
        assert stalled_peak_mb <= BOUND_MB, f"{stalled_peak_mb:.0f} MB with 30 uploads held"
        assert sandbox.peak_rss_mb() <= BOUND_MB, f"{sandbox.peak_rss_mb():.0f} MB at the end"
        assert sandbox.upload_file_sizes() == []
        assert _private(sandbox.data_dir)
