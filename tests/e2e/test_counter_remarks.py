"""統合記載欄 (標準仕様書 1.1.14) in a real browser, by keyboard only: a 備考 entered on the record's page and shown on
the record; axe-core (WCAG 2.2 A/AA) on the page. Screenshots under var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from kiban.apps.residents.models import ResidentRemark
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A
from tests.e2e.conftest import E2E_DB, Accessibility, signed_in_on_a_record, tab_to, wait_for_path

pytestmark = E2E_DB


def test_a_remark_entered_by_keyboard_only(counter_server: str, browser: Any, axe_script: str) -> None:
    chromium, resident_id = signed_in_on_a_record(
        browser, counter_server, "/staff/residents/{id}/remarks/", "purpose=統合記載欄の記載"
    )
    page = chromium.page
    axe = Accessibility(axe_script)
    axe.check(page, "51-remarks-empty")
    tab_to(page, "#remark-kind")
    page.keyboard.press("ArrowDown")  # 備考（C類型）
    tab_to(page, "#remark-text")
    page.keyboard.type("事実上の世帯主　施設長　山田一郎")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    assert "施設長　山田一郎" in page.inner_text("#remarks")
    axe.check(page, "52-remark-entered")
    tab_to(page, "a[href^='/staff/residents/'][href*='purpose=']:not([href*='remarks'])")
    page.keyboard.press("Enter")
    wait_for_path(page, f"/staff/residents/{resident_id}/")
    assert "施設長　山田一郎" in page.inner_text("#record-remarks")
    chromium.close()
    with tenant_context(CODE_A):
        entered = list(ResidentRemark.objects.values_list("kind", "text"))
    assert entered == [("remark", "事実上の世帯主　施設長　山田一郎")]
    axe.assert_accessible()
