"""``kiban batch``: the jobs listed, the runner and direct starts at a lower OS priority, a failure's exit status."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kiban.platform.batch import services
from kiban.platform.batch.models import Run
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A


@pytest.fixture
def niceness(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    added: list[int] = []
    monkeypatch.setattr("os.nice", lambda n: added.append(n) or n)
    return added


def test_jobs_are_listed_with_their_parameters(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("batch", "jobs")
    out = capsys.readouterr().out
    assert "tests.echo\tテスト用ジョブ (Test job)\tcount=3, on=today" in out
    assert "residents.population_statistics" in out and "residents.support_measure_expiry" in out


def test_run_due_runs_the_queued_runs_at_a_lower_priority(
    tenant_a: Any, niceness: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    with tenant_context(CODE_A):
        run = services.request_run("tests.echo", {"count": "2"})
    call_command("batch", "run-due", "--tenant", CODE_A)
    assert niceness == [10]
    assert f"run {run.id}\tsucceeded" in capsys.readouterr().out


def test_a_direct_start_starts_from_the_previous_parameters(tenant_a: Any, niceness: list[int]) -> None:
    call_command("batch", "--nice", "5", "run", "tests.echo", "--tenant", CODE_A, "--param", "count=9")
    call_command("batch", "--nice", "0", "run", "tests.echo", "--tenant", CODE_A, "--param", "note=x")
    assert niceness == [5]  # --nice 0: left as it is
    with tenant_context(CODE_A):
        last = Run.objects.order_by("-id").first()
    assert last is not None and last.parameters["count"] == "9" and last.changed_parameters == ["note"]


def test_a_failed_run_exits_non_zero_with_its_error_code(tenant_a: Any, niceness: list[int]) -> None:
    with pytest.raises(CommandError, match="ended abnormally: RuntimeError"):
        call_command("batch", "run", "tests.echo", "--tenant", CODE_A, "--param", "mode=fail")


def test_an_unknown_job_or_tenant_is_refused(tenant_a: Any, niceness: list[int]) -> None:
    with pytest.raises(CommandError, match="unknown batch job"):
        call_command("batch", "run", "tests.nothing", "--tenant", CODE_A)
    with pytest.raises(CommandError, match="not an active tenant"):
        call_command("batch", "run", "tests.echo", "--tenant", "999999")
