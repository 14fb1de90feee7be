"""Logs never hold a personnummer in clear.

:class:`MaskingFilter` rewrites a record's message (with its arguments merged in), its
exception text and its stack text, replacing everything shaped like a personnummer,
samordningsnummer or interim/reserve number with ``YYYYMMDD-****`` or ``YYMMDD-****``.
:func:`install` puts it on the root logger's handlers and, because logger-level filters
do not see records propagated from child loggers and handlers may be added later, also
wraps the log record factory so every record is masked when it is made.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

_MASKING_FACTORY = "_bifoga_masking"


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask ``record`` in place (message, arguments, exception and stack text)."""
    # Imported at the first record, not at install: the detector (phonenumbers) would
    # otherwise cost the sign-in window a quarter of a second (BENCH startup).
    from app.inspection.personal_data import mask_identifiers

    try:
        message = record.getMessage()
    except Exception:  # a bad format string: mask the parts, let logging report it
        if isinstance(record.msg, str):
            record.msg = mask_identifiers(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                mask_identifiers(a) if isinstance(a, str) else a for a in record.args
            )
    else:
        masked = mask_identifiers(message)
        if masked != message or not isinstance(record.msg, str):
            # Merged once and for all: an int 191212121212 in args must not be
            # formatted again by a handler.
            record.msg = masked
            record.args = None
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = mask_identifiers(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_identifiers(record.stack_info)
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
