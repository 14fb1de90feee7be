"""``gateway_upload_memory``: the sandbox gateway's peak resident memory while 30 clients
upload 19 MiB each at once (issue 21: held whole in memory, 30 stalled uploads took it
to 649 MB).

``bifoga sandbox`` runs in a process of its own; its peak (VmHWM) is read from /proc. The
30 uploads are all sent but for their last byte before any is finished, so the gateway
holds all of them at the same time, then each is finished and stored. Each comes from
its own loopback address, as from its own machine (the per-address limits would
otherwise hold most of them back). The baseline is the sandbox's memory before the
uploads.
"""

from __future__ import annotations

from tests.benchmarks.common import BenchContext, line
from tests.gateway.tokens import bearer_token
from tests.support.upload_load import MIB, sandbox_process, start_uploads

CLIENTS = 30
SIZE = 19 * MIB
TARGET = "value<=150"


def run(ctx: BenchContext) -> list[str]:
    clients = ctx.repeat(CLIENTS, quick=4)
    with sandbox_process(ctx.workdir / "gateway-upload") as sandbox:
        token = bearer_token(sandbox.base_url)
        idle = sandbox.rss_mb()
        uploads = start_uploads(sandbox.base_url, token, clients, SIZE)
        try:
            statuses = [upload.finish() for upload in uploads]
        finally:
            for upload in uploads:
                upload.sock.close()
        if statuses != [201] * clients:
            raise RuntimeError(f"uploads answered {sorted(set(statuses))}")
        peak = sandbox.peak_rss_mb()
    return [line("gateway_upload_memory", peak, "MB", idle, peak / idle, TARGET)]
