"""bench/events: events per second from commit to delivered, and latency p50/p99, on PostgreSQL.

One in-process subscriber and one webhook subscriber (HTTP on loopback, signature verified) receive every event.
The dispatcher runs as its own process (as `kiban dispatcher` does in production), polling every 10 ms; its
in-process subscriber writes receive times to a file. The producer and the webhook receiver are this process.
Baseline, measured in the same run: the raw INSERT rate of the outbox table (psycopg, one row per transaction,
as the application role with the tenant setting), i.e. the ceiling for "one procedure, one event".

    .venv/bin/python bench/events/run.py [--events 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kiban_bench_events")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
os.environ["KIBAN_WEBHOOKS_ALLOW_HTTP"] = "1"

import django

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from kiban.platform.events import handlers, types  # noqa: E402
from kiban.platform.events.receiver import WebhookVerifier  # noqa: E402
from kiban.platform.events.services import publish, subscribe  # noqa: E402
from kiban.platform.tenants.context import tenant_context  # noqa: E402
from kiban.platform.tenants.models import Tenant  # noqa: E402
from kiban.platform.tenants.services import provision  # noqa: E402

TENANT = "131016"
DISPATCHER_PROCESS = """
import os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiban.settings")
django.setup()
from kiban.platform.events import handlers, types
from kiban.platform.events.dispatcher import Dispatcher
types.register(types.EventType("{event_type}", frozenset({{"bench"}})))
out = open("{path}", "a", buffering=1)
handlers.register("bench.recorder", lambda e: out.write(e["id"] + " " + repr(time.time()) + "\\n"))
Dispatcher(batch_size=1000).run_forever(idle_sleep=0.01)
"""


def read_received(path: Path) -> dict[str, float]:
    got: dict[str, float] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            event_id, _, at = line.partition(" ")
            if at:
                got.setdefault(event_id, float(at))
    return got


EVENT_TYPE = "bench.resident.changed"


def reset_database() -> None:
    owner = settings.DATABASES["owner"]
    with psycopg.connect(host=owner["HOST"] or "127.0.0.1", port=owner["PORT"] or 5432, user=owner["USER"],
                         dbname="postgres", autocommit=True) as conn:  # fmt: skip
        conn.execute(f'DROP DATABASE IF EXISTS "{owner["NAME"]}" WITH (FORCE)')
    call_command("setup", verbosity=0)


def raw_insert_rate(n: int) -> float:
    app = settings.DATABASES["default"]
    with psycopg.connect(host=app["HOST"] or "127.0.0.1", port=app["PORT"] or 5432, user=app["USER"],
                         dbname=app["NAME"], autocommit=False) as conn:  # fmt: skip
        started = time.perf_counter()
        for i in range(n):
            with conn.transaction():
                conn.execute("SELECT set_config('kiban.tenant_id', %s, true)", [TENANT])
                conn.execute(
                    """INSERT INTO events_event (tenant_id, event_id, type, subject, occurred_at, data, txid)
                       VALUES (%s, %s, 'bench.raw', %s, now(), %s, pg_current_xact_id()::text::bigint)""",
                    [TENANT, uuid.uuid4(), f"resident/{i % 100}", json.dumps({"n": i})],
                )
        return n / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    n = args.events

    reset_database()
    types.register(types.EventType(EVENT_TYPE, frozenset({"bench"})))
    if not Tenant.objects.filter(code=TENANT).exists():
        provision(TENANT)

    committed: dict[str, float] = {}
    in_process: dict[str, float] = {}
    webhook: dict[str, float] = {}
    handlers.register("bench.recorder", lambda e: None)  # registered here for subscribe(); runs in the dispatcher

    secret_holder: dict[str, str] = {}

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            event = WebhookVerifier(secret_holder["s"]).verify(dict(self.headers), body)
            webhook.setdefault(event["id"], time.time())
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tenant_context(TENANT):
        subscribe(EVENT_TYPE, business="bench", handler="bench.recorder")
        secret_holder["s"] = subscribe(
            EVENT_TYPE, business="bench", url=f"http://127.0.0.1:{server.server_port}/"
        ).secret

    connections.close_all()
    received_file = Path(tempfile.mkdtemp()) / "in-process.txt"
    dispatcher = subprocess.Popen(
        [sys.executable, "-c", DISPATCHER_PROCESS.format(path=str(received_file), event_type=EVENT_TYPE)],
        env=os.environ.copy(),
    )

    started_wall = time.time()
    started = time.perf_counter()
    for i in range(n):
        with tenant_context(TENANT):
            event = publish(EVENT_TYPE, f"resident/{i % 100}", {"n": i})
        committed[str(event.event_id)] = time.time()
    published = time.perf_counter()
    while time.perf_counter() - published < 300:
        in_process = read_received(received_file)
        if len(in_process) >= n and len(webhook) >= n:
            break
        time.sleep(0.05)
    finished = max([*in_process.values(), *webhook.values()])
    dispatcher.terminate()
    dispatcher.wait(timeout=30)
    server.shutdown()

    delivered = min(len(in_process), len(webhook))
    rate = delivered / (finished - started_wall)
    lat = {
        name: sorted(got[k] - committed[k] for k in committed if k in got)
        for name, got in (("in-process", in_process), ("webhook", webhook))
    }
    baseline = raw_insert_rate(n)
    print(f"events published: {n}; delivered to both subscribers: {delivered}")
    print(f"publish rate (commit, with fan-out):   {n / (published - started):8.0f} events/s")
    print(f"commit -> delivered to both:           {rate:8.0f} events/s")
    for name, values in lat.items():
        p50 = statistics.median(values) * 1000
        p99 = values[int(len(values) * 0.99) - 1] * 1000
        print(f"latency {name:<11} p50 {p50:8.1f} ms   p99 {p99:8.1f} ms")
    print(f"baseline: raw INSERT into the outbox, one row per transaction: {baseline:8.0f} rows/s")
    print(f"ratio delivered/baseline: {rate / baseline:.3f}")


if __name__ == "__main__":
    main()
