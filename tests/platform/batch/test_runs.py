"""Runs of a batch job (住民記録システム標準仕様書 9.1 バッチ処理): started directly or queued, starting from the
previous run's parameters with the changed ones recorded, every end recorded (host, duration, status, error code),
an abnormal end alerted (metric, log line, signed webhook), an ended run never changed, bad parameters refused
before anything is written, and one municipality's runs invisible to another."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from prometheus_client import REGISTRY

from kiban.platform.batch import registry, services
from kiban.platform.batch.alerts import RUN_FAILED_TYPE
from kiban.platform.batch.models import Run
from kiban.platform.events import signing
from kiban.platform.events.dispatcher import Dispatcher
from kiban.platform.events.models import Event
from kiban.platform.events.services import subscribe
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, CODE_B

from .conftest import CALLS


def failures(job: str = "tests.echo") -> float:
    return REGISTRY.get_sample_value("kiban_batch_runs_total", {"job": job, "status": "failed"}) or 0.0


def output(code: str = CODE_A) -> list[str]:
    root = Path(settings.KIBAN_BATCH_DIR) / code
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_direct_start_is_recorded_with_host_duration_and_summary(tenant_a: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {"count": "5", "on": "2026-03-31"})
    assert run.status == Run.Status.SUCCEEDED and run.trigger == Run.Trigger.MANUAL
    assert run.summary == "echo-2026-03-31.txt: 5" and run.error_code == ""
    assert run.host and run.pid and run.duration_ms is not None and run.started_at <= run.ended_at
    assert run.parameters == {"count": "5", "on": "2026-03-31", "directory": "out", "mode": "ok", "note": ""}
    assert run.previous_run_id is None and run.changed_parameters == []
    assert output() == ["out/echo-2026-03-31.txt"]


def test_the_next_run_starts_from_the_previous_parameters_and_marks_the_changed_ones(tenant_a: Any) -> None:
    job = registry.get("tests.echo")
    first = services.start_direct(CODE_A, "tests.echo", {"count": "7", "note": "月次"})
    with tenant_context(CODE_A):
        given = services.previous_parameters(job)
    assert given["count"] == "7" and given["note"] == "月次"
    second = services.start_direct(CODE_A, "tests.echo", given | {"count": "8"})
    assert second.previous_run_id == first.id and second.changed_parameters == ["count"]
    third = services.start_direct(CODE_A, "tests.echo", given | {"count": "8"})
    assert third.changed_parameters == []


def test_date_parameters_may_name_a_day_relative_to_the_run(tenant_a: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {"on": "previous_month_end"})
    assert run.status == Run.Status.SUCCEEDED
    resolved = CALLS[-1]["on"]
    assert resolved.day != 1 and (resolved.replace(day=1) == resolved.replace(day=1))  # a month's last day
    assert run.parameters["on"] == "previous_month_end"  # recorded as given: the next run resolves it anew


@pytest.mark.parametrize(
    ("given", "bad"),
    [
        ({"count": "many"}, "count"), ({"count": "0"}, "count"), ({"count": "101"}, "count"),
        ({"on": "2026-02-30"}, "on"), ({"directory": "../etc"}, "directory"), ({"directory": "/tmp"}, "directory"),
        ({"mode": "explode"}, "mode"), ({"colour": "red"}, "colour"), ({"directory": ""}, "directory"),
    ],
)  # fmt: skip
def test_bad_parameters_are_refused_clearly_and_nothing_is_written(
    tenant_a: Any, given: dict[str, str], bad: str
) -> None:
    with pytest.raises(registry.ParameterError) as refused:
        services.start_direct(CODE_A, "tests.echo", given)
    assert list(refused.value.problems) == [bad] and refused.value.problems[bad][0]  # a Japanese message
    with pytest.raises(registry.ParameterError), tenant_context(CODE_A):
        services.request_run("tests.echo", given)
    with tenant_context(CODE_A):
        assert not Run.objects.exists()
    assert CALLS == [] and output() == []


def test_a_failing_job_is_recorded_as_ended_abnormally_with_its_error_code_and_alerted(
    tenant_a: Any, caplog: pytest.LogCaptureFixture
) -> None:
    before = failures()
    with caplog.at_level(logging.ERROR, logger="kiban.batch"):
        run = services.start_direct(CODE_A, "tests.echo", {"mode": "fail"})
    assert run.status == Run.Status.FAILED and run.error_code == "RuntimeError"
    assert run.error_message == "the job failed on purpose" and run.summary == "" and run.ended_at
    assert failures() == before + 1
    assert any(f"batch run {run.id} of tests.echo ended abnormally" in r.getMessage() for r in caplog.records)
    assert not any("on purpose" in r.getMessage() for r in caplog.records)  # the message stays on the run
    with tenant_context(CODE_A):
        event = Event.objects.get(type=RUN_FAILED_TYPE)
    assert event.subject == "batch/tests.echo"
    assert event.data["run_id"] == run.id and event.data["error_code"] == "RuntimeError"
    assert "on purpose" not in json.dumps(event.data)
    assert output() == []


def test_an_os_error_is_recorded_with_its_errno(tenant_a: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {"mode": "oserror"})
    assert run.status == Run.Status.FAILED
    assert run.error_code == "PermissionError errno 13 (Permission denied)"


@pytest.mark.postgres
def test_a_job_past_its_statement_timeout_ends_with_the_sqlstate(tenant_a: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {"mode": "sql"})
    assert run.status == Run.Status.FAILED
    assert run.error_code == "OperationalError SQLSTATE 57014"  # query_canceled: statement_timeout
    assert run.duration_ms is not None and 900 <= run.duration_ms < 3000


@pytest.mark.postgres
def test_the_job_runs_under_its_application_name_and_timeouts(tenant_a: Any, echo_job: registry.Job) -> None:
    seen: list[tuple[str, ...]] = []

    def look(ctx: registry.RunContext) -> str:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('application_name'), current_setting('statement_timeout'), "
                "current_setting('lock_timeout')"
            )
            seen.append(cursor.fetchone())
        return "looked"

    registry.register(registry.Job("tests.look", "確認", "Look", "tests", ("residents.supervisor",), look))
    assert services.start_direct(CODE_A, "tests.look", {}).status == Run.Status.SUCCEEDED
    assert seen == [("kiban-batch tests.look", "1h", "10s")]
    with connection.cursor() as cursor:  # back to the application's own once the job's transaction ended
        cursor.execute("SELECT current_setting('statement_timeout')")
        assert cursor.fetchone()[0] == "0"


def test_the_failure_alert_reaches_a_notification_system_as_a_signed_webhook(tenant_a: Any) -> None:
    posted: list[tuple[str, bytes, dict[str, str]]] = []

    def http_post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
        posted.append((url, body, headers))
        return 204

    with tenant_context(CODE_A):
        subscription = subscribe(RUN_FAILED_TYPE, business="tests", url="https://alerts.example.jp/kiban")
    run = services.start_direct(CODE_A, "tests.echo", {"mode": "fail"})
    Dispatcher(http_post=http_post).run_once()
    [(url, body, headers)] = posted
    assert url == "https://alerts.example.jp/kiban"
    signed = signing.sign(subscription.secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    assert headers["webhook-signature"] == signed
    envelope = json.loads(body)
    assert envelope["type"] == RUN_FAILED_TYPE and envelope["tenant"] == CODE_A
    assert envelope["data"]["run_id"] == run.id and envelope["data"]["error_code"] == "RuntimeError"


def test_a_successful_run_raises_no_alert(tenant_a: Any) -> None:
    before = failures()
    services.start_direct(CODE_A, "tests.echo", {})
    assert failures() == before
    with tenant_context(CODE_A):
        assert not Event.objects.filter(type=RUN_FAILED_TYPE).exists()


def test_an_ended_run_is_never_changed_or_deleted(tenant_a: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {})
    with tenant_context(CODE_A):
        for change in (lambda: Run.objects.filter(id=run.id).update(summary="forged"),
                       lambda: Run.objects.filter(id=run.id).delete()):  # fmt: skip
            with pytest.raises(DatabaseError), transaction.atomic():
                change()
        assert Run.objects.get(id=run.id).summary == run.summary


def test_a_queued_run_is_started_by_the_runner_and_may_change_until_it_ends(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        queued = services.request_run("tests.echo", {"count": "4"})
    assert queued.status == Run.Status.QUEUED and queued.started_at is None
    [run] = services.run_due(tenants=[CODE_A])
    assert run.id == queued.id and run.status == Run.Status.SUCCEEDED and run.summary.endswith(": 4")
    assert services.run_due(tenants=[CODE_A]) == []


def test_another_municipality_sees_none_of_the_runs(tenant_a: Any, tenant_b: Any) -> None:
    services.start_direct(CODE_A, "tests.echo", {"count": "9"})
    with tenant_context(CODE_B):
        assert not Run.objects.exists()
        assert services.previous_parameters(registry.get("tests.echo"))["count"] == "3"  # B's own default
    assert services.run_due(tenants=[CODE_B]) == []


@pytest.mark.postgres
def test_row_level_security_hides_the_runs_from_another_tenant_in_sql(tenant_a: Any, tenant_b: Any) -> None:
    services.start_direct(CODE_A, "tests.echo", {})
    with tenant_context(CODE_B), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM batch_run")
        assert cursor.fetchone()[0] == 0
    with tenant_context(CODE_A), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM batch_run")
        assert cursor.fetchone()[0] == 1


def test_a_table_is_written_as_csv_or_xlsx_and_nothing_else(tmp_path: Path, settings: Any) -> None:
    from openpyxl import load_workbook

    ctx = registry.RunContext("131016", 1, date(2026, 3, 31), {})
    rows = [["町字", "計"], ["千代田", "12"]]
    csv_file = ctx.write_table("out", "t", rows, "csv")
    assert csv_file.read_bytes() == "\ufeff町字,計\r\n千代田,12\r\n".encode()
    sheet = load_workbook(ctx.write_table("out", "t", rows, "xlsx")).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [["町字", "計"], ["千代田", 12]]
    with pytest.raises(ValueError):
        ctx.write_table("out", "t", rows, "pdf")
    assert sorted(p.name for p in csv_file.parent.iterdir()) == ["t.csv", "t.xlsx"]  # no partial file left


def test_a_run_left_running_by_a_dead_runner_process_is_ended_abnormally_and_alerted(tenant_a: Any) -> None:
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    before = failures()
    with tenant_context(CODE_A):
        orphan = services.request_run("tests.echo", {})
        Run.objects.filter(id=orphan.id).update(status="running", host=services.host_name(), pid=gone.pid)
        elsewhere = services.request_run("tests.echo", {})
        Run.objects.filter(id=elsewhere.id).update(status="running", host="west-1", pid=gone.pid)
    [reaped] = services.run_due(tenants=[CODE_A])
    assert reaped.id == orphan.id and reaped.status == Run.Status.FAILED and reaped.error_code == "Abandoned"
    assert failures() == before + 1
    with tenant_context(CODE_A):
        assert Run.objects.get(id=elsewhere.id).status == Run.Status.RUNNING  # another host's runner decides
        assert Event.objects.filter(type=RUN_FAILED_TYPE, data__run_id=orphan.id).exists()
