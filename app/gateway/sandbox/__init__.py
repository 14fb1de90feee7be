"""The sandbox gateway: docs/protocol.md on loopback, with demo staff, residents and cases.

Public API::

    handle = start_sandbox(data_dir=None, host="127.0.0.1", port=0, ...)
    handle.base_url; handle.stop()
    main(argv) -> int   # ``bifoga sandbox ...``
"""

from app.gateway.sandbox.cli import main
from app.gateway.sandbox.runner import InsecureHostError, SandboxHandle, start_sandbox

__all__ = ["InsecureHostError", "SandboxHandle", "main", "start_sandbox"]
