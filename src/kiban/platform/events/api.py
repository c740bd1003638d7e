"""Linkage API: subscriptions (push) and the change feed (pull), per tenant and event type."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from kiban.platform.accounts.roles import TENANT_ADMIN
from kiban.platform.api.principals import acting_for_tenant
from kiban.platform.api.problems import Problem, not_found
from kiban.platform.audit.services import record

from . import selectors, services, types
from .envelope import envelope
from .models import Subscription

router = Router(tags=["linkage"])


class SubscriptionIn(Schema):
    business: str = Field(description="業務: the business the subscriber acts for, e.g. child_allowance")
    event_type: str
    url: str = Field(description="HTTPS endpoint receiving Standard Webhooks-signed POSTs")
    max_attempts: int = 30
    max_age_seconds: int = 3 * 24 * 3600


class SubscriptionOut(Schema):
    id: int
    business: str
    event_type: str
    target: str
    max_attempts: int
    max_age_seconds: int
    active: bool
    created_at: datetime


class SubscriptionCreated(SubscriptionOut):
    secret: str = Field(description="whsec_… signing secret; shown once")


class FeedParams(Schema):
    business: str = Field(description="業務 the reader acts for; only event types visible to it are returned")
    type: str | None = None
    cursor: str = ""
    limit: int = Field(default=100, ge=1, le=1000)


class EventOut(Schema):
    id: str
    type: str
    tenant: str
    subject: str
    occurred_at: str
    data: dict[str, Any]
    schema_version: str


class FeedPage(Schema):
    events: list[EventOut]
    next_cursor: str


def _subscriber_id(request: HttpRequest) -> str:
    return request.auth.ident  # type: ignore[attr-defined]


@router.post("/tenants/{code}/subscriptions", response={201: SubscriptionCreated})
def create_subscription(request: HttpRequest, code: str, body: SubscriptionIn) -> Status[Subscription]:
    scope = "events:subscribe"
    with acting_for_tenant(request, code, business=body.business, roles=(TENANT_ADMIN.code,), scope=scope):
        try:
            subscription = services.subscribe(
                body.event_type, business=body.business, url=body.url, client_id=_subscriber_id(request),
                max_attempts=body.max_attempts, max_age_seconds=body.max_age_seconds,
            )  # fmt: skip
        except services.InvalidSubscription as exc:
            raise Problem(422, "Invalid subscription", str(exc)) from None
        return Status(201, subscription)


@router.get("/tenants/{code}/subscriptions", response=list[SubscriptionOut])
def list_subscriptions(request: HttpRequest, code: str, business: str) -> list[Subscription]:
    with acting_for_tenant(request, code, business=business, roles=(TENANT_ADMIN.code,), scope="events:subscribe"):
        return list(Subscription.objects.filter(business=business, client_id=_subscriber_id(request)).order_by("id"))


@router.delete("/tenants/{code}/subscriptions/{subscription_id}", response={204: None})
def cancel_subscription(request: HttpRequest, code: str, subscription_id: int, business: str) -> Status[None]:
    with acting_for_tenant(request, code, business=business, roles=(TENANT_ADMIN.code,), scope="events:subscribe"):
        subscription = Subscription.objects.filter(
            id=subscription_id, business=business, client_id=_subscriber_id(request)
        ).first()
        if subscription is None:
            raise not_found("subscription")
        subscription.active = False
        subscription.save(update_fields=["active"])
        record("subscription.cancelled", "subscription", str(subscription.id))
        return Status(204, None)


@router.get("/tenants/{code}/events", response=FeedPage)
def change_feed(request: HttpRequest, code: str, params: Query[FeedParams]) -> dict[str, Any]:
    with acting_for_tenant(request, code, business=params.business, roles=(TENANT_ADMIN.code,), scope="events:read"):
        visible = [t.name for t in types.visible_to(params.business)]
        if params.type is not None:
            if params.type not in visible:
                raise Problem(422, "Invalid event type", f"{params.type!r} is not visible to {params.business}")
            visible = [params.type]
        try:
            events = selectors.changes_since(params.cursor, visible, params.limit)
        except selectors.InvalidCursor as exc:
            raise Problem(400, "Invalid cursor", str(exc)) from None
        if events:
            record("events.feed_read", "event-feed", selectors.make_cursor(events[-1]), purpose=params.business)
        next_cursor = selectors.make_cursor(events[-1]) if events else params.cursor
        return {"events": [envelope(e) for e in events], "next_cursor": next_cursor}
