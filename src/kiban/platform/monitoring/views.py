"""``/healthz`` (the process is alive), ``/readyz`` (it can serve), ``/metrics`` (Prometheus)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest

from kiban.platform.events.models import Wakeup

DISPATCH_LAG = Gauge("kiban_event_dispatch_lag_seconds", "Age of the oldest delivery due and not yet attempted")
DB_CONNECTIONS = Gauge(
    "kiban_db_connections", "Connections of the application's database role, by state (pg_stat_activity)", ["state"]
)
DB_MAX_CONNECTIONS = Gauge("kiban_db_max_connections", "The database server's max_connections")


def dispatch_lag_seconds() -> float:
    oldest = Wakeup.objects.order_by("due_at").values_list("due_at", flat=True).first()
    if oldest is None:
        return 0.0
    return max((timezone.now() - oldest).total_seconds(), 0.0)


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        checks["migrations"] = "ok" if not plan else f"{len(plan)} not applied"
        lag = dispatch_lag_seconds()
        bound = timedelta(seconds=settings.KIBAN_READY_MAX_DISPATCH_LAG).total_seconds()
        checks["dispatcher"] = "ok" if lag <= bound else f"lag {lag:.0f} s over {bound:.0f} s"
    except Exception as exc:  # any failure means not ready; the reason is in the body (no personal data here)
        checks["error"] = type(exc).__name__
    ready = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


def _database_use() -> None:
    """How many connections the application role holds, by state, against the server's limit: pool use as the
    database sees it, whatever pools the processes keep (PostgreSQL only; a role sees its own sessions)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity "
            "WHERE usename = current_user AND datname = current_database() GROUP BY 1"
        )
        seen = dict(cursor.fetchall())
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'max_connections'")
        (limit,) = cursor.fetchone()
    for state in ("active", "idle", "idle in transaction", *seen):
        DB_CONNECTIONS.labels(state).set(seen.get(state, 0))
    DB_MAX_CONNECTIONS.set(limit)


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    DISPATCH_LAG.set(dispatch_lag_seconds())
    _database_use()
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
