"""The supervisors' batch pages: only the roles a job names may see and run it, platform operators see nothing,
run-now starts from the previous parameters and marks the changed ones in words, schedules are added, changed and
disabled with errors next to the field, and the run log shows no other municipality's runs."""

from __future__ import annotations

from datetime import time
from typing import Any

from kiban.platform.batch import services
from kiban.platform.batch.models import Run, Schedule
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, CODE_B, sign_in


def supervisor(make_staff: Any, tenant: Any, name: str = "sv") -> Any:
    return sign_in(make_staff(tenant, name, ["residents.supervisor"]))


def test_a_clerk_a_tenant_admin_and_an_operator_are_refused(tenant_a: Any, make_staff: Any, make_operator: Any) -> None:
    for user in (make_staff(tenant_a, "clerk", ["residents.clerk"]),
                 make_staff(tenant_a, "admin", ["platform.tenant_admin"]), make_operator()):  # fmt: skip
        client = sign_in(user)
        for url in ("/staff/batch/", "/staff/batch/runs/", "/staff/batch/tests.echo/run/"):
            assert client.get(url).status_code == 403, (user.username, url)


def test_the_jobs_page_lists_the_jobs_of_the_supervisor(tenant_a: Any, make_staff: Any) -> None:
    page = supervisor(make_staff, tenant_a).get("/staff/batch/").content.decode()
    assert "テスト用ジョブ" in page and "住民基本台帳人口" in page and "支援措置 終了間近一覧" in page


def test_run_now_prefills_the_previous_parameters_and_marks_the_changed_ones(tenant_a: Any, make_staff: Any) -> None:
    client = supervisor(make_staff, tenant_a)
    first = client.get("/staff/batch/tests.echo/run/").content.decode()
    assert "初回の実行" in first and 'value="3"' in first
    services.start_direct(CODE_A, "tests.echo", {"count": "7"})
    page = client.get("/staff/batch/tests.echo/run/").content.decode()
    assert 'name="param-count" value="7"' in page and '前回 <span lang="en">(previous)</span>: 7' in page
    assert page.count('class="changed-mark"') == 5 and page.count(" hidden>＊変更あり") == 5  # none changed yet
    redisplayed = client.post(
        "/staff/batch/tests.echo/run/", {"param-count": "12", "param-on": "today", "param-directory": "../x"}
    ).content.decode()  # refused (the folder), shown again with the change marked by the server, in words
    assert '<strong class="changed-mark" id="changed-count">＊変更あり' in redisplayed
    assert '<strong class="changed-mark" id="changed-on" hidden>' in redisplayed
    posted = {"param-count": "12", "param-on": "today", "param-directory": "out", "param-mode": "ok", "param-note": ""}
    response = client.post("/staff/batch/tests.echo/run/", posted)
    assert response.status_code == 302 and response["Location"] == "/staff/batch/runs/"
    with tenant_context(CODE_A):
        queued = Run.objects.get(status=Run.Status.QUEUED)
    assert queued.changed_parameters == ["count"] and queued.parameters["count"] == "12"
    log = client.get("/staff/batch/runs/").content.decode()
    assert "＊件数（変更" in log and "起動待ち" in log and "前回からの変更: 件数" in log


def test_run_now_with_a_bad_parameter_says_why_next_to_it_and_queues_nothing(tenant_a: Any, make_staff: Any) -> None:
    client = supervisor(make_staff, tenant_a)
    response = client.post("/staff/batch/tests.echo/run/", {"param-count": "many", "param-directory": "../x"})
    page = response.content.decode()
    assert response.status_code == 422
    assert 'id="problem-count"' in page and "整数で入力してください" in page and "not a whole number" in page
    assert 'id="problem-directory"' in page and 'aria-invalid="true"' in page
    with tenant_context(CODE_A):
        assert not Run.objects.exists()


def test_schedules_are_added_changed_and_disabled(tenant_a: Any, make_staff: Any) -> None:
    client = supervisor(make_staff, tenant_a)
    params = {"param-count": "4", "param-on": "month_end", "param-directory": "out", "param-mode": "ok"}
    bad = client.post("/staff/batch/tests.echo/schedules/", {"kind": "weekly", "at_time": "02:00"} | params)
    assert bad.status_code == 422 and "曜日を選んでください" in bad.content.decode()
    response = client.post("/staff/batch/tests.echo/schedules/", {"kind": "month_end", "at_time": "23:30"} | params)
    assert response.status_code == 302
    with tenant_context(CODE_A):
        schedule = Schedule.objects.get()
    assert schedule.kind == "month_end" and schedule.parameters["count"] == "4" and schedule.next_due_at
    page = client.get("/staff/batch/tests.echo/schedules/").content.decode()
    assert "毎月末 23:30" in page
    url = f"/staff/batch/tests.echo/schedules/{schedule.id}/"
    assert 'value="23:30"' in client.get(url).content.decode()
    client.post(url, {"kind": "monthly", "day": "31", "at_time": "01:00"} | params)
    client.post(url, {"action": "disable"})
    client.post(url, {"kind": "monthly", "day": "30", "at_time": "01:00"} | params)  # changed while disabled
    with tenant_context(CODE_A):
        schedule.refresh_from_db()
    assert (schedule.kind, schedule.day, schedule.enabled, schedule.next_due_at) == ("monthly", 30, False, None)
    assert "無効" in client.get("/staff/batch/tests.echo/schedules/").content.decode()


def test_another_municipality_sees_none_of_the_runs_or_schedules(tenant_a: Any, tenant_b: Any, make_staff: Any) -> None:
    services.start_direct(CODE_A, "tests.echo", {"note": "A only"})
    with tenant_context(CODE_A):
        schedule = services.save_schedule("tests.echo", kind="daily", at_time=time(2), parameters={})
    client = supervisor(make_staff, tenant_b, "sv-b")
    assert "A only" not in client.get("/staff/batch/runs/").content.decode()
    assert client.get(f"/staff/batch/tests.echo/schedules/{schedule.id}/").status_code == 404
    assert client.post(f"/staff/batch/tests.echo/schedules/{schedule.id}/", {"action": "disable"}).status_code == 404
    with tenant_context(CODE_B):
        assert not Run.objects.exists()


def test_the_run_log_shows_a_failure_with_its_error_code(tenant_a: Any, make_staff: Any) -> None:
    run = services.start_direct(CODE_A, "tests.echo", {"mode": "fail"})
    page = supervisor(make_staff, tenant_a).get("/staff/batch/runs/").content.decode()
    assert f'id="run-{run.id}"' in page and "異常終了" in page and "RuntimeError" in page and run.host in page


def test_the_run_log_and_the_jobs_page_take_as_many_queries_for_many_runs_as_for_one(
    tenant_a: Any, make_staff: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = supervisor(make_staff, tenant_a)
    services.start_direct(CODE_A, "tests.echo", {})

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/staff/batch/runs/").status_code == 200
            assert client.get("/staff/batch/").status_code == 200
        return len(captured)

    one = queries()
    for n in range(8):
        services.start_direct(CODE_A, "tests.echo", {"count": str(n + 1)})
    assert queries() == one
