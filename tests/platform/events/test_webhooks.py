"""Webhooks: signed per Standard Webhooks, delivered over real HTTP on loopback, verified by the receiver helper."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.events.models import Delivery, Subscription
from kiban.platform.events.receiver import InvalidWebhook, SeenIds, WebhookVerifier
from kiban.platform.events.services import publish, subscribe
from kiban.platform.events.signing import headers, new_secret
from kiban.platform.tenants.context import tenant_context

from .conftest import CHANGED
from .test_outbox import FakeClock


class Receiver:
    """A vendor's system on loopback: verifies every call, processes each event id once."""

    def __init__(self) -> None:
        self.secret = ""
        self.up = True
        self.processed: list[dict[str, Any]] = []
        self.rejected = 0
        self.seen = SeenIds()
        self.now = time.time
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                if not receiver.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    event = WebhookVerifier(receiver.secret, now=receiver.now).verify(dict(self.headers), body)
                except InvalidWebhook:
                    receiver.rejected += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                if receiver.seen.add_if_new(event["id"]):
                    receiver.processed.append(event)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/kiban-events"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    settings.KIBAN_WEBHOOKS_ALLOW_HTTP = True  # loopback only
    r = Receiver()
    yield r
    r.server.shutdown()


def _subscribe(tenant: Any, receiver: Receiver) -> Subscription:
    with tenant_context(tenant.code):
        subscription = subscribe(CHANGED, business="child_allowance", url=receiver.url)
    receiver.secret = subscription.secret
    return subscription


def test_webhooks_arrive_signed_and_in_order(tenant_a: Any, receiver: Receiver) -> None:
    _subscribe(tenant_a, receiver)
    with tenant_context(tenant_a.code):
        for i in range(5):
            publish(CHANGED, "resident/7", {"n": i})
    assert Dispatcher().run_once() == 5
    assert [e["data"]["n"] for e in receiver.processed] == [0, 1, 2, 3, 4]
    assert receiver.rejected == 0


def test_a_receiver_down_for_ten_minutes_gets_every_event_afterwards(tenant_a: Any, receiver: Receiver) -> None:
    _subscribe(tenant_a, receiver)
    with tenant_context(tenant_a.code):
        publish(CHANGED, "resident/0", {"n": -1})
    clock = FakeClock()
    receiver.now = lambda: clock().timestamp()
    dispatcher = Dispatcher(now=clock)
    receiver.up = False
    published = 0
    for _ in range(60):  # ten minutes of simulated time, events arriving all along, the dispatcher polling
        with tenant_context(tenant_a.code):
            publish(CHANGED, f"resident/{published % 7}", {"n": published})
        published += 1
        clock.advance(seconds=10)
        dispatcher.run_once()
    assert receiver.processed == []
    receiver.up = True
    for _ in range(200):
        clock.advance(seconds=60)
        dispatcher.run_once()
        with tenant_context(tenant_a.code):
            if not Delivery.objects.filter(status="pending").exists():
                break
    got = [e["data"]["n"] for e in receiver.processed]
    assert sorted(got) == list(range(-1, published))  # every event, exactly once at the receiver
    for subject in {e["subject"] for e in receiver.processed}:
        ns = [e["data"]["n"] for e in receiver.processed if e["subject"] == subject]
        assert ns == sorted(ns)  # in order per subject
    with tenant_context(tenant_a.code):
        assert not Delivery.objects.filter(status="dead").exists()


def test_the_receiver_rejects_forged_and_replayed_calls() -> None:
    secret = new_secret()
    body = json.dumps({"id": "evt-1", "type": CHANGED}).encode()
    now = 1_800_000_000
    verifier = WebhookVerifier(secret, now=lambda: now)
    good = headers(secret, "evt-1", now, body)
    assert verifier.verify(good, body)["id"] == "evt-1"
    with pytest.raises(InvalidWebhook, match="no valid signature"):
        verifier.verify(headers(new_secret(), "evt-1", now, body), body)  # signed with another secret
    with pytest.raises(InvalidWebhook, match="no valid signature"):
        verifier.verify(good, body.replace(b"evt-1", b"evt-2"))  # body changed
    with pytest.raises(InvalidWebhook, match="outside the tolerance"):
        WebhookVerifier(secret, now=lambda: now + 301).verify(good, body)  # replayed 5 minutes later
    with pytest.raises(InvalidWebhook, match="no valid signature"):
        verifier.verify(good | {"webhook-timestamp": str(now + 10)}, body)  # timestamp moved
    with pytest.raises(InvalidWebhook, match="missing or malformed"):
        verifier.verify({"webhook-id": "evt-1"}, body)
    rotated = good | {"webhook-signature": "v1,AAAA " + good["webhook-signature"]}
    assert verifier.verify(rotated, body)["id"] == "evt-1"  # several signatures during key rotation


def test_consumers_are_idempotent_by_event_id() -> None:
    seen = SeenIds()
    assert seen.add_if_new("a") and not seen.add_if_new("a") and seen.add_if_new("b")
