"""The outbox (``Event``), who wants which events (``Subscription``), and each delivery's state (``Delivery``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from kiban.platform.tenants.models import TenantOwned


class Event(TenantOwned):
    """One event, written in the same transaction as the change it reports. Immutable, and kept: it is also the
    change feed that other systems pull (``changes since cursor``)."""

    append_only = True

    event_id = models.UUIDField("イベントID", default=uuid.uuid4)
    type = models.CharField("イベント種別", max_length=100)
    subject = models.CharField("対象", max_length=100)
    occurred_at = models.DateTimeField("発生日時")
    data = models.JSONField("内容", default=dict)
    # The writing transaction's id (PostgreSQL xid8): the change feed orders by (txid, id) and shows only events
    # of transactions older than every running one, so a reader's cursor never skips a late commit.
    txid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "event_id"], name="event_id_unique_per_tenant")]
        indexes = [
            models.Index(fields=["tenant", "txid", "id"], name="event_feed_idx"),
            models.Index(fields=["tenant", "type", "txid", "id"], name="event_feed_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.subject} {self.event_id}"


class Subscription(TenantOwned):
    """A subscriber to one event type in one municipality: an in-process handler or an external webhook."""

    class Kind(models.TextChoices):
        HANDLER = "handler", "in-process handler"
        WEBHOOK = "webhook", "HTTPS webhook"

    event_type = models.CharField("イベント種別", max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    target = models.CharField("宛先", max_length=500, help_text="handler name, or the webhook URL")
    secret = models.CharField(max_length=100, blank=True, help_text="whsec_… (webhooks)")
    business = models.CharField("業務", max_length=64)
    client_id = models.CharField("クライアントID", max_length=100, blank=True)
    # Dead-letter policy: a delivery is given up (and kept for replay) after this many attempts or this long.
    max_attempts = models.PositiveIntegerField(default=30)
    max_age_seconds = models.PositiveIntegerField(default=3 * 24 * 3600)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "event_type", "active"], name="subscription_type_idx")]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.target}"


class Delivery(TenantOwned):
    class Status(models.TextChoices):
        PENDING = "pending"
        DELIVERED = "delivered"
        DEAD = "dead"

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, db_constraint=False, related_name="+")
    subject = models.CharField(max_length=100)  # copied from the event, for the per-subject order
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "status", "subscription", "subject", "event"], name="delivery_head_idx"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.id} ({self.status})"


class Wakeup(models.Model):
    """Which tenants have deliveries due (no personal data: a tenant code and a time). Lets one dispatcher serve
    every tenant without reading any tenant's tables outside that tenant's context. Insert-only on publish."""

    tenant_id = models.CharField(max_length=6, db_index=True)
    due_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.tenant_id} at {self.due_at}"


class ChannelMessage(TenantOwned):
    """An event addressed to another municipality (e.g. a move-out from A announcing the arrival at B, as
    住基ネット carries today). Written in the sender's tenant; the dispatcher publishes it into the receiver's
    outbox (its ``event_id`` is the message id, so a repeated hand-over is a no-op) and marks it delivered, in one
    transaction. This is the only path between tenants; it is audited at both ends."""

    message_id = models.UUIDField(default=uuid.uuid4)
    to_tenant = models.CharField("宛先団体", max_length=6)
    type = models.CharField("イベント種別", max_length=100)
    subject = models.CharField("対象", max_length=100)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "message_id"], name="channel_message_unique")]
        indexes = [models.Index(fields=["tenant", "delivered_at", "id"], name="channel_pending_idx")]

    def __str__(self) -> str:
        return f"{self.type} → {self.to_tenant}"
