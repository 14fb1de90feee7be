"""``bifoga sandbox``: the sandbox gateway alone, until Ctrl+C or SIGTERM.

The first line on standard output is the base URL, so a script or test can start the
sandbox and read where it listens.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

import requests

from sandbox.faults import parse_fault_spec
from sandbox.idp.provider import CLIENT_ID, GATEWAY_AUDIENCE, LOA3
from sandbox.runner import InsecureHostError, start_sandbox
from sandbox.trust import TrustSettings

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bifoga sandbox",
        description="Run the sandbox gateway (a test gateway with demo staff and residents).",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; others need TLS)",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    parser.add_argument("--data", type=Path, help="directory for the database (default: temp)")
    parser.add_argument("--tls-cert", type=Path, help="PEM certificate chain: serve HTTPS")
    parser.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    parser.add_argument(
        "--fault",
        metavar="MODE[:N]",
        help="drop_before, reset_after, error_after, slow or throttle, "
        "for the next N state-changing requests (default N=1)",
    )
    parser.add_argument(
        "--issuer",
        metavar="URL",
        help="trust this OpenID Provider's access tokens instead of the built-in one "
        "(its discovery and JWKS are fetched from the URL)",
    )
    parser.add_argument(
        "--audience",
        default=GATEWAY_AUDIENCE,
        help=f"the gateway's audience in access tokens (default {GATEWAY_AUDIENCE})",
    )
    parser.add_argument(
        "--client-id",
        default=CLIENT_ID,
        help=f"Bifoga's client id at the provider: an approval's aud (default {CLIENT_ID})",
    )
    parser.add_argument(
        "--acr",
        default=LOA3,
        help=f"the least acr of a colleague's approval (default {LOA3}; '' for none)",
    )
    return parser


def main(argv: list[str]) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # argparse has printed the reason (or --help)
        code = exit_request.code
        return code if isinstance(code, int) else USAGE_ERROR
    if (args.tls_cert is None) != (args.tls_key is None):
        print("bifoga sandbox: --tls-cert and --tls-key go together", file=sys.stderr)
        return USAGE_ERROR
    if args.fault:
        try:
            parse_fault_spec(args.fault)
        except ValueError as bad:
            print(f"bifoga sandbox: {bad}", file=sys.stderr)
            return USAGE_ERROR
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    try:
        handle = start_sandbox(
            data_dir=args.data,
            host=args.host,
            port=args.port,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            fault=args.fault,
            trust=TrustSettings(
                issuer=args.issuer,
                audience=args.audience,
                client_id=args.client_id,
                required_acr=args.acr or None,
            ),
        )
    except InsecureHostError as refused:
        print(f"bifoga sandbox: {refused}", file=sys.stderr)
        return USAGE_ERROR
    except (OSError, requests.RequestException, ValueError) as failed:
        print(f"bifoga sandbox: cannot start: {failed}", file=sys.stderr)
        return 1
    print(handle.base_url, flush=True)
    print(f"Demo accounts and residents: {handle.base_url}/sandbox/", file=sys.stderr, flush=True)
    print(f"Identity provider trusted: {handle.trusted_issuer}", file=sys.stderr, flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        handle.stop()
    return 0
