"""住民票コードの変更 (標準仕様書 4.3.2, j880; 法30条の4) at the counter in a real browser, by keyboard only: a
supervisor changes a person's code on request, the 住民票コード変更通知票 is offered at once and prints (PDF); axe-core
(WCAG 2.2 A/AA) on the page before and after. Screenshots under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from kiban.apps.residents.models import Resident
from kiban.apps.residents.permissions import SUPERVISOR
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A, totp_code
from tests.e2e.conftest import E2E_DB, Accessibility, sign_in_by_keyboard, tab_to
from tests.e2e.test_counter_certificate import _setup as certificate_setup

pytestmark = E2E_DB


def _setup() -> tuple[Any, Resident]:
    user, resident_id = certificate_setup("code.supervisor", SUPERVISOR.code)
    with tenant_context(CODE_A):
        return user, Resident.objects.get(id=resident_id)


def test_a_code_changed_on_request_by_keyboard_only(counter_server: str, browser: Any, axe_script: str) -> None:
    user, person = _setup()
    code = totp_code(user)  # read before the live server runs (on SQLite it shares this connection)
    chromium = browser()
    page = chromium.page
    path = f"/staff/residents/{person.id}/resident-code/"
    sign_in_by_keyboard(page, counter_server, user, code, path, "purpose=住民票コードの変更請求")
    axe = Accessibility(axe_script)
    assert page.inner_text("#current-code") == person.resident_code
    axe.check(page, "61-resident-code")
    tab_to(page, "#c-requested")
    page.keyboard.press("Control+a")
    page.keyboard.type("R6.5.1")
    tab_to(page, "#change-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    new = page.inner_text("#current-code")
    assert new != person.resident_code and len(new) == 11
    assert "住民票コード変更通知票を印刷" in page.inner_text("#offered")
    axe.check(page, "62-resident-code-changed")
    pdf = page.request.get(counter_server + str(page.get_attribute("#print-notice", "href")))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    chromium.close()
    with tenant_context(CODE_A):
        assert Resident.objects.get(id=person.id).resident_code == new
    axe.assert_accessible()
