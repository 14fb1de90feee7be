"""Turning failures into sentences that say what to do next."""

from __future__ import annotations

from app.gateway.client import GatewayError
from app.staging import StagingError
from app.worker import WorkerFailure
from ui.i18n import tr


def gateway_error_text(error: BaseException) -> str:
    if isinstance(error, GatewayError):
        if error.status is None:
            return tr("gateway.unreachable")
        if error.status == 429:
            return tr("gateway.throttled", seconds=int(error.retry_after or 60))
        for code in error.codes:
            key = f"gateway.{code}"
            text = tr(key)
            if text != key:
                return text
        return tr("gateway.refused", status=error.status, codes=", ".join(error.codes))
    if isinstance(error, WorkerFailure):
        return tr(error.code)
    if isinstance(error, StagingError):
        return tr(error.code, **error.params)
    return tr("error.unexpected", kind=type(error).__name__)
