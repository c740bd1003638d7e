"""The batch pages of a municipality's supervisors (住民記録システム標準仕様書 9.1 バッチ処理): the jobs they may run,
their schedules (add, change, disable), 今すぐ実行 with the previous run's parameters filled in and the changed ones
marked in words (変更あり), and the run log. A user sees only the jobs whose roles they hold (e.g. the registry's
supervisors, 住民記録責任者); platform operators are refused by ``staff_view`` (no municipal data). Pages show no
resident data: a run's summary carries counts and file names only."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from kiban.platform.web.staff import staff_view

from . import registry, services, timing
from .models import Run, Schedule


def _jobs(request: HttpRequest) -> list[registry.Job]:
    user: Any = request.user
    jobs = [j for j in registry.all_jobs() if any(user.has_role(r) for r in j.roles)]
    if not jobs:
        raise PermissionDenied("no batch job is open to your role")
    return jobs


def _job(request: HttpRequest, name: str) -> registry.Job:
    for job in _jobs(request):
        if job.name == name:
            return job
    raise Http404("no such job")


def _fields(
    job: registry.Job, given: dict[str, str], previous: dict[str, str] | None, problems: dict[str, Any]
) -> list:
    """Each parameter with its value, the previous run's value and whether it differs (shown as 変更あり)."""
    return [
        {
            "param": p, "value": given.get(p.name, p.default), "previous": (previous or {}).get(p.name),
            "changed": previous is not None and given.get(p.name, p.default) != previous.get(p.name),
            "problem": problems.get(p.name) or problems.get(f"param-{p.name}"),
        }
        for p in job.params
    ]  # fmt: skip


def _posted_params(request: HttpRequest, job: registry.Job) -> dict[str, str]:
    return {p.name: request.POST.get(f"param-{p.name}", "") for p in job.params}


@staff_view()
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = _jobs(request)
    names = [j.name for j in jobs]
    last: dict[str, Run] = {}
    for run in Run.objects.filter(job__in=names).order_by("-id")[:200]:
        last.setdefault(run.job, run)
    schedules = Schedule.objects.filter(job__in=names, enabled=True).order_by("next_due_at")
    next_due: dict[str, Schedule] = {}
    for s in schedules:
        next_due.setdefault(s.job, s)
    rows = [{"job": j, "last": last.get(j.name), "next": next_due.get(j.name)} for j in jobs]
    return render(request, "batch/jobs.html", {"rows": rows})


@staff_view()
@require_http_methods(["GET", "POST"])
def run_now(request: HttpRequest, job_name: str) -> HttpResponse:
    job = _job(request, job_name)
    last = services.previous_run(job.name)
    given = services.previous_parameters(job)
    previous = dict(given) if last else None  # what the previous run used (None: this is the first run)
    problems: dict[str, Any] = {}
    if request.method == "POST":
        given = _posted_params(request, job)
        try:
            run = services.request_run(job.name, given)
        except registry.ParameterError as exc:
            problems = exc.problems
        else:
            changed = "、".join(job.param(n).label_ja for n in run.changed_parameters) or "なし (none)"
            messages.success(request, f"起動を受け付けました (queued): 実行番号 {run.id}。前回からの変更: {changed}")
            return redirect("batch-runs")
    context = {"job": job, "fields": _fields(job, given, previous, problems), "last": last, "problems": problems,
               "tokens": registry.DATE_TOKENS}  # fmt: skip
    return render(request, "batch/run_now.html", context, status=422 if problems else 200)


def _schedule_form(request: HttpRequest) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """The posted schedule fields as values, and the problems of those that could not be read."""
    post, problems = request.POST, {}
    values: dict[str, Any] = {"kind": post.get("kind", ""), "on_date": None, "weekday": None, "day": None}
    try:
        values["at_time"] = time.fromisoformat(post.get("at_time", ""))
    except ValueError:
        problems["at_time"] = ("時刻を入力してください（例 02:00）。", "enter the time, e.g. 02:00")
    if values["kind"] == timing.ONCE:
        try:
            values["on_date"] = date.fromisoformat(post.get("on_date", ""))
        except ValueError:
            problems["on_date"] = ("年月日を入力してください。", "enter the date")
    for name in ("weekday", "day"):
        raw = post.get(name, "").strip()
        if raw:
            try:
                values[name] = int(raw)
            except ValueError:
                problems[name] = ("数字で入力してください。", "a number")
    return values, problems


@staff_view()
@require_http_methods(["GET", "POST"])
def schedules(request: HttpRequest, job_name: str, schedule_id: int | None = None) -> HttpResponse:
    job = _job(request, job_name)
    editing = Schedule.objects.filter(job=job.name, id=schedule_id).first() if schedule_id else None
    if schedule_id and editing is None:
        raise Http404("no such schedule")
    given = editing.parameters if editing else services.previous_parameters(job)
    problems: dict[str, Any] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        if request.POST.get("action") in ("disable", "enable") and editing is not None:
            services.set_enabled(editing.id, request.POST["action"] == "enable")
            messages.success(request, "無効にしました (disabled)" if request.POST["action"] == "disable" else
                             "有効にしました (enabled)")  # fmt: skip
            return redirect("batch-schedules", job_name=job.name)
        form, problems = _schedule_form(request)
        form["enabled"] = editing.enabled if editing else True  # a change keeps a disabled schedule disabled
        given = _posted_params(request, job)
        if not problems:
            try:
                services.save_schedule(job.name, parameters=given, schedule_id=schedule_id, **form)
            except (services.ScheduleError, registry.ParameterError) as exc:
                problems = exc.problems
            else:
                messages.success(request, "スケジュールを保存しました (schedule saved)")
                return redirect("batch-schedules", job_name=job.name)
    elif editing is not None:
        form = {"kind": editing.kind, "at_time": editing.at_time, "on_date": editing.on_date,
                "weekday": editing.weekday, "day": editing.day, "enabled": editing.enabled}  # fmt: skip
    context = {
        "job": job, "schedules": Schedule.objects.filter(job=job.name).order_by("id"), "editing": editing,
        "form": form, "problems": problems, "fields": _fields(job, given, None, problems),
        "kinds": Schedule.Kind.choices, "weekdays": list(enumerate(timing.WEEKDAYS_JA)), "tokens": registry.DATE_TOKENS,
    }  # fmt: skip
    return render(request, "batch/schedules.html", context, status=422 if problems else 200)


@staff_view()
def run_log(request: HttpRequest) -> HttpResponse:
    jobs = {j.name: j for j in _jobs(request)}
    runs = list(Run.objects.filter(job__in=list(jobs)).order_by("-id")[:100])
    rows = [
        {"run": r, "job": jobs[r.job], "params": [
            {"label": jobs[r.job].param(k).label_ja if k in jobs[r.job].defaults else k, "value": v,
             "changed": k in r.changed_parameters}
            for k, v in r.parameters.items()
        ]}
        for r in runs
    ]  # fmt: skip
    return render(request, "batch/runs.html", {"rows": rows, "now": timezone.now()})
