"""Publishing events (in the caller's transaction), subscribing, and replaying dead letters."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kiban.platform.audit.services import record
from kiban.platform.monitoring.metrics import EVENTS_PUBLISHED
from kiban.platform.tenants.context import current_tenant_id, tenant_context
from kiban.platform.tenants.models import Tenant

from . import handlers, signing, types
from .models import ChannelMessage, Delivery, Event, Subscription, Wakeup


class InvalidSubscription(ValueError):
    pass


def _lock_subject(tenant_id: str, subject: str) -> int:
    """Serialize publishers of one subject until commit, and return this transaction's id (PostgreSQL).

    Holding the lock to commit means two events of one subject get ids in commit order, which is the order in
    which the dispatcher delivers them. The transaction id is taken first, for the change feed's cursor.
    """
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_current_xact_id()::text::bigint, pg_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"{tenant_id}:{subject}"],
        )
        return int(cursor.fetchone()[0])


def publish(
    event_type: str,
    subject: str,
    data: Mapping[str, Any],
    *,
    occurred_at: datetime | None = None,
    event_id: uuid.UUID | None = None,
) -> Event:
    """Write an event and its deliveries in the current transaction (the outbox): if the change it reports
    commits, the event exists; if not, neither does the event."""
    types.get(event_type)  # unknown types are a programming error
    tenant_id = current_tenant_id()
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        txid = _lock_subject(tenant_id, subject)
        event = Event.objects.create(
            tenant_id=tenant_id, event_id=event_id or uuid.uuid4(), type=event_type, subject=subject,
            occurred_at=occurred_at or now, data=dict(data), txid=txid,
        )  # fmt: skip
        subscriptions = list(
            Subscription.objects.filter(event_type=event_type, active=True).values_list("id", flat=True)
        )
        if subscriptions:
            Delivery.objects.bulk_create(
                Delivery(tenant_id=tenant_id, subscription_id=s, event=event, subject=subject, next_attempt_at=now)
                for s in subscriptions
            )
            Wakeup.objects.create(tenant_id=tenant_id, due_at=now)
    transaction.on_commit(lambda: EVENTS_PUBLISHED.labels(event_type).inc())
    return event


class InvalidChannelMessage(ValueError):
    pass


def send_to_tenant(to_tenant: str, event_type: str, subject: str, data: Mapping[str, Any]) -> ChannelMessage:
    """Address an event to another municipality through the inter-municipality channel (in this transaction)."""
    types.get(event_type)
    tenant_id = current_tenant_id()
    if to_tenant == tenant_id:
        raise InvalidChannelMessage("a municipality does not send channel messages to itself; publish instead")
    if not Tenant.objects.filter(code=to_tenant, active=True).exists():
        raise InvalidChannelMessage(f"{to_tenant} is not a tenant of this platform")
    with transaction.atomic():
        message = ChannelMessage.objects.create(
            tenant_id=tenant_id, to_tenant=to_tenant, type=event_type, subject=subject, data=dict(data)
        )
        Wakeup.objects.create(tenant_id=tenant_id, due_at=timezone.now())
        record("channel.sent", "channel-message", str(message.message_id), purpose=f"to {to_tenant}: {event_type}")
    return message


def hand_over(message: ChannelMessage) -> None:
    """Publish a channel message in the receiving tenant (called by the dispatcher in the sender's context)."""
    with tenant_context(message.to_tenant):
        if not Event.objects.filter(event_id=message.message_id).exists():
            publish(
                message.type, message.subject, {**message.data, "from_tenant": message.tenant_id},
                occurred_at=message.created_at, event_id=message.message_id,
            )  # fmt: skip
            record("channel.received", "channel-message", str(message.message_id), purpose=f"from {message.tenant_id}")
    message.delivered_at = timezone.now()
    message.save(update_fields=["delivered_at"])


def subscribe(
    event_type: str,
    *,
    business: str,
    handler: str = "",
    url: str = "",
    client_id: str = "",
    max_attempts: int = 30,
    max_age_seconds: int = 3 * 24 * 3600,
) -> Subscription:
    """Subscribe the current tenant's ``business`` to ``event_type`` (a handler name or an HTTPS URL)."""
    try:
        event = types.get(event_type)
    except LookupError as exc:
        raise InvalidSubscription(str(exc)) from None
    if business not in event.visible_to:
        raise InvalidSubscription(f"business {business!r} may not receive {event_type}")
    if bool(handler) == bool(url):
        raise InvalidSubscription("give either a handler name or a webhook URL")
    if handler:
        handlers.get(handler)
    else:
        parts = urlsplit(url)
        allowed = ("https",) if not settings.KIBAN_WEBHOOKS_ALLOW_HTTP else ("https", "http")
        if parts.scheme not in allowed or not parts.netloc:
            raise InvalidSubscription(f"webhook URL must be {' or '.join(allowed)}://host/…, got {url!r}")
    if not 1 <= max_attempts <= 1000 or not 60 <= max_age_seconds <= 30 * 24 * 3600:
        raise InvalidSubscription("dead-letter policy: 1–1000 attempts and 60 s – 30 days")
    subscription = Subscription.objects.create(
        event_type=event_type, kind=Subscription.Kind.HANDLER if handler else Subscription.Kind.WEBHOOK,
        target=handler or url, secret="" if handler else signing.new_secret(), business=business,
        client_id=client_id, max_attempts=max_attempts, max_age_seconds=max_age_seconds,
    )  # fmt: skip
    record("subscription.created", "subscription", str(subscription.id))
    return subscription


def replay(delivery_id: int) -> Delivery:
    """Put a dead letter back in the queue (an operator's decision, audited)."""
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(id=delivery_id)
        if delivery.status != Delivery.Status.DEAD:
            raise ValueError(f"delivery {delivery_id} is {delivery.status}, not a dead letter")
        now = timezone.now()
        delivery.status, delivery.attempts, delivery.next_attempt_at = Delivery.Status.PENDING, 0, now
        delivery.save(update_fields=["status", "attempts", "next_attempt_at"])
        Wakeup.objects.create(tenant_id=delivery.tenant_id, due_at=now)
        record("delivery.replayed", "delivery", str(delivery.id))
    return delivery
