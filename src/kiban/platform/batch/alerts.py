"""Telling others that a run ended abnormally (9.1: 異常終了した場合の警告を他の通報システムに連携できること).

Three ways, none carrying personal data or the error message (which may quote data; it stays on the run, for the
tenant's supervisors):

- the Prometheus counter ``kiban_batch_runs_total{job, status="failed"}`` (no tenant label), for the platform's
  monitoring;
- one structured log line (logger ``kiban.batch``, level ERROR) with the job, run id, tenant and error code;
- the event ``platform.batch.run_failed`` in the tenant's outbox, written in the transaction that records the
  failure: the platform's dispatcher delivers it, signed (Standard Webhooks), to every webhook subscribed to it,
  with retries and dead letters, and it is in the tenant's change feed for systems that pull.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiban.platform.events import types
from kiban.platform.events.services import publish
from kiban.platform.monitoring.metrics import BATCH_DURATION, BATCH_RUNS

if TYPE_CHECKING:
    from .models import Run

log = logging.getLogger("kiban.batch")

RUN_FAILED_TYPE = "platform.batch.run_failed"
RUN_FAILED = types.EventType(
    RUN_FAILED_TYPE, frozenset(), "a batch run ended abnormally (バッチ異常終了): job, run, host and error code"
)


def allow_business(business: str) -> None:
    """Let ``business`` subscribe to the failures (called when it registers a job): its notification system
    subscribes with the business's client grant, like to any other event."""
    existing = current_type()
    if business not in existing.visible_to:
        types.register(types.EventType(RUN_FAILED_TYPE, existing.visible_to | {business}, existing.description))


def current_type() -> types.EventType:
    try:
        return types.get(RUN_FAILED_TYPE)
    except LookupError:
        return RUN_FAILED


def ended(run: Run, business: str) -> None:
    """Count an ended run; on an abnormal end also log it and publish the alert (in the caller's transaction)."""
    BATCH_RUNS.labels(run.job, run.status).inc()
    if run.duration_ms is not None:
        BATCH_DURATION.labels(run.job).observe(run.duration_ms / 1000)
    if run.status != run.Status.FAILED:
        return
    log.error("batch run %s of %s ended abnormally on %s: %s", run.id, run.job, run.host, run.error_code)
    publish(
        RUN_FAILED_TYPE, f"batch/{run.job}",
        {
            "job": run.job, "business": business, "run_id": run.id, "trigger": run.trigger, "host": run.host,
            "started_at": run.started_at.isoformat() if run.started_at else None,
            "ended_at": run.ended_at.isoformat() if run.ended_at else None, "error_code": run.error_code,
        },
    )  # fmt: skip
