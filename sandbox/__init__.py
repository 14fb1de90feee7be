"""The sandbox gateway: docs/protocol.md on loopback, with demo staff, residents and cases.

A package beside ``app/``: it shares only the protocol with the client (``app.protocol``:
the review digest in ``app.protocol.review``, the identifiers, the accepted types in
``app.protocol.filetypes``, the file-name rules; and the OpenAPI document), and nothing
in ``app/`` imports it (import-linter contracts in pyproject.toml). Public API, imported
from its module so that importing the package pulls in nothing (``sandbox.embedded`` must
not load Werkzeug before the window is up)::

    from sandbox.runner import start_sandbox, SandboxHandle, InsecureHostError
    handle = start_sandbox(data_dir=None, host="127.0.0.1", port=0, ...)
    handle.base_url; handle.faults; handle.stop()
    from sandbox.cli import main        # ``bifoga sandbox ...``
    from sandbox.embedded import open_services, EmbeddedSandbox  # the window's own sandbox
"""
