"""Whether a failed request provably never left this machine.

The outbox may take a send back into its draft only if the gateway cannot have made its
message (docs/architecture.md, the outbox). A transport failure says that only in a few
cases, each raised by urllib3 before the first byte of the request is written:

- ``NewConnectionError``: the connection was refused, or the host is unreachable;
- ``NameResolutionError`` (a ``NewConnectionError``): the name does not resolve;
- ``ConnectTimeoutError``: the TCP connect did not finish in time (urllib3 raises it only
  while connecting; a TLS handshake that times out is a *read* timeout there, so doubt);
- the gateway's certificate refused in the TLS handshake (``ssl.SSLCertVerificationError``,
  urllib3's hostname mismatch: ``CertificateError``), which comes before any request.

Everything else is doubt: a read timeout, a reset or a closed connection after the
request was (perhaps partly) written, any other TLS error (it may come mid-stream), and an
error of a kind not known here.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator


def never_left(failed: BaseException) -> bool:
    """True when ``failed`` (what ``requests`` raised for one request) shows that the
    request was never sent: the gateway cannot have acted on it."""
    # urllib3 is loaded by then (requests raised ``failed``): a lookup, not an import.
    from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
    from urllib3.util.ssl_match_hostname import CertificateError

    # NewConnectionError is a ConnectTimeoutError in urllib3 2 only: both are named.
    before_sending = (
        NewConnectionError,
        ConnectTimeoutError,
        ssl.SSLCertVerificationError,
        CertificateError,
    )
    return any(isinstance(cause, before_sending) for cause in _causes(failed))


def _causes(failed: BaseException) -> Iterator[BaseException]:
    """``failed`` and what it wraps: requests puts urllib3's ``MaxRetryError`` in its
    ``args``, which names the failure as ``reason``. Not ``__context__``: that may be an
    earlier failure being handled, not this request's. This reads one try only, as the
    sessions of ``app.network.transport`` make it (urllib3 retrying nothing itself: a
    refused retry would hide a first try that was sent)."""
    seen: set[int] = set()
    pending: list[BaseException] = [failed]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        linked = [current.__cause__, getattr(current, "reason", None)]
        linked += [arg for arg in current.args if isinstance(arg, BaseException)]
        pending += [link for link in linked if isinstance(link, BaseException)]


def may_have_left(failed: BaseException) -> bool:
    """``reached_gateway`` for a request that failed with ``failed``: True unless it
    provably never left."""
    return not never_left(failed)
