"""The outbox: an event exists if and only if the change it reports commits."""

from typing import Any

import pytest
from django.db import transaction

from kiban.platform.events.dispatcher import Dispatcher, backoff
from kiban.platform.events.models import Delivery, Event, Subscription
from kiban.platform.events.services import InvalidSubscription, publish, replay, subscribe
from kiban.platform.tenants.context import tenant_context

from .conftest import CARD, CHANGED


def test_an_event_commits_with_its_change(tenant_a: Any, make_resident: Any) -> None:
    with tenant_context(tenant_a.code):
        publish(CHANGED, "resident/1", {"resident_id": 1})
        assert Event.objects.count() == 1


def test_an_event_is_rolled_back_with_its_change(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code):
        with pytest.raises(RuntimeError), transaction.atomic():
            publish(CHANGED, "resident/1", {"resident_id": 1})
            raise RuntimeError("the procedure failed after publishing")
        assert Event.objects.count() == 0


def test_unknown_event_types_cannot_be_published(tenant_a: Any) -> None:
    with tenant_context(tenant_a.code), pytest.raises(LookupError, match="unknown event type"):
        publish("residents.nothing", "resident/1", {})


def test_in_process_delivery_in_order_per_subject(tenant_a: Any, received: list[dict[str, Any]]) -> None:
    with tenant_context(tenant_a.code):
        subscribe(CHANGED, business="child_allowance", handler="test.recorder")
        for i in range(3):
            publish(CHANGED, "resident/1", {"n": i})
            publish(CHANGED, "resident/2", {"n": i})
    assert Dispatcher().run_once() == 6
    for subject in ("resident/1", "resident/2"):
        assert [e["data"]["n"] for e in received if e["subject"] == subject] == [0, 1, 2]
    assert {e["tenant"] for e in received} == {tenant_a.code}
    assert Dispatcher().run_once() == 0  # nothing twice


def test_a_failing_subscriber_is_retried_with_backoff_and_later_events_wait(
    tenant_a: Any, received: list[dict[str, Any]]
) -> None:
    with tenant_context(tenant_a.code):
        subscribe(CHANGED, business="child_allowance", handler="test.recorder")
        publish(CHANGED, "resident/1", {"n": 0})
        publish(CHANGED, "resident/1", {"n": 1})
    clock = FakeClock()
    received.handler.fail = True  # type: ignore[attr-defined]
    dispatcher = Dispatcher(now=clock)
    dispatcher.run_once()
    with tenant_context(tenant_a.code):
        first, second = Delivery.objects.order_by("event_id")
        assert (first.attempts, first.status) == (1, "pending") and second.attempts == 0  # in order: 2nd waits
        assert first.next_attempt_at == clock() + backoff(1)
    dispatcher.run_once()  # not due yet
    with tenant_context(tenant_a.code):
        assert Delivery.objects.get(id=first.id).attempts == 1
    received.handler.fail = False  # type: ignore[attr-defined]
    clock.advance(seconds=5)
    dispatcher.run_once()
    assert [e["data"]["n"] for e in received] == [0, 1]


def test_dead_letter_after_the_policy_and_replay(tenant_a: Any, received: list[dict[str, Any]]) -> None:
    with tenant_context(tenant_a.code):
        subscribe(CHANGED, business="child_allowance", handler="test.recorder", max_attempts=3)
        publish(CHANGED, "resident/1", {"n": 0})
        publish(CHANGED, "resident/1", {"n": 1})
    clock = FakeClock()
    received.handler.fail = True  # type: ignore[attr-defined]
    dispatcher = Dispatcher(now=clock)
    for _ in range(3):
        dispatcher.run_once()
        clock.advance(seconds=3600)
    with tenant_context(tenant_a.code):
        dead = Delivery.objects.get(status="dead")
        assert dead.attempts == 3 and "subscriber is down" in dead.last_error
    received.handler.fail = False  # type: ignore[attr-defined]
    dispatcher.run_once()  # the next event of the subject is no longer held behind the dead letter
    assert [e["data"]["n"] for e in received] == [1]
    with tenant_context(tenant_a.code):
        replay(dead.id)
        with pytest.raises(ValueError, match="not a dead letter"):
            replay(dead.id)
    dispatcher.run_once()
    assert [e["data"]["n"] for e in received] == [1, 0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"business": "child_allowance", "handler": "test.recorder", "event_type": CARD}, "may not receive"),
        ({"business": "residents", "handler": "no.such.handler", "event_type": CHANGED}, "no in-process handler"),
        ({"business": "residents", "url": "http://vendor.example/hook", "event_type": CHANGED}, "must be https"),
        ({"business": "residents", "url": "ftp://x/y", "event_type": CHANGED}, "must be https"),
        ({"business": "residents", "event_type": CHANGED}, "either a handler name or a webhook URL"),
        ({"business": "residents", "event_type": "residents.nope", "handler": "test.recorder"}, "unknown event type"),
        ({"business": "residents", "event_type": CHANGED, "url": "https://x/y", "max_attempts": 0}, "dead-letter"),
    ],
)
def test_bad_subscriptions_are_refused_and_nothing_is_written(
    tenant_a: Any, received: list[dict[str, Any]], kwargs: dict[str, Any], message: str
) -> None:
    event_type = kwargs.pop("event_type")
    with tenant_context(tenant_a.code):
        with pytest.raises((InvalidSubscription, LookupError), match=message):
            subscribe(event_type, **kwargs)
        assert Subscription.objects.count() == 0


class FakeClock:
    def __init__(self) -> None:
        from django.utils import timezone

        self.t = timezone.now()

    def __call__(self) -> Any:
        return self.t

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.t += timedelta(seconds=seconds)
