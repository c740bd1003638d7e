"""Memos (メモ, 標準仕様書 1.1.15) at the counter in a real browser, by keyboard only: write one from the record's
link, correct it, show every version; each page checked with axe-core (WCAG 2.2 A/AA). Screenshots under
var/test-artifacts/e2e/."""

from __future__ import annotations

from typing import Any

from kiban.apps.residents.models import ResidentMemo
from kiban.platform.tenants.context import tenant_context
from tests.conftest import CODE_A
from tests.e2e.conftest import E2E_DB, Accessibility, signed_in_on_a_record, tab_to

pytestmark = E2E_DB


def test_a_memo_written_and_corrected_by_keyboard_only(counter_server: str, browser: Any, axe_script: str) -> None:
    chromium, _resident = signed_in_on_a_record(
        browser, counter_server, "/staff/residents/{id}/memos/", "purpose=窓口での確認"
    )
    page = chromium.page
    axe = Accessibility(axe_script)
    assert page.is_visible("#no-memos")
    axe.check(page, "31-memos-empty")

    tab_to(page, "#new-body")
    page.keyboard.type("来庁予定：午後")
    tab_to(page, "#new-memo button[value=write]")
    page.keyboard.press("Enter")
    page.wait_for_selector("#done")
    assert "来庁予定：午後" in page.input_value("textarea[name=body] >> nth=0")
    axe.check(page, "32-memo-written")

    tab_to(page, "textarea[name=body]")
    page.keyboard.press("Control+a")
    page.keyboard.type("来庁済み")
    tab_to(page, "form.memo button[value=revise]")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=メモを修正しました")
    tab_to(page, "a[href*='history=1']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#history")
    history = page.inner_text("#history")
    assert "来庁予定：午後" in history and "来庁済み" in history
    axe.check(page, "33-memo-history")
    chromium.close()
    with tenant_context(CODE_A):
        assert list(ResidentMemo.objects.order_by("id").values_list("version", "body")) == [
            (1, "来庁予定：午後"), (2, "来庁済み"),
        ]  # fmt: skip
    axe.assert_accessible()
