"""The one exception the gateway client raises.

The core hands codes to the UI, never sentences (STYLE.md): the UI turns ``codes`` into
Swedish or English. ``message`` is the gateway's own text, for logs and developers.
"""

from __future__ import annotations

#: Codes the client itself uses when there is no HTTP answer to take a code from.
NETWORK = "network"
TIMEOUT = "timeout"
TLS = "tls"
BAD_RESPONSE = "bad_response"


class GatewayError(Exception):
    """A refused or failed gateway call.

    ``status`` is the HTTP status, or ``None`` when no answer came (network failure, timeout,
    TLS failure). ``codes`` are the stable error codes from the answer's ``errors`` list (or
    one of the client's own: ``network``, ``timeout``, ``tls``, ``bad_response``).
    ``retry_after`` is the server's ``Retry-After`` in seconds, when it sent one.
    ``fields`` maps each code to the request field it concerns, where the gateway named one.
    ``reached_gateway`` is False only when the request provably never left this machine
    (refused, no such host, a connect timeout, a certificate refused in the TLS handshake:
    :func:`app.gateway.unsent.never_left`), so the gateway cannot have acted on it. Any doubt
    (a read timeout, a reset after the request was written, an answer) leaves it True: the
    outbox then asks for the key before sending again.
    """

    def __init__(
        self,
        status: int | None,
        codes: tuple[str, ...],
        message: str,
        *,
        retry_after: float | None = None,
        fields: tuple[str | None, ...] = (),
        reached_gateway: bool = True,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.codes = codes
        self.message = message
        self.retry_after = retry_after
        self.fields = fields
        self.reached_gateway = reached_gateway

    @property
    def code(self) -> str:
        """The first code (most errors carry exactly one)."""
        return self.codes[0] if self.codes else "unknown"

    def __repr__(self) -> str:
        return f"GatewayError(status={self.status!r}, codes={self.codes!r})"

    def __str__(self) -> str:
        where = f"HTTP {self.status}" if self.status is not None else "no answer"
        return f"{where}: {', '.join(self.codes)}: {self.message}"
