"""The dispatcher: delivers each event at least once, in order per (subscription, subject), with retries on
exponential backoff until the subscription's dead-letter policy, to in-process handlers and signed webhooks.

Several dispatchers may run at once: each delivery is claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and only
the oldest pending delivery of a (subscription, subject) is ever attempted, so order holds across processes. A
dispatcher killed mid-batch leaves its claimed rows unlocked and still pending (the transaction dies with it),
so they are delivered again: at least once. Receivers deduplicate by event id (``webhook-id``).

In-process handlers run inside the delivery's transaction: their writes and the "delivered" mark commit
together, so for them delivery is effectively exactly once.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from kiban.platform.audit.actor import Actor, acting_as
from kiban.platform.monitoring.metrics import DELIVERIES
from kiban.platform.tenants.context import tenant_context

from . import handlers, services, signing
from .envelope import envelope
from .models import ChannelMessage, Delivery, Event, Subscription, Wakeup

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=15)
HTTP_TIMEOUT_SECONDS = 10

# (url, body, headers, timeout) -> HTTP status; raises OSError on a connection failure.
HttpPost = Callable[[str, bytes, dict[str, str], float], int]


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 (https/http only)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def backoff(attempts: int) -> timedelta:
    """Delay after the ``attempts``-th failure: 5 s, 10 s, 20 s, … capped at 15 minutes."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_CAP)


@dataclass
class Dispatcher:
    now: Callable[[], datetime] = timezone.now
    http_post: HttpPost = post
    batch_size: int = 500
    stats: dict[str, int] = field(default_factory=lambda: {"delivered": 0, "failed": 0, "dead": 0})

    def run_once(self) -> int:
        """Serve every tenant with deliveries due; returns the number delivered."""
        now = self.now()
        due = Wakeup.objects.filter(due_at__lte=now).values("tenant_id").annotate(last=Max("id")).order_by("tenant_id")
        delivered = 0
        for row in list(due):
            delivered += self._serve_tenant(row["tenant_id"], row["last"])
        return delivered

    def run_forever(self, idle_sleep: float = 0.5, stop: Callable[[], bool] = lambda: False) -> None:
        while not stop():
            try:
                if self.run_once() == 0:
                    time.sleep(idle_sleep)
            except Exception:  # keep serving other tenants; the failure is logged with its traceback
                log.exception("dispatcher pass failed")
                time.sleep(idle_sleep)

    def _serve_tenant(self, tenant_id: str, last_wakeup: int) -> int:
        delivered = 0
        with acting_as(Actor("system", "dispatcher")):
            delivered += self._hand_over_channel_messages(tenant_id)
            while delivered < self.batch_size:
                outcome = self._deliver_heads(tenant_id)
                if outcome is None:
                    break  # nothing due, or every due head is being delivered by another dispatcher
                delivered += outcome
            with tenant_context(tenant_id):
                Wakeup.objects.filter(tenant_id=tenant_id, id__lte=last_wakeup).delete()
                pending = Delivery.objects.filter(status=Delivery.Status.PENDING)
                next_due = pending.aggregate(t=Min("next_attempt_at"))["t"]
                if next_due is not None:
                    Wakeup.objects.create(tenant_id=tenant_id, due_at=next_due)
        return delivered

    def _hand_over_channel_messages(self, tenant_id: str) -> int:
        """Move this tenant's outgoing channel messages into their receivers' outboxes, oldest first."""
        handed = 0
        while True:
            with tenant_context(tenant_id):
                message = (
                    ChannelMessage.objects.select_for_update(skip_locked=True)
                    .filter(delivered_at__isnull=True)
                    .order_by("id")
                    .first()
                )
                if message is None:
                    return handed
                services.hand_over(message)
                handed += 1

    def _deliver_heads(self, tenant_id: str) -> int | None:
        """In one transaction: claim the oldest pending delivery of each (subscription, subject) if it is due,
        attempt each, and record the outcomes. Returns how many were delivered, or None if none was claimed."""
        now = self.now()
        with tenant_context(tenant_id):
            heads = (
                Delivery.objects.filter(status=Delivery.Status.PENDING)
                .values("subscription_id", "subject")
                .annotate(first=Min("event_id"))
                .order_by("first")[: self.batch_size]
            )
            wanted = {(h["subscription_id"], h["first"]) for h in heads}
            if not wanted:
                return None
            claimed = [
                d
                for d in Delivery.objects.select_for_update(skip_locked=True).filter(
                    status=Delivery.Status.PENDING,
                    next_attempt_at__lte=now,
                    event_id__in={event_id for _, event_id in wanted},
                )
                if (d.subscription_id, d.event_id) in wanted
            ]
            if not claimed:
                return None
            subscriptions = Subscription.objects.in_bulk({d.subscription_id for d in claimed})
            events = Event.objects.in_bulk({d.event_id for d in claimed})
            delivered = 0
            for delivery in sorted(claimed, key=lambda d: d.event_id):
                subscription = subscriptions[delivery.subscription_id]
                error = self._send(subscription, events[delivery.event_id])
                self._record_outcome(delivery, subscription, error, now)
                delivered += error is None
            Delivery.objects.bulk_update(
                claimed, ["status", "attempts", "next_attempt_at", "last_error", "delivered_at"]
            )
            return delivered

    def _record_outcome(self, delivery: Delivery, subscription: Subscription, error: str | None, now: datetime) -> None:
        delivery.attempts += 1
        DELIVERIES.labels("delivered" if error is None else "failed").inc()
        if error is None:
            delivery.status, delivery.delivered_at, delivery.last_error = Delivery.Status.DELIVERED, now, ""
            self.stats["delivered"] += 1
            return
        delivery.last_error = error[:500]
        self.stats["failed"] += 1
        expired = now - delivery.created_at >= timedelta(seconds=subscription.max_age_seconds)
        if delivery.attempts >= subscription.max_attempts or expired:
            delivery.status = Delivery.Status.DEAD
            self.stats["dead"] += 1
            DELIVERIES.labels("dead_lettered").inc()
            log.warning("dead letter: delivery %s to subscription %s: %s", delivery.id, subscription.id, error)
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)

    def _send(self, subscription: Subscription, event: Event) -> str | None:
        """Deliver one event; None on success, else the reason."""
        body = envelope(event)
        if subscription.kind == Subscription.Kind.HANDLER:
            try:
                with transaction.atomic():
                    handlers.get(subscription.target)(body)
            except Exception as exc:  # a handler's failure is the subscriber's, retried like any other
                return f"handler raised {type(exc).__name__}: {exc}"
            return None
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        timestamp = int(self.now().timestamp())
        headers = signing.headers(subscription.secret, str(event.event_id), timestamp, payload)
        try:
            status = self.http_post(subscription.target, payload, headers, HTTP_TIMEOUT_SECONDS)
        except OSError as exc:
            return f"connection failed: {exc}"
        return None if 200 <= status < 300 else f"HTTP {status}"
