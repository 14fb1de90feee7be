"""Turning failures into sentences that say what to do next."""

from __future__ import annotations

import logging

from app.config.texts import has_message
from app.gateway.client import GatewayError
from app.isolation.worker import WorkerFailure
from app.storage.staging import StagingError
from ui.common.i18n import tr

log = logging.getLogger(__name__)


def gateway_error_text(error: BaseException) -> str:
    from app.identity import IdentityError  # only once a login has failed

    if isinstance(error, IdentityError):
        if has_message(error.code):
            return tr(error.code)
        log.info("identity failure without a sentence: %s", error.code)
        return tr("ui.login.failed")
    if isinstance(error, GatewayError):
        if error.status is None:
            return tr("gateway.unreachable")
        if error.status == 429:
            return tr("gateway.throttled", seconds=int(error.retry_after or 60))
        for code in error.codes:
            if has_message(f"gateway.{code}"):
                return tr(f"gateway.{code}")
        # A code without a sentence of its own: say what to do, never the raw code (the
        # log keeps it for the service desk; codes hold no personal data).
        log.info("gateway refusal without a sentence: %s %s", error.status, error.codes)
        return tr("gateway.failed" if error.status >= 500 else "gateway.refused")
    if isinstance(error, WorkerFailure):
        return tr(error.code)
    if isinstance(error, StagingError):
        return tr(error.code, **error.params)
    return tr("error.unexpected", kind=type(error).__name__)


def code_text(code: str) -> str:
    """The sentence for a code the outbox kept: its own (``outbox.*``), or the gateway's
    refusal it recorded (``review_expired``), never the raw code."""
    if has_message(code):
        return tr(code)
    if has_message(f"gateway.{code}"):
        return tr(f"gateway.{code}")
    log.info("no sentence for the code %s", code)
    return tr("gateway.refused")
