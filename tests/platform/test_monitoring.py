"""Probes, metrics and logs: useful to operators, and free of personal data."""

import logging
from typing import Any

import pytest
from django.test import Client

from kiban.platform.events.models import Wakeup
from tests.conftest import sign_in


def test_healthz_and_readyz(db: None) -> None:
    assert Client().get("/healthz").json() == {"status": "ok"}
    ready = Client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "dispatcher": "ok"}


def test_readyz_fails_when_the_dispatcher_lags(db: None, settings: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    settings.KIBAN_READY_MAX_DISPATCH_LAG = 60
    Wakeup.objects.create(tenant_id="131016", due_at=timezone.now() - timedelta(minutes=5))
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["dispatcher"].startswith("lag 30")


def test_metrics_use_route_patterns_not_paths_or_personal_data(
    tenant_a: Any, make_staff: Any, make_resident: Any
) -> None:
    resident = make_resident(tenant_a, "ヤマダ", family_name="山田", given_name="花子")
    client = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    client.get(f"/staff/residents/{resident.id}/", {"purpose": "証明書交付"})
    body = Client().get("/metrics").content.decode()
    assert 'route="/staff/residents/<int:resident_id>/"' in body
    assert "kiban_event_dispatch_lag_seconds" in body
    assert 'kiban_procedures_total{business="residents",kind="move_in_from_abroad"}' in body  # make_resident
    for personal in ("山田", "花子", "ヤマダ", f"/staff/residents/{resident.id}/"):
        assert personal not in body


def test_logs_are_json_with_request_id_and_no_personal_data(
    tenant_a: Any, make_staff: Any, make_resident: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import json

    from kiban.platform.monitoring.logs import JsonFormatter

    resident = make_resident(tenant_a, "ヤマダ", family_name="山田", given_name="花子", address="千代田区一番町9")
    client = sign_in(make_staff(tenant_a, "clerk", ["residents.clerk"]))
    caplog.set_level(logging.DEBUG)
    client.get(f"/staff/residents/{resident.id}/", {"purpose": "証明書交付"}, HTTP_X_REQUEST_ID="req-logs-0001")
    client.get("/staff/residents/99999999/", {"purpose": "x"})  # a 404 is logged as a warning
    formatted = [JsonFormatter().format(r) for r in caplog.records]
    assert formatted, "nothing was logged"
    for line in formatted:
        entry = json.loads(line)
        assert {"time", "level", "logger", "message", "request_id", "tenant"} <= set(entry)
        for personal in ("山田", "花子", "ヤマダ", "一番町"):
            assert personal not in line


def test_metrics_show_the_database_connections_of_the_application_role(db: None) -> None:
    from tests.conftest import ON_POSTGRES

    body = Client().get("/metrics").content.decode()
    if ON_POSTGRES:
        assert 'kiban_db_connections{state="active"} 1.0' in body  # this very scrape
        assert "kiban_db_max_connections" in body
    assert "kiban_event_deliveries_total" in body or "kiban_event_dispatch_lag_seconds" in body


def test_a_procedure_is_counted_once_committed_not_when_rolled_back(
    tenant_a: Any, make_resident: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The counter's 仮登録 runs a procedure's checks and rolls them back: that is not a procedure recorded."""
    import datetime

    from django.db import transaction

    from kiban.apps.residents import services
    from kiban.platform.monitoring.metrics import PROCEDURES
    from kiban.platform.tenants.context import tenant_context

    resident = make_resident(tenant_a, "ヤマダ")
    moves = PROCEDURES.labels("residents", "move_within")
    before = moves._value.get()

    class RolledBack(Exception):
        pass

    def move(request_id: str) -> None:
        services.move_within(
            services.Notification(request_id, datetime.date(2024, 1, 1), datetime.date(2024, 1, 1)),
            resident_ids=[resident.id],
            address=services.AddressData("千代田区2番"),
        )

    with tenant_context(tenant_a.code):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            with pytest.raises(RolledBack), transaction.atomic():
                move("dry")
                raise RolledBack
        assert callbacks == [] and moves._value.get() == before
        with django_capture_on_commit_callbacks(execute=True):
            move("real")
    assert moves._value.get() == before + 1
