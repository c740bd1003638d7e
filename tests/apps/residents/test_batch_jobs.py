"""The resident registry's batch jobs end to end (住民記録システム標準仕様書 9.1 バッチ処理, 6.1 統計): started on the
command line or by the runner, writing their CSV file into the tenant's folder, with a summary free of personal data."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from kiban.apps.residents import statistics, support
from kiban.platform.batch import services
from kiban.platform.batch.models import Run
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A

D = datetime.date


@pytest.fixture(autouse=True)
def batch_dir(settings: Any, tmp_path: Path) -> Path:
    settings.KIBAN_BATCH_DIR = tmp_path
    return tmp_path / CODE_A


def test_population_statistics_from_the_command_line(
    tenant_a: Any, make_resident: Any, batch_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make_resident(tenant_a, birth_date=D(1980, 4, 2), sex="2")
    make_resident(tenant_a, "サトウ", given_name="太郎", birth_date=D(1982, 1, 1), sex="1")
    call_command(
        "batch", "--nice", "0", "run", "residents.population_statistics", "--tenant", CODE_A,
        "--param", "as_of=2026-03-31", "--param", "directory=toukei/2026",
    )  # fmt: skip
    written = batch_dir / "toukei" / "2026" / f"population-{CODE_A}-2026-03-31.csv"
    text = written.read_bytes().decode("utf-8-sig")
    with tenant_context(CODE_A):
        assert text == statistics.population_csv(D(2026, 3, 31))
        run = Run.objects.get()
    assert list(csv.reader(io.StringIO(text)))[-1][-1] == "2"
    assert run.status == Run.Status.SUCCEEDED and run.summary.startswith(written.name) and "総数 2人" in run.summary
    assert "山田" not in run.summary and "花子" not in run.summary
    assert "succeeded" in capsys.readouterr().out


def test_a_bad_parameter_on_the_command_line_is_refused_and_nothing_is_written(tenant_a: Any, batch_dir: Path) -> None:
    with pytest.raises(CommandError, match="as_of"):
        call_command("batch", "--nice", "0", "run", "residents.population_statistics", "--tenant", CODE_A,
                     "--param", "as_of=2026-13-01")  # fmt: skip
    with pytest.raises(CommandError, match="NAME=VALUE"):
        call_command("batch", "--nice", "0", "run", "residents.population_statistics", "--tenant", CODE_A,
                     "--param", "as_of")  # fmt: skip
    with tenant_context(CODE_A):
        assert not Run.objects.exists()
    assert not batch_dir.exists()


def test_support_measure_expiry_lists_ids_and_dates_only(tenant_a: Any, make_resident: Any, batch_dir: Path) -> None:
    soon, ended = make_resident(tenant_a), make_resident(tenant_a, "サトウ")
    with tenant_context(CODE_A):
        first = support.confirm(support.apply(soon.id, requested_by="本人", on=D(2025, 4, 1)).id, on=D(2025, 4, 20))
        second = support.confirm(support.apply(ended.id, requested_by="本人", on=D(2024, 1, 5)).id, on=D(2024, 2, 1))
    run = services.start_direct(CODE_A, "residents.support_measure_expiry", {"on": "2026-04-01"})
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert run.summary == (
        f"support-expiry-{CODE_A}-2026-04-01.csv: 終了間近 1件, 期間経過 1件 (expiring, ended without extension)"
    )
    rows = list(csv.reader(io.StringIO((batch_dir / "support" / run.summary.split(":")[0]).read_text("utf-8-sig"))))
    assert rows[1][:4] == ["2026-04-01", "終了間近", str(first.id), str(soon.id)]
    assert rows[2][:4] == ["2026-04-01", "期間経過（延長・解除なし）", str(second.id), str(ended.id)]
    assert "山田" not in str(rows)


def test_the_jobs_run_by_schedule_through_the_runner(tenant_a: Any, make_resident: Any, batch_dir: Path) -> None:
    make_resident(tenant_a)
    jst = datetime.timezone(datetime.timedelta(hours=9))
    with tenant_context(CODE_A):
        services.save_schedule(
            "residents.population_statistics", kind="month_end", at_time=datetime.time(23, 0),
            parameters={"as_of": "today"}, now=datetime.datetime(2026, 2, 1, tzinfo=jst),
        )  # fmt: skip
    [run] = services.run_due(datetime.datetime(2026, 2, 28, 23, 0, 10, tzinfo=jst), tenants=[CODE_A])
    assert run.status == Run.Status.SUCCEEDED and run.trigger == Run.Trigger.SCHEDULE
    # "today" is the day the run was due (JST), even when the runner starts it late
    assert [p.name for p in (batch_dir / "statistics").iterdir()] == [f"population-{CODE_A}-2026-02-28.csv"]


def test_population_statistics_as_xlsx_for_submission(tenant_a: Any, make_resident: Any, batch_dir: Path) -> None:
    from openpyxl import load_workbook

    make_resident(tenant_a, birth_date=D(1980, 4, 2), sex="2")
    run = services.start_direct(CODE_A, "residents.population_statistics", {"as_of": "2026-03-31", "format": "xlsx"})
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert run.summary.startswith(f"population-{CODE_A}-2026-03-31.xlsx:")
    sheet = load_workbook(batch_dir / "statistics" / f"population-{CODE_A}-2026-03-31.xlsx").active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    with tenant_context(CODE_A):
        expected = list(csv.reader(io.StringIO(statistics.population_csv(D(2026, 3, 31)))))
    assert rows[0] == expected[0] and rows[-1][-1] == 1  # a number, not text, in the spreadsheet
    assert [[str(v) if v is not None else "" for v in r] for r in rows] == expected


def test_special_permanent_expiry_lists_ids_numbers_and_dates_only(
    tenant_a: Any, make_resident: Any, batch_dir: Path
) -> None:
    """標準仕様書 8.2.1: 特別永住者証明書 ending within the months given, and those ended without renewal."""
    from kiban.apps.residents.models import SpecialPermanentCertificate

    values = {"kind": "foreign", "nationality": "410", "residence_status": "特別永住者", "domicile": ""}
    soon, ended = make_resident(tenant_a, "キム", **values), make_resident(tenant_a, "パク", **values)
    with tenant_context(CODE_A):
        for person, number, ends in ((soon, "AA00000001AA", D(2026, 6, 15)), (ended, "AA00000002AA", D(2026, 3, 1))):
            SpecialPermanentCertificate.objects.create(resident_id=person.id, number=number, issued_on=D(2019, 8, 1),
                                                       expires_on=ends, recorded_by="boss")  # fmt: skip
    run = services.start_direct(CODE_A, "residents.special_permanent_expiry", {"on": "2026-04-01", "months": "3"})
    assert run.status == Run.Status.SUCCEEDED, run.error_message
    assert run.summary == (
        f"special-permanent-{CODE_A}-2026-04-01.csv: 満了予定 1件, 満了 1件 (ending, ended without renewal)"
    )
    path = batch_dir / "special-permanent" / run.summary.split(":")[0]
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert rows[1] == ["2026-04-01", "満了予定", str(soon.id), "AA00000001AA", "2026-06-15", "2026-04-15"]
    assert rows[2][:4] == ["2026-04-01", "満了（更新なし）", str(ended.id), "AA00000002AA"]
    assert "金" not in str(rows) and "山田" not in str(rows)
