"""Logs never hold a personnummer in clear, nor a token.

:class:`MaskingFilter` rewrites a record's message (with its arguments merged in), its
exception text and its stack text, replacing everything shaped like a personnummer,
samordningsnummer or interim/reserve number with ``YYYYMMDD-****`` or ``YYMMDD-****``, and
every token (docs/identity.md) with ``[token]``: a JWT (access or id token), what follows
``Bearer``, and the value of an OAuth parameter that is a credential (``code``,
``code_verifier``, ``access_token``, ``refresh_token``, ``id_token``, ``token``, ...) in a
query, a form or JSON.
:func:`install` puts it on the root logger's handlers and, because logger-level filters
do not see records propagated from child loggers and handlers may be added later, also
wraps the log record factory so every record is masked when it is made.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable
from typing import Any

_MASKING_FACTORY = "_bifoga_masking"

TOKEN_MASK = "[token]"
#: A JWS or JWE in compact form: base64url JSON headers start with "eyJ" ('{"').
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{2,}(?:\.[A-Za-z0-9_-]*){2,4}")
_BEARER = re.compile(r"(?i)\b(Bearer)\s+[A-Za-z0-9._~+/=-]+")
_CREDENTIAL_NAMES = (
    r"access_token|refresh_token|id_token|id_token_hint|code|code_verifier|token|"
    r"client_secret|approval|assertion|logout_token|secret|pin"
)
#: name=value in a query or form; "name": "value" in JSON; name: value in a repr.
_CREDENTIAL = re.compile(
    rf"""(?i)(?P<key>["']?\b(?:{_CREDENTIAL_NAMES})["']?\s*[=:]\s*["']?)(?P<value>[^\s&"',;)}}]+)"""
)


def mask_tokens(text: str) -> str:
    """``text`` with every token replaced by ``[token]``."""
    if not text:
        return text
    text = _JWT.sub(TOKEN_MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {TOKEN_MASK}", text)
    return _CREDENTIAL.sub(lambda m: m.group("key") + TOKEN_MASK, text)


def _mask(text: str) -> str:
    from app.inspection.personal_data import mask_identifiers

    return mask_identifiers(mask_tokens(text))


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask ``record`` in place (message, arguments, exception and stack text)."""
    # The detector (phonenumbers, behind _mask) is imported at the first record, not at
    # install: it would otherwise cost the sign-in window a quarter of a second (BENCH
    # startup).
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: mask the parts, let logging report it
        if isinstance(record.msg, str):
            record.msg = _mask(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask(a) if isinstance(a, str) else a for a in record.args)
    else:
        masked = _mask(message)
        if masked != message or not isinstance(record.msg, str):
            # Merged once and for all: an int 191212121212 in args must not be
            # formatted again by a handler.
            record.msg = masked
            record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = _mask(record.exc_text)
    if record.stack_info:
        record.stack_info = _mask(record.stack_info)
    return record


class MaskingFilter(logging.Filter):
    """A filter that never drops a record, only masks it."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask_record(record)
        return True


def install(logger: logging.Logger | None = None) -> MaskingFilter:
    """Mask every record from now on; safe to call more than once."""
    target = logger or logging.getLogger()
    existing = next((f for f in target.filters if isinstance(f, MaskingFilter)), None)
    masking = existing or MaskingFilter()
    if existing is None:
        target.addFilter(masking)
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(masking)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, _MASKING_FACTORY, False):
        original: Callable[..., logging.LogRecord] = factory

        def masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return mask_record(original(*args, **kwargs))

        setattr(masking_factory, _MASKING_FACTORY, True)
        logging.setLogRecordFactory(masking_factory)
    return masking
