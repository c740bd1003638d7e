"""Reliability on PostgreSQL: the dispatcher killed with SIGKILL in mid-batch loses nothing and keeps order."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from kiban.platform.events.models import Delivery
from kiban.platform.events.services import publish, subscribe
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.services import provision

from .conftest import CHANGED
from .test_webhooks import Receiver

pytestmark = pytest.mark.postgres


def _start_dispatcher() -> subprocess.Popen[bytes]:
    owner = settings.DATABASES["owner"]
    url = f"postgres://{owner['USER']}@{owner['HOST'] or '127.0.0.1'}:{owner['PORT'] or 5432}/{owner['NAME']}"
    env = os.environ | {"DATABASE_URL": url, "KIBAN_WEBHOOKS_ALLOW_HTTP": "1"}
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'kiban.settings'); django.setup();"
        "from kiban.platform.events import types;"
        f"types.register(types.EventType({CHANGED!r}, frozenset({{'child_allowance'}})));"
        "from kiban.platform.events.dispatcher import Dispatcher; Dispatcher(batch_size=20).run_forever(0.05)"
    )
    return subprocess.Popen([sys.executable, "-c", code], env=env)


def _pending() -> int:
    with tenant_context("131016"):
        return Delivery.objects.filter(status="pending").count()


def test_kill_9_in_mid_batch_loses_nothing_and_keeps_order(committed_db: None, settings: Any) -> None:
    settings.KIBAN_WEBHOOKS_ALLOW_HTTP = True
    receiver = Receiver()
    received_calls: list[str] = []
    original = receiver.seen.add_if_new

    def slow_add(event_id: str) -> bool:
        received_calls.append(event_id)
        time.sleep(0.01)  # a slow subscriber, so the kill lands while a batch is in flight
        return original(event_id)

    receiver.seen.add_if_new = slow_add  # type: ignore[method-assign]
    provision("131016")
    with tenant_context("131016"):
        receiver.secret = subscribe(CHANGED, business="child_allowance", url=receiver.url).secret
    total = 300
    for i in range(total):
        with tenant_context("131016"):
            publish(CHANGED, f"resident/{i % 10}", {"n": i})
    for c in connections.all():
        c.close()

    kills = 0
    deadline = time.monotonic() + 120
    while _pending() and time.monotonic() < deadline:
        process = _start_dispatcher()
        time.sleep(0.6)
        if kills < 3 and _pending():
            process.send_signal(signal.SIGKILL)
            kills += 1
        else:
            while _pending() and time.monotonic() < deadline:
                time.sleep(0.2)
            process.terminate()
        process.wait(timeout=30)
    receiver.server.shutdown()

    assert kills >= 1, "the dispatcher finished before it could be killed; make the batch slower"
    assert _pending() == 0
    got = [e["data"]["n"] for e in receiver.processed]
    assert sorted(got) == list(range(total))  # nothing lost, each processed once (idempotent receiver)
    for subject in range(10):
        ns = [e["data"]["n"] for e in receiver.processed if e["subject"] == f"resident/{subject}"]
        assert ns == sorted(ns), f"out of order for resident/{subject}"
    repeats = len(received_calls) - total
    print(f"\nkilled {kills} times; {len(received_calls)} calls for {total} events ({repeats} repeats)")
