"""Starting, running and recording batch runs; keeping schedules (住民記録システム標準仕様書 9.1 バッチ処理, j1280).

A run goes through three transactions, each in the tenant's context:

1. it is *claimed*: a queued run (requested on the supervisors' page) or a due schedule is taken with
   ``SELECT … FOR UPDATE SKIP LOCKED`` and the run row marked running (a schedule's next due time moves on in the
   same transaction), so that two runners at the same time, in the east and the west centre, never take the same one;
2. the job runs, alone in its transaction (``sole=True``: other tenants' change feeds do not wait for it), with a
   ``statement_timeout``, a ``lock_timeout`` and the ``application_name`` ``kiban-batch`` so that operators see it in
   ``pg_stat_activity``; if it raises, its writes are rolled back;
3. the end is recorded: status, duration, summary or error code, and on an abnormal end the alert
   (``kiban.platform.batch.alerts``) in that same transaction.

A direct start from the command line (``kiban batch run``) skips the queue: the run is recorded as running at once.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime
from datetime import time as clock
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from kiban.platform.audit.actor import Actor, acting_as, actor_label
from kiban.platform.audit.services import record
from kiban.platform.tenants.context import tenant_context
from kiban.platform.tenants.models import Tenant

from . import alerts, registry, timing
from .models import Run, Schedule

LOCK_TIMEOUT_MS = 10_000  # a batch gives way: it waits at most this long for a lock online work holds
APPLICATION_NAME = "kiban-batch"


def host_name() -> str:
    return socket.gethostname()


def previous_run(job: str, *, before: int | None = None) -> Run | None:
    """The tenant's latest run of ``job`` (before run ``before``): the one whose parameters the next run starts from."""
    runs = Run.objects.filter(job=job)
    if before is not None:
        runs = runs.filter(id__lt=before)
    return runs.order_by("-id").first()


def previous_parameters(job: registry.Job) -> dict[str, str]:
    """The values the next run of ``job`` starts from: the previous run's, else the job's defaults (前回処理時に設定
    したパラメータが参照されること). A parameter added to the job since then takes its default."""
    last = previous_run(job.name)
    given = dict(job.defaults)
    if last is not None:
        given.update({k: v for k, v in last.parameters.items() if k in given})
    return given


def _new_run(job: registry.Job, given: Mapping[str, str], trigger: str, status: str, **fields: Any) -> Run:
    last = previous_run(job.name)
    return Run.objects.create(
        job=job.name, trigger=trigger, parameters=dict(given), status=status,
        changed_parameters=registry.changed(given, last.parameters if last else None),
        previous_run_id=last.id if last else None, requested_by=actor_label(), requested_at=timezone.now(), **fields,
    )  # fmt: skip


def request_run(job_name: str, given: Mapping[str, str]) -> Run:
    """Queue a run of ``job_name`` in the current tenant (the supervisors' 今すぐ実行): the runner starts it at its
    next pass, at low priority, outside the web server. Bad parameters raise ``ParameterError``; nothing is written."""
    job = registry.get(job_name)
    values = registry.validate(job, given)
    run = _new_run(job, values, Run.Trigger.MANUAL, Run.Status.QUEUED)
    record("batch.run.requested", "batch-run", str(run.id), purpose=job.name)
    return run


def start_direct(tenant_id: str, job_name: str, given: Mapping[str, str], *, who: str = "kiban batch run") -> Run:
    """Run ``job_name`` for the tenant now, in this process (``kiban batch run``); returns the ended run. Bad
    parameters raise ``ParameterError`` before anything is written."""
    job = registry.get(job_name)
    values = registry.validate(job, given)
    with acting_as(Actor("system", who)), tenant_context(tenant_id):
        run = _new_run(
            job, values, Run.Trigger.MANUAL, Run.Status.RUNNING, started_at=timezone.now(), host=host_name(),
            pid=os.getpid(),
        )  # fmt: skip
        record("batch.run.started", "batch-run", str(run.id), purpose=job.name)
    return execute(tenant_id, run.id)


def claim_next(tenant_id: str, now: datetime | None = None) -> int | None:
    """Take one queued run or one due schedule of the tenant and mark its run running; None when there is none.
    Rows another runner holds are skipped (``SKIP LOCKED``); a schedule it has just taken is no longer due when this
    one looks (its next due time moved on in the same transaction)."""
    now = now or timezone.now()
    started: dict[str, Any] = {"started_at": timezone.now(), "host": host_name(), "pid": os.getpid()}
    with acting_as(Actor("system", "kiban batch run-due")), tenant_context(tenant_id):
        queued = Run.objects.select_for_update(skip_locked=True).filter(status=Run.Status.QUEUED).order_by("id").first()
        if queued is not None:
            for name, value in {**started, "status": Run.Status.RUNNING}.items():
                setattr(queued, name, value)
            queued.save(update_fields=[*started, "status"])
            return queued.id
        schedule = (
            Schedule.objects.select_for_update(skip_locked=True)
            .filter(enabled=True, next_due_at__lte=now)
            .order_by("next_due_at", "id")
            .first()
        )
        if schedule is None:
            return None
        due_at = schedule.next_due_at
        schedule.compute_next_due(now)
        schedule.save(update_fields=["next_due_at"])
        try:
            job = registry.get(schedule.job)
        except LookupError:
            job = None
        if job is None:  # the app that declared it is gone: recorded as an abnormal end, alerted
            run = Run.objects.create(
                job=schedule.job, trigger=Run.Trigger.SCHEDULE, schedule=schedule, parameters=schedule.parameters,
                requested_by=f"schedule {schedule.id}", requested_at=now, due_at=due_at, status=Run.Status.RUNNING,
                **started,
            )  # fmt: skip
        else:
            run = _new_run(
                job,
                schedule.parameters,
                Run.Trigger.SCHEDULE,
                Run.Status.RUNNING,
                schedule=schedule,
                due_at=due_at,
                **started,
            )
        return run.id


def error_code(exc: BaseException) -> str:
    """The error code of an abnormal end as the OS or middleware gave it: the exception class, with the PostgreSQL
    SQLSTATE (a database error's cause, from psycopg) or the OS errno where there is one."""
    code = type(exc).__name__
    cause = exc.__cause__ if isinstance(exc, DatabaseError) else exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return f"{code} SQLSTATE {sqlstate}"
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"{code} errno {exc.errno} ({os.strerror(exc.errno)})"
    return code


def _set_limits(values: list[str]) -> list[str]:
    """Set the job transaction's limits (PostgreSQL, transaction-local); returns the values they replace."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('statement_timeout'), current_setting('lock_timeout'), "
            "current_setting('application_name'), set_config('statement_timeout', %s, true), "
            "set_config('lock_timeout', %s, true), set_config('application_name', %s, true)",
            values,
        )
        return list(cursor.fetchone()[:3])


def _limit(job: registry.Job) -> list[str]:
    """Keep a batch from holding online work up: a statement timeout, a lock timeout, and a name operators see in
    ``pg_stat_activity``. They end with the job's transaction (inside an outer one, :func:`execute` puts them back)."""
    return _set_limits([str(job.timeout_seconds * 1000), str(LOCK_TIMEOUT_MS), f"{APPLICATION_NAME} {job.name}"[:63]])


def execute(tenant_id: str, run_id: int, *, clock_now: Callable[[], datetime] = timezone.now) -> Run:
    """Run a claimed run's job and record how it ended (a new transaction after the job's own)."""
    with tenant_context(tenant_id):
        run = Run.objects.get(id=run_id)
    started = time.monotonic()
    summary, failure = "", None
    job: registry.Job | None = None
    try:
        job = registry.get(run.job)
        # Date tokens (today, month_end …) mean the day a scheduled run was due, even if a runner starts it late.
        today = timezone.localdate(run.due_at or run.started_at or clock_now(), timing.JST)
        values = registry.resolve(job, run.parameters, today)
        with acting_as(Actor("system", f"batch {run.job}")), tenant_context(tenant_id, sole=True):
            before = _limit(job)
            summary = job.run(registry.RunContext(tenant_id, run.id, today, values))
            if before:
                _set_limits(before)
    except Exception as exc:  # every abnormal end is recorded, whatever raised it
        failure = exc
    elapsed_ms = int((time.monotonic() - started) * 1000)
    with acting_as(Actor("system", "kiban batch")), tenant_context(tenant_id):
        run.ended_at, run.duration_ms = clock_now(), elapsed_ms
        if failure is None:
            run.status, run.summary = Run.Status.SUCCEEDED, str(summary or "")[:500]
        else:
            run.status, run.error_code = Run.Status.FAILED, error_code(failure)[:200]
            run.error_message = str(failure)[:1000]
        run.save(update_fields=["ended_at", "duration_ms", "status", "summary", "error_code", "error_message"])
        record("batch.run.ended", "batch-run", str(run.id), purpose=f"{run.job} {run.status}")
        alerts.ended(run, job.business if job else "")
    return run


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


ABANDONED = "Abandoned"


def reap_abandoned(tenant_id: str) -> list[Run]:
    """End as abnormal the runs left running on this host by a runner process that no longer exists (killed, the
    host restarted): their end is recorded and alerted like any abnormal end. Runs of other hosts are left to the
    runners there."""
    host = host_name()
    reaped: list[Run] = []
    with acting_as(Actor("system", "kiban batch run-due")), tenant_context(tenant_id):
        running = Run.objects.select_for_update(skip_locked=True).filter(status=Run.Status.RUNNING, host=host)
        for run in running:
            if run.pid is None or _alive(run.pid):
                continue
            run.status, run.ended_at, run.error_code = Run.Status.FAILED, timezone.now(), ABANDONED
            run.error_message = f"the runner process {run.pid} on {host} ended before the run did"
            run.save(update_fields=["status", "ended_at", "error_code", "error_message"])
            record("batch.run.ended", "batch-run", str(run.id), purpose=f"{run.job} {ABANDONED}")
            try:
                business = registry.get(run.job).business
            except LookupError:
                business = ""
            alerts.ended(run, business)
            reaped.append(run)
    return reaped


def run_due(now: datetime | None = None, *, tenants: list[str] | None = None) -> list[Run]:
    """One pass of the runner (``kiban batch run-due``, every minute): every queued run and due schedule of every
    active tenant, one at a time, each taken by exactly one runner; first the runs a dead runner process left running
    on this host are ended as abnormal (``reap_abandoned``). Returns the runs this runner ended."""
    codes = tenants or list(Tenant.objects.filter(active=True).values_list("code", flat=True))
    ended: list[Run] = []
    for code in codes:
        ended.extend(reap_abandoned(code))
        while (run_id := claim_next(code, now)) is not None:
            ended.append(execute(code, run_id))
    return ended


# --- Schedules ------------------------------------------------------------------------------------------------


class ScheduleError(ValueError):
    """A schedule that cannot be: ``problems`` maps each field to (Japanese, English) messages."""

    def __init__(self, problems: Mapping[str, tuple[str, str]]) -> None:
        self.problems = dict(problems)
        super().__init__("; ".join(f"{name}: {en}" for name, (_ja, en) in self.problems.items()))


def _check_timing(kind: str, on: date | None, weekday: int | None, day: int | None) -> dict[str, tuple[str, str]]:
    problems: dict[str, tuple[str, str]] = {}
    if kind not in Schedule.Kind.values:
        problems["kind"] = ("起動方法を選んでください。", "choose how it starts")
    elif kind == timing.ONCE and on is None:
        problems["on_date"] = ("年月日を入力してください。", "enter the date")
    elif kind == timing.WEEKLY and (weekday is None or not 0 <= weekday <= 6):
        problems["weekday"] = ("曜日を選んでください。", "choose the weekday")
    elif kind == timing.MONTHLY and (day is None or not 1 <= day <= 31):
        problems["day"] = ("1〜31日で入力してください。", "a day from 1 to 31")
    return problems


def save_schedule(
    job_name: str,
    *,
    kind: str,
    at_time: clock,
    parameters: Mapping[str, str],
    on_date: date | None = None,
    weekday: int | None = None,
    day: int | None = None,
    enabled: bool = True,
    schedule_id: int | None = None,
    now: datetime | None = None,
) -> Schedule:
    """Add a schedule of ``job_name`` (``schedule_id`` None) or change one; bad values raise ``ScheduleError`` or
    ``ParameterError`` and nothing is written. A once schedule must lie in the future."""
    job = registry.get(job_name)
    now = now or timezone.now()
    problems = _check_timing(kind, on_date, weekday, day)
    try:
        values = registry.validate(job, parameters)
    except registry.ParameterError as exc:
        problems.update({f"param-{k}": v for k, v in exc.problems.items()})
        values = {}
    schedule = Schedule(job=job.name) if schedule_id is None else Schedule.objects.get(id=schedule_id, job=job.name)
    schedule.kind, schedule.at_time, schedule.parameters, schedule.enabled = kind, at_time, values, enabled
    schedule.on_date = on_date if kind == timing.ONCE else None
    schedule.weekday = weekday if kind == timing.WEEKLY else None
    schedule.day = day if kind == timing.MONTHLY else None
    if not problems:
        schedule.compute_next_due(now)
        if enabled and schedule.next_due_at is None:
            problems["on_date"] = ("過去の日時は指定できません。", "the date and time have passed")
    if problems:
        raise ScheduleError(problems)
    schedule.changed_by = actor_label()
    schedule.save()
    action = "batch.schedule.created" if schedule_id is None else "batch.schedule.changed"
    record(action, "batch-schedule", str(schedule.id), purpose=f"{job.name} {schedule.describe()}")
    return schedule


def set_enabled(schedule_id: int, enabled: bool, *, now: datetime | None = None) -> Schedule:
    """Disable a schedule (it stays, with its parameters, and can be enabled again) or enable it."""
    schedule = Schedule.objects.get(id=schedule_id)
    schedule.enabled = enabled
    schedule.compute_next_due(now or timezone.now())
    schedule.changed_by = actor_label()
    schedule.save(update_fields=["enabled", "next_due_at", "changed_by", "changed_at"])
    record("batch.schedule." + ("enabled" if enabled else "disabled"), "batch-schedule", str(schedule.id))
    return schedule
