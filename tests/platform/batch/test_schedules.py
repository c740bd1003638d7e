"""Schedules (スケジュール管理による起動, 住民記録システム標準仕様書 9.1): added, changed and disabled with clear errors
for impossible ones; each due schedule taken exactly once, even by two runners at the same moment (east and west)."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from typing import Any

import pytest
from django.db import connections

from kiban.platform.batch import services
from kiban.platform.batch.models import Run, Schedule
from kiban.platform.batch.timing import JST
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.services import provision
from tests.conftest import CODE_A, CODE_B

from .conftest import CALLS

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=JST)


def monthly_end(**extra: Any) -> Schedule:
    return services.save_schedule(
        "tests.echo", kind="month_end", at_time=time(2, 0), parameters={"count": "2"}, now=NOW, **extra
    )


def test_a_schedule_is_saved_with_its_next_due_time(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
        assert schedule.next_due_at == datetime(2026, 3, 31, 2, tzinfo=JST)
        assert schedule.parameters["count"] == "2" and schedule.parameters["mode"] == "ok"  # defaults filled in
        assert schedule.describe() == "毎月末 02:00"


@pytest.mark.parametrize(
    ("fields", "bad"),
    [
        ({"kind": "hourly"}, "kind"),
        ({"kind": "once"}, "on_date"),
        ({"kind": "once", "on_date": date(2026, 3, 1)}, "on_date"),  # in the past
        ({"kind": "weekly"}, "weekday"),
        ({"kind": "weekly", "weekday": 7}, "weekday"),
        ({"kind": "monthly", "day": 0}, "day"),
        ({"kind": "monthly", "day": 32}, "day"),
        ({"kind": "daily", "parameters": {"count": "x"}}, "param-count"),
    ],
)
def test_impossible_schedules_are_refused_and_nothing_is_written(
    tenant_a: Any, fields: dict[str, Any], bad: str
) -> None:
    values = {"at_time": time(2, 0), "parameters": {}, "now": NOW} | fields
    with tenant_context(CODE_A):
        with pytest.raises(services.ScheduleError) as refused:
            services.save_schedule("tests.echo", **values)
        assert list(refused.value.problems) == [bad]
        assert not Schedule.objects.exists()


def test_a_due_schedule_runs_once_with_its_parameters_and_moves_on(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
    assert services.run_due(NOW, tenants=[CODE_A]) == []  # not due yet
    due = datetime(2026, 3, 31, 2, 0, 30, tzinfo=JST)
    [run] = services.run_due(due, tenants=[CODE_A])
    assert run.trigger == Run.Trigger.SCHEDULE and run.schedule_id == schedule.id
    assert run.status == Run.Status.SUCCEEDED and run.parameters["count"] == "2"
    assert run.due_at == datetime(2026, 3, 31, 2, tzinfo=JST) and CALLS[-1]["on"] == date(2026, 3, 31)
    assert services.run_due(due, tenants=[CODE_A]) == []  # taken once
    with tenant_context(CODE_A):
        assert Schedule.objects.get(id=schedule.id).next_due_at == datetime(2026, 4, 30, 2, tzinfo=JST)


def test_a_runner_that_was_down_runs_a_missed_schedule_once_not_once_per_missed_day(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        services.save_schedule("tests.echo", kind="daily", at_time=time(2, 0), parameters={}, now=NOW)
    later = datetime(2026, 4, 3, 9, 0, tzinfo=JST)
    assert len(services.run_due(later, tenants=[CODE_A])) == 1
    assert services.run_due(later, tenants=[CODE_A]) == []


def test_a_changed_schedule_runs_with_its_new_values_and_the_change_is_marked(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
    services.run_due(datetime(2026, 3, 31, 2, 1, tzinfo=JST), tenants=[CODE_A])
    with tenant_context(CODE_A):
        changed = services.save_schedule(
            "tests.echo", kind="monthly", day=31, at_time=time(3, 0), parameters={"count": "6"},
            schedule_id=schedule.id, now=datetime(2026, 3, 31, 3, tzinfo=JST),
        )  # fmt: skip
    assert changed.next_due_at == datetime(2026, 4, 30, 3, tzinfo=JST)  # day 31 in April: its last day
    [run] = services.run_due(datetime(2026, 4, 30, 3, 0, 5, tzinfo=JST), tenants=[CODE_A])
    assert run.changed_parameters == ["count"] and run.parameters["count"] == "6"


def test_a_disabled_schedule_does_not_run_until_enabled_again(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
        disabled = services.set_enabled(schedule.id, False, now=NOW)
        assert disabled.next_due_at is None
    assert services.run_due(datetime(2026, 3, 31, 2, 1, tzinfo=JST), tenants=[CODE_A]) == []
    with tenant_context(CODE_A):
        assert services.set_enabled(schedule.id, True, now=NOW).next_due_at == datetime(2026, 3, 31, 2, tzinfo=JST)


def test_a_schedule_of_a_job_no_longer_declared_ends_abnormally(tenant_a: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
        Schedule.objects.filter(id=schedule.id).update(job="tests.gone")
    [run] = services.run_due(datetime(2026, 3, 31, 2, 1, tzinfo=JST), tenants=[CODE_A])
    assert run.status == Run.Status.FAILED and run.error_code == "LookupError"


def test_another_municipality_neither_sees_nor_runs_the_schedules(tenant_a: Any, tenant_b: Any) -> None:
    with tenant_context(CODE_A):
        schedule = monthly_end()
    with tenant_context(CODE_B):
        assert not Schedule.objects.exists()
        with pytest.raises(Schedule.DoesNotExist):
            services.set_enabled(schedule.id, False)
    assert services.run_due(datetime(2026, 3, 31, 2, 1, tzinfo=JST), tenants=[CODE_B]) == []


@pytest.mark.postgres
def test_two_runners_at_the_same_moment_take_each_due_schedule_and_queued_run_exactly_once(committed_db: None) -> None:
    provision(CODE_A)
    with tenant_context(CODE_A):
        for _ in range(3):
            services.save_schedule("tests.echo", kind="daily", at_time=time(2, 0), parameters={"mode": "slow"}, now=NOW)
        for _ in range(3):
            services.request_run("tests.echo", {"mode": "slow"})
    due = datetime(2026, 3, 31, 2, 0, 1, tzinfo=JST)
    start = threading.Barrier(2)
    ended: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def runner(name: str) -> None:
        try:
            start.wait()
            ended[name] = [r.id for r in services.run_due(due, tenants=[CODE_A])]
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(name,)) for name in ("east", "west")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(CALLS) == 6  # three schedules, three queued runs: each run once
    assert sorted(ended["east"] + ended["west"]) == sorted(set(ended["east"] + ended["west"]))
    assert ended["east"] and ended["west"]  # the work was shared
    with tenant_context(CODE_A):
        assert Run.objects.filter(status=Run.Status.SUCCEEDED).count() == 6
        assert Run.objects.count() == 6
