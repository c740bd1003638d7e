"""今すぐ実行 (run now) of a batch job in a real browser, by keyboard (住民記録システム標準仕様書 9.1 バッチ処理): the
previous run's parameters are filled in, a changed one is marked in words as it is typed, the run is queued and
the run log marks the change; each page checked with axe-core (WCAG 2.2 A/AA). Screenshots under
var/test-artifacts/e2e/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiban.apps.residents.permissions import SUPERVISOR
from kiban.platform.batch import services
from kiban.platform.batch.models import Run
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, PASSWORD, totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to, wait_for_path

pytestmark = E2E_DB
JOB = "residents.population_statistics"


def test_run_now_starts_from_the_previous_parameters_and_marks_the_change(
    counter_server: str, browser: Any, axe_script: str, settings: Any, tmp_path: Path
) -> None:
    from kiban.platform.accounts.services import create_staff, enroll_totp
    from kiban.platform.tenants.services import provision

    settings.KIBAN_BATCH_DIR = tmp_path
    tenant = provision(CODE_A)
    user = create_staff(tenant, "batch.supervisor", PASSWORD, [SUPERVISOR.code])
    enroll_totp(user)
    services.start_direct(CODE_A, JOB, {"as_of": "2026-03-31"})
    code = totp_code(user)
    chromium = browser()
    page = chromium.page
    axe = Accessibility(axe_script)
    path = f"/staff/batch/{JOB}/run/"
    sign_in_by_keyboard(page, counter_server, user, code, path)

    assert page.input_value("#param-as_of") == "2026-03-31" and page.input_value("#param-directory") == "statistics"
    assert page.is_hidden("#changed-as_of")
    axe.check(page, "71-batch-run-now")

    tab_to(page, "#param-as_of")
    page.keyboard.press("Control+a")
    page.keyboard.type("2026-04-30")
    assert page.is_visible("#changed-as_of") and "変更あり" in page.inner_text("#changed-as_of")
    assert page.is_hidden("#changed-directory")
    axe.check(page, "72-batch-run-now-changed")

    tab_to(page, "#run-now button[type=submit]")
    page.keyboard.press("Enter")
    wait_for_path(page, "/staff/batch/runs/")
    assert "起動を受け付けました" in page.inner_text("#done") and "前回からの変更: 基準日" in page.inner_text("#done")
    assert "＊基準日" in page.inner_text("#runs")
    axe.check(page, "73-batch-run-log")
    chromium.close()

    [run] = services.run_due(tenants=[CODE_A])
    assert run.status == Run.Status.SUCCEEDED and run.changed_parameters == ["as_of"]
    with tenant_context(CODE_A):
        assert Run.objects.count() == 2
    assert (tmp_path / CODE_A / "statistics" / f"population-{CODE_A}-2026-04-30.csv").exists()
    axe.assert_accessible()
